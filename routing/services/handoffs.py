"""
Transfers between teams under the receiving team's contract: required fields first, then
either straight over or pending until an agent of the team accepts or rejects.

Each event names the parties, so that notifications (escalation) can tell the right people
without reading the handoff: `requested_by`, `from_agent`, `from_team`, `to_team`, and on a
decision `decided_by`; a rejection's reason is its note.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from routing.choices import (
    HANDOFF_ACCEPTED,
    HANDOFF_REJECTED,
    HANDOFF_REQUESTED,
    HANDOFF_TRANSFERRED,
    HandoffState,
    ReasonCode,
)
from routing.models import Handoff, RoutingDecision, TeamProfile
from routing.services.followers import follow_ticket
from tickets.conditions import ticket_facts
from tickets.events import record_event
from tickets.exceptions import DomainError
from tickets.models import Team, Ticket
from tickets.services.assignment import assign_ticket
from tickets.services.lifecycle import lock_ticket
from tickets.services.messages import add_agent_message


class TransferRefused(DomainError):
    """The ticket lacks fields that the receiving team's contract requires."""

    code = "transfer_refused"
    status_code = 400

    def __init__(self, missing: list[str]) -> None:
        super().__init__("Missing required fields: " + ", ".join(missing))
        self.missing = missing


class HandoffDecided(DomainError):
    code = "handoff_decided"
    status_code = 409


class RejectionNeedsReason(DomainError):
    code = "reason_required"
    status_code = 400


class InvalidTransfer(DomainError):
    code = "invalid_transfer"
    status_code = 409


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str | list | dict) and not value)


def missing_fields(*, ticket: Ticket, profile: TeamProfile | None) -> list[str]:
    """Return the contract's required fields that the ticket lacks, in the contract's order."""
    if profile is None or not profile.required_fields:
        return []
    facts = ticket_facts(ticket)
    return [name for name in profile.required_fields if _blank(facts.get(name))]


def _parties(handoff: Handoff) -> dict[str, Any]:
    return {
        "handoff": handoff.pk,
        "from_team": handoff.from_team_id,
        "to_team": handoff.to_team_id,
        "from_agent": handoff.from_agent_id,
        "requested_by": handoff.requested_by_id,
    }


@transaction.atomic
def request_transfer(
    *, ticket: Ticket, to_team: Team, actor: Any | None, note: str = "",
    customer_message: str = "",
) -> Handoff:
    """
    Hand the ticket to another team. Raise TransferRefused listing what the contract needs;
    if the team must accept, the ticket stays with its owner until it does. The owner it is
    taken from follows the ticket from now on.
    """
    ticket = lock_ticket(ticket)
    if ticket.team_id == to_team.pk:
        raise InvalidTransfer(f"The ticket is already with {to_team.name}.")
    if Handoff.objects.filter(ticket=ticket, state=HandoffState.PENDING).exists():
        raise InvalidTransfer("A transfer of this ticket is already waiting for acceptance.")
    profile = TeamProfile.objects.filter(team=to_team).first()
    missing = missing_fields(ticket=ticket, profile=profile)
    if missing:
        raise TransferRefused(missing)
    handoff = Handoff.objects.create(
        ticket=ticket, from_team_id=ticket.team_id, to_team=to_team,
        from_agent_id=ticket.assignee_id, requested_by=actor, note=note,
        customer_message=customer_message,
    )
    if ticket.assignee is not None:
        follow_ticket(ticket=ticket, user=ticket.assignee, reason="transferred")
    if profile is not None and profile.must_accept:
        record_event(ticket=ticket, kind=HANDOFF_REQUESTED, actor=actor,
                     before={"team": ticket.team_id, "assignee": ticket.assignee_id},
                     after={**_parties(handoff), "must_accept": True}, note=note)
        return handoff
    return _complete(handoff=handoff, ticket=ticket, actor=actor, kind=HANDOFF_TRANSFERRED,
                     reason_code=ReasonCode.HANDOFF_DIRECT)


def _count_transfer(*, ticket: Ticket, team: Team, reason_code: str) -> None:
    counted = RoutingDecision.objects.filter(ticket=ticket).update(transfers=F("transfers") + 1)
    if not counted:  # a ticket that was never routed, e.g. created before routing existed
        RoutingDecision.objects.create(
            ticket=ticket, team=team, reason_code=reason_code, transfers=1,
            explanation=f"Transferred to {team.name} by hand; no routing rule was applied.",
        )


def _complete(*, handoff: Handoff, ticket: Ticket, actor: Any | None, kind: str,
              reason_code: str) -> Handoff:
    team = handoff.to_team
    owner = actor if actor is not None and team.members.filter(pk=actor.pk).exists() else None
    before = {"team": ticket.team_id, "assignee": ticket.assignee_id}
    assign_ticket(ticket=ticket, agent=owner, team=team, reason_code=reason_code, actor=actor,
                  note=handoff.note)
    handoff.state, handoff.decided_by, handoff.decided_at = (
        HandoffState.ACCEPTED, actor, timezone.now())
    handoff.save(update_fields=["state", "decided_by", "decided_at"])
    _count_transfer(ticket=ticket, team=team, reason_code=reason_code)
    record_event(ticket=ticket, kind=kind, actor=actor, before=before,
                 after={**_parties(handoff), "decided_by": getattr(actor, "pk", None),
                        "assignee": getattr(owner, "pk", None),
                        "wait_seconds": handoff.wait_seconds},
                 reason_code=reason_code, note=handoff.note)
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
    return _complete(handoff=handoff, ticket=ticket, actor=actor, kind=HANDOFF_ACCEPTED,
                     reason_code=ReasonCode.HANDOFF_ACCEPTED)


@transaction.atomic
def reject_handoff(*, handoff: Handoff, actor: Any, reason: str) -> Handoff:
    """Refuse a pending transfer with a reason; the ticket stays with its sender, told by event."""
    if not reason.strip():
        raise RejectionNeedsReason("Say why the transfer is rejected.")
    handoff = _lock_pending(handoff)
    handoff.state, handoff.rejection_reason = HandoffState.REJECTED, reason.strip()
    handoff.decided_by, handoff.decided_at = actor, timezone.now()
    handoff.save(update_fields=["state", "rejection_reason", "decided_by", "decided_at"])
    record_event(ticket=handoff.ticket, kind=HANDOFF_REJECTED, actor=actor,
                 after={**_parties(handoff), "decided_by": actor.pk,
                        "notify": handoff.from_agent_id or handoff.requested_by_id,
                        "wait_seconds": handoff.wait_seconds},
                 note=handoff.rejection_reason)
    return handoff
