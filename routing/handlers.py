"""Lifecycle event handlers of routing (listed in HELPDESK_EVENT_HANDLERS)."""

from tickets.models import TicketEvent


def claim_on_reply(event: TicketEvent) -> None:
    """
    Make the replying agent the owner of an unassigned ticket of their team, if the team
    claims on reply. Runs inside the reply's transaction, after the AGENT_REPLIED event.
    """
    from routing.choices import ReasonCode
    from routing.snapshot import current_snapshot
    from tickets.services.assignment import assign_ticket

    ticket, actor = event.ticket, event.actor
    if actor is None or ticket.assignee_id is not None or ticket.team_id is None:
        return
    team = current_snapshot().teams.get(ticket.team_id)
    if team is None or not team.claim_on_reply:
        return
    if not ticket.team.members.filter(pk=actor.pk).exists():
        return
    assign_ticket(ticket=ticket, agent=actor, reason_code=ReasonCode.CLAIMED_ON_REPLY,
                  actor=actor)


def track_load(event: TicketEvent) -> None:
    """
    Move the ticket between agents' open-ticket counters when its owner, status or priority
    changed (or it was created owned). Runs inside the change's transaction, after its event,
    so the counters commit or roll back with the change itself.
    """
    from routing.services.loads import apply_load_changes, load_changes

    apply_load_changes(load_changes(event))
