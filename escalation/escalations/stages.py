"""The intake stage that fires escalation policies, after the SLA clocks have started."""

from django.utils import timezone

from escalation.escalations.policies import escalation_policies
from escalation.escalations.services.firing import evaluate_ticket
from tickets.models import Ticket
from tickets.pipeline import IntakeContext


def evaluate_policies(ticket: Ticket, ctx: IntakeContext) -> None:
    """Fire the policies that hold for the new ticket; with none enabled, run no query."""
    if not escalation_policies.current():
        return
    # A new ticket has no signals row: its facts come from its description (facts.py).
    Ticket.escalation_signals.related.set_cached_value(ticket, None)  # type: ignore[attr-defined]
    fired = evaluate_ticket(ticket=ticket, now=timezone.now(), loaded=True)
    if fired:
        ctx.decisions["escalations"] = [
            {"id": e.pk, "policy": e.policy_id, "level": e.level, "reason": e.reason}
            for e in fired
        ]
