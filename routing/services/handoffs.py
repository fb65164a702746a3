"""
Transfers between teams under the receiving team's contract: required fields first, then
either straight over or pending until an agent of the team accepts or rejects.
"""

from __future__ import annotations

from typing import Any, Final

from django.db import transaction
from django.utils import timezone

from routing.choices import HANDOFF_REJECTED, HANDOFF_REQUESTED, HandoffState, ReasonCode
from routing.models import Handoff, TeamProfile
from tickets.conditions import ticket_facts
from tickets.events import record_event
from tickets.exceptions import DomainError
from tickets.models import Team, Ticket
from tickets.services.assignment import assign_ticket
from tickets.services.lifecycle import lock_ticket
from tickets.services.messages import add_agent_message

DEFAULT_BOUNCE_LIMIT: Final = 3


class TransferRefused(DomainError):
    """The ticket lacks fields that the receiving team's contract requires."""

    code = "transfer_refused"
    status_code = 409

    def __init__(self, missing: list[str]) -> None:
        super().__init__("Missing required fields: " + ", ".join(missing))
        self.missing = missing


class HandoffDecided(DomainError):
    code = "handoff_decided"
    status_code = 409


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str | list | dict) and not value)


def missing_fields(*, ticket: Ticket, profile: TeamProfile | None) -> list[str]:
    """Return the contract's required fields that the ticket lacks, in the contract's order."""
    if profile is None or not profile.required_fields:
        return []
    facts = ticket_facts(ticket)
    return [name for name in profile.required_fields if _blank(facts.get(name))]


@transaction.atomic
def request_transfer(
    *, ticket: Ticket, to_team: Team, actor: Any | None, note: str = "",
    customer_message: str = "",
) -> Handoff:
    """
    Hand the ticket to another team. Raise TransferRefused listing what the contract needs;
    if the team must accept, the ticket stays with its owner until it does.
    """
    ticket = lock_ticket(ticket)
    profile = TeamProfile.objects.filter(team=to_team).first()
    missing = missing_fields(ticket=ticket, profile=profile)
    if missing:
        raise TransferRefused(missing)
    handoff = Handoff.objects.create(
        ticket=ticket, from_team_id=ticket.team_id, to_team=to_team,
        from_agent_id=ticket.assignee_id, requested_by=actor, note=note,
        customer_message=customer_message,
    )
    if profile is not None and profile.must_accept:
        record_event(ticket=ticket, kind=HANDOFF_REQUESTED, actor=actor,
                     after={"handoff": handoff.pk, "team": to_team.pk}, note=note)
        return handoff
    return _complete(handoff=handoff, ticket=ticket, actor=actor,
                     reason_code=ReasonCode.HANDOFF_DIRECT)


def _complete(*, handoff: Handoff, ticket: Ticket, actor: Any | None, reason_code: str) -> Handoff:
    team = handoff.to_team
    owner = actor if actor is not None and team.members.filter(pk=actor.pk).exists() else None
    assign_ticket(ticket=ticket, agent=owner, team=team, reason_code=reason_code, actor=actor,
                  note=handoff.note)
    handoff.state, handoff.decided_by, handoff.decided_at = (
        HandoffState.ACCEPTED, actor, timezone.now())
    handoff.save(update_fields=["state", "decided_by", "decided_at"])
    if handoff.customer_message and actor is not None:
        add_agent_message(ticket=ticket, author=actor, body=handoff.customer_message, public=True)
    return handoff


def _lock_pending(handoff: Handoff) -> Handoff:
    handoff = Handoff.objects.select_for_update().select_related("to_team").get(pk=handoff.pk)
    if handoff.state != HandoffState.PENDING:
        raise HandoffDecided(f"This transfer was already {handoff.state}.")
    return handoff


@transaction.atomic
def accept_handoff(*, handoff: Handoff, actor: Any) -> Handoff:
    """Accept a pending transfer: the team owns the ticket, the accepting member owns it too."""
    handoff = _lock_pending(handoff)
    ticket = lock_ticket(handoff.ticket)
    return _complete(handoff=handoff, ticket=ticket, actor=actor,
                     reason_code=ReasonCode.HANDOFF_ACCEPTED)


@transaction.atomic
def reject_handoff(*, handoff: Handoff, actor: Any, reason: str) -> Handoff:
    """Refuse a pending transfer with a reason; the ticket stays with its sender, told by event."""
    if not reason.strip():
        raise DomainError("Say why the transfer is rejected.")
    handoff = _lock_pending(handoff)
    handoff.state, handoff.rejection_reason = HandoffState.REJECTED, reason.strip()
    handoff.decided_by, handoff.decided_at = actor, timezone.now()
    handoff.save(update_fields=["state", "rejection_reason", "decided_by", "decided_at"])
    record_event(ticket=handoff.ticket, kind=HANDOFF_REJECTED, actor=actor,
                 after={"handoff": handoff.pk, "team": handoff.to_team_id,
                        "notify": handoff.from_agent_id}, note=handoff.rejection_reason)
    return handoff


def transfer_facts(*, ticket: Ticket) -> dict[str, Any]:
    """
    Return routing's facts about a ticket for escalation rules: how many transfers were
    completed, and whether it bounced more often than its team's limit.
    """
    transfers = Handoff.objects.filter(ticket=ticket, state=HandoffState.ACCEPTED).count()
    limit = (
        TeamProfile.objects.filter(team_id=ticket.team_id).values_list("bounce_limit", flat=True)
        .first()
    )
    return {"routing.transfers": transfers,
            "routing.bounced": transfers > (limit if limit is not None else DEFAULT_BOUNCE_LIMIT)}
