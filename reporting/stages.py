"""Intake pipeline stage (settings.HELPDESK_INTAKE_PIPELINE), listed last."""

from __future__ import annotations

from django.db.models import OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from reporting.models import TicketMetrics
from tickets.models import Ticket
from tickets.pipeline import IntakeContext
from triage.models import TriageDecision


def record_triage_outcome(ticket: Ticket, ctx: IntakeContext) -> None:
    """
    Copy what triage decided and the fields the earlier stages set (category, priority, SLA
    due time) into the metrics row that the CREATED event wrote before the pipeline ran:
    one UPDATE, the decision read by subquery.
    """
    decision = TriageDecision.objects.filter(current_for=OuterRef("ticket_id"))
    TicketMetrics.objects.filter(ticket_id=ticket.pk).update(
        category=ticket.category_id or "",
        priority=ticket.priority,
        sla_due_at=ticket.sla_due_at,
        triage_category=Coalesce(Subquery(decision.values("category")[:1]), Value("")),
        triage_source=Coalesce(Subquery(decision.values("source")[:1]), Value("")),
        triage_review=Coalesce(Subquery(decision.values("needs_review")[:1]), Value(False)),
    )
