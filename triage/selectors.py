"""Reads for triage: settings, the active classifier, training data, the review queue."""

from __future__ import annotations

from datetime import datetime

from django.db.models import QuerySet

from tickets.choices import TicketStatus
from tickets.models import Ticket
from triage.models import (
    AccountEnrichmentHook,
    ClassifierModel,
    MessageSentiment,
    TriageOverride,
    TriageSettings,
)


def triage_settings() -> TriageSettings:
    """Return the settings row, or the defaults (unsaved) until an admin saves one."""
    # Never created here: saving would bump the rulebook version while it is being loaded.
    return TriageSettings.objects.order_by("pk").first() or TriageSettings()


def enabled_enrichment_hook() -> AccountEnrichmentHook | None:
    return AccountEnrichmentHook.objects.filter(enabled=True).order_by("pk").first()


def active_classifier() -> ClassifierModel | None:
    return ClassifierModel.objects.filter(active=True).order_by("-trained_at").first()


def review_queue() -> QuerySet[Ticket]:
    """Return unsolved tickets whose current triage asks for a human, oldest first."""
    return (
        Ticket.objects.filter(triage_decision__needs_review=True, category__isnull=True)
        .exclude(status__in=[TicketStatus.SOLVED, TicketStatus.CLOSED])
        .select_related("requester", "organization", "triage_decision")
        .defer("search_vector")
        .order_by("created_at", "pk")
    )


def sentiment_scores(*, ticket: Ticket) -> list[float]:
    """Return the ticket's customer-message sentiment scores, oldest first."""
    return list(
        MessageSentiment.objects.filter(ticket=ticket)
        .order_by("created_at", "pk")
        .values_list("score", flat=True)
    )


def confirmed_examples(*, limit: int = 20_000) -> list[tuple[str, str]]:
    """
    Return (text, category) of tickets whose category an agent set: corrected through an
    override, or kept on a ticket an agent solved.
    """
    corrected = set(
        TriageOverride.objects.filter(field="category").exclude(after="")
        .values_list("ticket_id", flat=True)
    )
    solved = Ticket.objects.filter(
        status__in=[TicketStatus.SOLVED, TicketStatus.CLOSED], category__isnull=False,
        first_response_at__isnull=False,
    ).values_list("pk", flat=True)[:limit]
    ids = list(corrected | set(solved))[:limit]
    rows = Ticket.objects.filter(pk__in=ids, category__isnull=False).values_list(
        "subject", "description", "category"
    )
    return [(f"{subject}\n{description}", category) for subject, description, category in rows]


def stale_awaiting_info(*, before: datetime, limit: int) -> list[int]:
    """Return ids of tickets waiting for information since before `before`."""
    return list(
        Ticket.objects.filter(
            status=TicketStatus.AWAITING_INFO, status_changed_at__lt=before
        ).order_by("status_changed_at").values_list("pk", flat=True)[:limit]
    )
