"""The intake stage that starts a new ticket's SLA clocks (last in HELPDESK_INTAKE_PIPELINE)."""

from django.utils import timezone

from tickets.models import Ticket
from tickets.pipeline import IntakeContext


def start_sla(ticket: Ticket, ctx: IntakeContext) -> None:
    """Apply the first matching SLA policy, after routing, and report the clocks."""
    from escalation.services.timers import apply_sla

    sla = apply_sla(ticket=ticket, now=timezone.now())
    ctx.decisions["sla"] = sla.as_api()
