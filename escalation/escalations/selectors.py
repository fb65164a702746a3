"""Reads of escalations: the dashboard's rows and counts, and a ticket's escalations."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Count, QuerySet

from escalation.escalations.models import Escalation
from tickets.models import Ticket
from tickets.selectors import visible_tickets

DASHBOARD_ROWS = 200
# Labels are judged while the escalation is fresh in mind; older ones stay labellable in admin.
ENDED_DAYS = 14
ENDED_ROWS = 50


def open_escalations(*, user: AbstractBaseUser) -> QuerySet[Escalation]:
    """
    Open escalations of the tickets the user may see, most urgent first (priority, then the
    nearest SLA due time), with every column joined: the query count does not grow with rows.
    """
    return (
        _listed(user).filter(de_escalated_at__isnull=True)
        .select_related("ticket__assignee", "acknowledged_by")
        .order_by("ticket__priority", "ticket__sla_due_at", "created_at")
    )


def _listed(user: AbstractBaseUser) -> QuerySet[Escalation]:
    """Escalations of the tickets the user may see, with what every list prints joined."""
    return (
        Escalation.objects.filter(ticket__in=visible_tickets(user=user))
        .select_related("ticket", "ticket__team", "policy", "label__labelled_by")
        .defer("ticket__search_vector", "ticket__description")
    )


def recently_ended_escalations(*, user: AbstractBaseUser,
                               now: datetime) -> QuerySet[Escalation]:
    """
    Escalations of the tickets the user may see that ended in the last ENDED_DAYS days, the
    latest first, with every column joined (labels included), so leads can judge them.
    """
    return (
        _listed(user).filter(de_escalated_at__gte=now - timedelta(days=ENDED_DAYS))
        .select_related("de_escalated_by")
        .order_by("-de_escalated_at", "-pk")
    )


def counts_by_priority(*, user: AbstractBaseUser) -> dict[str, int]:
    rows = (open_escalations(user=user).order_by().values("ticket__priority")
            .annotate(n=Count("pk")))
    return {row["ticket__priority"]: row["n"] for row in rows}


def ticket_escalations(*, ticket: Ticket, limit: int = 10) -> list[Escalation]:
    return list(Escalation.objects.filter(ticket=ticket)
                .select_related("policy", "acknowledged_by", "de_escalated_by", "created_by")
                .order_by("-created_at", "-pk")[:limit])
