"""
Manager summaries: the daily digest and the escalation-rate alert.

Every figure comes from a fixed number of set-based queries over indexed columns
(TicketEvent kind + created_at; Ticket status), whatever the number of tickets.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Count, Func, IntegerField, Q, QuerySet, Subquery
from django.template.loader import render_to_string
from django.urls import reverse

from escalation.notifications.choices import NotificationKind
from escalation.notifications.services.notify import notify, ticket_url
from tickets.choices import UNSOLVED, EventKind, Priority, Role
from tickets.models import Ticket, TicketEvent

DIGEST_WINDOW = timedelta(hours=24)
DIGEST_SECTION_LIMIT = 20  # rows listed per section; the count covers them all
BOUNCED_AFTER = 3  # reassignments
ANOMALY_FACTOR = 2
# Below this many escalations in a window, a rate is noise: one escalation after a quiet week
# is not an anomaly, however small the baseline.
ANOMALY_MIN_COUNT = 3
BASELINE_DAYS = 7


@dataclass(frozen=True)
class Section:
    title: str
    total: int
    lines: list[str]


def managers() -> QuerySet:
    return get_user_model().objects.filter(groups__name=Role.MANAGER, is_active=True).distinct()


def _line(ticket: Ticket, note: str) -> str:
    customer = ticket.organization.name if ticket.organization else ticket.requester.email
    return f"{ticket.reference} [{ticket.priority}] {ticket.subject} ({customer}), {note}: " \
        f"{ticket_url(ticket)}"


def _counted(queryset: QuerySet) -> QuerySet:
    """
    Put the section's total on every row from an uncorrelated subquery: Postgres runs it
    once, from the section's partial index alone, while the listed rows are only the first
    DIGEST_SECTION_LIMIT. A window count would read and join every matching row instead.
    """
    total = queryset.order_by().values(n=Func(template="COUNT(*)", output_field=IntegerField()))
    return queryset.annotate(total=Subquery(total))


def _section(title: str, queryset: QuerySet, note: Callable[[object], str]) -> Section:
    rows = list(_counted(queryset)[:DIGEST_SECTION_LIMIT])
    lines = [_line(getattr(row, "ticket", row), note(row)) for row in rows]
    return Section(title, rows[0].total if rows else 0, lines)


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%d %b %H:%M UTC")


def digest_sections(*, now: datetime) -> list[Section]:
    """Return the digest's three sections; three queries, whatever the number of tickets."""
    escalations = (
        TicketEvent.objects.filter(
            kind=EventKind.ESCALATED, created_at__gte=now - DIGEST_WINDOW, created_at__lt=now,
            ticket__priority__in=[Priority.P1, Priority.P2],
        )
        .select_related("ticket__organization", "ticket__requester")
        .order_by("-created_at", "-pk")
    )
    overdue = (
        Ticket.objects.filter(status__in=UNSOLVED, escalated_at__isnull=False,
                              sla_due_at__lt=now)
        .select_related("organization", "requester")
        .order_by("sla_due_at", "pk")
    )
    bounced = (
        Ticket.objects.filter(status__in=UNSOLVED, reassignments__gte=BOUNCED_AFTER)
        .select_related("organization", "requester")
        .order_by("-reassignments", "pk")
    )
    return [
        _section("P1/P2 escalations in the last 24 hours", escalations,
                 lambda event: f"escalated {_utc(event.created_at)}"),
        _section("Escalated tickets past their expected resolution", overdue,
                 lambda ticket: f"was due {_utc(ticket.sla_due_at)}"),
        _section(f"Open tickets reassigned {BOUNCED_AFTER} times or more", bounced,
                 lambda ticket: f"reassigned {ticket.reassignments} times"),
    ]


def send_manager_digest(*, now: datetime) -> None:
    """Send managers the day's digest, once per UTC day, whichever worker runs it."""
    sections = digest_sections(now=now)
    subject = "Escalation digest for {}: {} escalations, {} overdue, {} bounced".format(
        now.date().isoformat(), *(section.total for section in sections)
    )
    body = render_to_string("notifications/email/digest.txt", {
        "sections": sections, "now": now, "site_url": settings.SITE_URL.rstrip("/"),
    })
    notify(recipients=managers(), subject=subject, body=body, kind=NotificationKind.DIGEST,
           dedupe_key=f"digest:{now.date().isoformat()}")


@dataclass(frozen=True)
class Rate:
    window: str  # "hour" or "day"
    count: int
    baseline: float

    @property
    def anomalous(self) -> bool:
        return self.count >= ANOMALY_MIN_COUNT and self.count > ANOMALY_FACTOR * self.baseline


def escalation_rates(*, now: datetime) -> list[Rate]:
    """
    Return the escalation counts of the last hour and the last day with their baselines.

    Escalations are TicketEvent rows of kind "escalated". The hour's baseline is the mean
    hourly count over the BASELINE_DAYS * 24 hours before the last hour, [now - 1 h - 7 d,
    now - 1 h); the day's baseline is the mean daily count over the BASELINE_DAYS days before
    the last day, [now - 8 d, now - 1 d). The window itself is never in its own baseline.
    One query over the event_kind_time index.
    """
    hour, day = timedelta(hours=1), timedelta(days=1)
    span = timedelta(days=BASELINE_DAYS)
    counts = TicketEvent.objects.filter(
        kind=EventKind.ESCALATED, created_at__gte=now - day - span, created_at__lt=now
    ).aggregate(
        last_hour=Count("pk", filter=Q(created_at__gte=now - hour)),
        hour_base=Count("pk", filter=Q(created_at__gte=now - hour - span,
                                       created_at__lt=now - hour)),
        last_day=Count("pk", filter=Q(created_at__gte=now - day)),
        day_base=Count("pk", filter=Q(created_at__lt=now - day)),
    )
    return [
        Rate("hour", counts["last_hour"], counts["hour_base"] / (BASELINE_DAYS * 24)),
        Rate("day", counts["last_day"], counts["day_base"] / BASELINE_DAYS),
    ]


def _window_key(rate: Rate, now: datetime) -> str:
    # One alert per clock hour (or UTC day), however often the check runs inside it.
    stamp = f"{now:%Y-%m-%dT%H}" if rate.window == "hour" else f"{now:%Y-%m-%d}"
    return f"anomaly:{rate.window}:{stamp}"


def check_escalation_rate(*, now: datetime) -> list[Rate]:
    """Alert managers when a window's escalation rate is over twice its baseline."""
    fired = [rate for rate in escalation_rates(now=now) if rate.anomalous]
    link = settings.SITE_URL.rstrip("/") + reverse("notifications:list")
    for rate in fired:
        notify(
            recipients=managers(),
            subject=f"Escalation rate alert: {rate.count} escalations in the last {rate.window}",
            body=(
                f"ESCALATION RATE: {rate.count} escalations in the last {rate.window}, over "
                f"{ANOMALY_FACTOR}x the usual {rate.baseline:.1f} per {rate.window} (mean of "
                f"the previous {BASELINE_DAYS} days). View: {link}"
            ),
            kind=NotificationKind.ANOMALY,
            dedupe_key=_window_key(rate, now),
        )
    return fired
