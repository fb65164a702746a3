"""
"Where would this ticket go?": the routing decision for a stored or a hand-written ticket,
with every rule tried and every agent considered. Reads only: no lock, no write, no counter.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from routing.explanation import explain_plan, reason_code
from routing.planning import plan_routing
from tickets.models import Contact, Organization, Ticket

DRAFT_TICKET_FIELDS = (
    "subject", "description", "priority", "severity", "channel", "language", "product_area",
    "impact", "tags", "custom_fields",
)


def draft_ticket(*, fields: dict[str, Any], requester_email: str,
                 organization: dict[str, Any] | None) -> Ticket:
    """Return an unsaved ticket built from hand-written fields, for a preview only."""
    ticket = Ticket(**{name: fields[name] for name in DRAFT_TICKET_FIELDS if name in fields})
    ticket.category_id = fields.get("category") or None
    ticket.requester = Contact(email=requester_email)
    ticket.organization = Organization(**organization) if organization else None
    return ticket


def _person(user: Any) -> dict[str, Any] | None:
    if user is None:
        return None
    return {"id": user.pk, "name": user.get_full_name() or user.get_username()}


def preview_routing(*, ticket: Ticket) -> dict[str, Any]:
    """Return where routing would send the ticket now, and why, changing nothing."""
    plan = plan_routing(ticket=ticket, now=timezone.now(), trace=True)
    chosen = plan.ordered[0] if plan.ordered else None
    assignee = ({"id": chosen.user_id, "name": chosen.name} if chosen is not None
                else _person(plan.on_call))
    return {
        "ticket": ticket.pk,
        "rule": {"id": plan.rule.id, "name": plan.rule.name} if plan.rule else None,
        "team": {"id": plan.team.id, "name": plan.team.name} if plan.team else None,
        "assignee": assignee,
        "strategy": plan.strategy,
        "fallback": plan.fallback,
        "fallback_used": bool(plan.fallback),
        "reason_code": reason_code(plan),
        "explanation": explain_plan(plan, chosen),
        "queued_until": plan.queued_until,
        "rules": [
            {"id": t.id, "name": t.name, "matched": t.matched, "reasons": list(t.reasons)}
            for t in plan.trace
        ],
        "candidates": [candidate.as_dict() for candidate in plan.candidates],
    }
