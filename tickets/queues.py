"""
The agent queues: named slices of visible_tickets, sorted by SLA risk.

Downstream apps are never imported here: the Manual review queue filters on the
`triage_decision` one-to-one only when triage has installed it on Ticket.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.contrib.postgres.search import SearchQuery, SearchRank
from django.core.exceptions import EmptyResultSet, FieldDoesNotExist
from django.db import connection
from django.db.models import F, Q, QuerySet

from tickets.choices import UNSOLVED, Role, TicketStatus
from tickets.models import KnowledgeArticle, Ticket
from tickets.selectors import team_ids_of, ticket_list, visible_tickets

BREACHING_WINDOW = timedelta(hours=1)
# The navigation counts a queue exactly up to this many tickets, then shows "99+": past a
# hundred the agent needs the order, not the number, and each count stays a short index read.
COUNT_CAP = 99
# Similar tickets are ranked among this many newest matching open tickets (see below).
SIMILAR_CANDIDATES = 300
QueueFilter = Callable[[AbstractBaseUser, datetime], Q]


def _has_relation(name: str) -> bool:
    try:
        Ticket._meta.get_field(name)
    except FieldDoesNotExist:
        return False
    return True


def _team_ids(user: AbstractBaseUser) -> list[int]:
    return team_ids_of(user)


def _manual_review(user: AbstractBaseUser, now: datetime) -> Q:
    if not _has_relation("triage_decision"):
        return Q(pk__in=[])
    return Q(triage_decision__needs_review=True)


@dataclass(frozen=True)
class Queue:
    """A named queue; `leads_only` queues appear for team leads and managers."""

    slug: str
    label: str
    condition: QueueFilter
    leads_only: bool = False


QUEUES: tuple[Queue, ...] = (
    Queue("mine", "My open tickets", lambda user, now: Q(assignee=user)),
    Queue(
        "team-unassigned", "My team's unassigned",
        lambda user, now: Q(assignee__isnull=True, team__in=_team_ids(user)),
    ),
    Queue("all-open", "All open", lambda user, now: Q(), leads_only=True),
    Queue("awaiting-info", "Awaiting info",
          lambda user, now: Q(status=TicketStatus.AWAITING_INFO)),
    Queue("pending", "Pending / On hold",
          lambda user, now: Q(status__in=[TicketStatus.PENDING, TicketStatus.ON_HOLD])),
    Queue("manual-review", "Manual review", _manual_review),
    Queue("escalated", "Escalated", lambda user, now: Q(escalated_at__isnull=False)),
    Queue("breaching", "Breaching soon",
          lambda user, now: Q(sla_due_at__lte=now + BREACHING_WINDOW)),
)
QUEUES_BY_SLUG = {queue.slug: queue for queue in QUEUES}


def is_lead_or_manager(user: AbstractBaseUser) -> bool:
    """Return whether the user may see the All open queue."""
    if user.has_perm("tickets.view_all_tickets"):  # type: ignore[attr-defined]
        return True
    if not hasattr(user, "_workspace_is_lead"):
        user._workspace_is_lead = (  # type: ignore[attr-defined]
            user.groups.filter(name=Role.TEAM_LEAD.value).exists()  # type: ignore[attr-defined]
            or bool(user.led_teams.exists())  # type: ignore[attr-defined]
        )
    return bool(user._workspace_is_lead)  # type: ignore[attr-defined]


def queues_for(user: AbstractBaseUser) -> list[Queue]:
    """Return the queues the user's navigation shows."""
    lead = is_lead_or_manager(user)
    return [queue for queue in QUEUES if lead or not queue.leads_only]


def open_tickets(*, user: AbstractBaseUser) -> QuerySet[Ticket]:
    return visible_tickets(user=user).filter(status__in=UNSOLVED)


def queue_tickets(*, user: AbstractBaseUser, queue: Queue, now: datetime) -> QuerySet[Ticket]:
    """Return the queue's tickets with every list column joined, most urgent first."""
    tickets = open_tickets(user=user).filter(queue.condition(user, now))
    # The queue's partial indexes (ticket_open_due, ticket_unassigned_due) hold this order.
    return ticket_list(tickets=tickets).select_related("category").order_by(
        F("sla_due_at").asc(nulls_last=True), "priority", "pk"
    )


@dataclass(frozen=True)
class QueueCount:
    """A queue's size as the navigation shows it: exact up to COUNT_CAP, then "99+"."""

    value: int
    capped: bool = False

    def __str__(self) -> str:
        return f"{self.value}+" if self.capped else str(self.value)


def queue_counts(
    *, user: AbstractBaseUser, queues: list[Queue], now: datetime
) -> dict[str, QueueCount]:
    """
    Count every queue in one statement, each count stopping at COUNT_CAP + 1 rows.

    A manager's All open holds ~130,000 tickets: an exact count would read them all on every
    page. Each count is a LIMIT subquery over the queue's own filter, read off the queue's
    index, so it stops after COUNT_CAP + 1 matching rows; and it is always current (no cache
    to invalidate, and an agent's counts cover only the tickets visible_tickets lets them see).
    """
    selects: list[str] = []
    params: list[Any] = []
    visible = open_tickets(user=user).values("pk")
    for queue in queues:
        capped = visible.filter(queue.condition(user, now))
        try:
            sql, sql_params = capped[:COUNT_CAP + 1].query.sql_with_params()
        except EmptyResultSet:  # e.g. team-unassigned for a manager in no team
            selects.append("0")
            continue
        selects.append(f"(SELECT count(*) FROM ({sql}) AS capped)")
        params.extend(sql_params)
    if not selects:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(selects)}", params)
        row = cursor.fetchone()
    return {
        queue.slug: QueueCount(min(count, COUNT_CAP), capped=count > COUNT_CAP)
        for queue, count in zip(queues, row, strict=True)
    }


def _search_words(text: str, limit: int = 12) -> list[str]:
    # Only plain words reach the raw tsquery, so user text can never break its syntax.
    seen: dict[str, None] = {}
    for raw in text.lower().split():
        word = "".join(ch for ch in raw if ch.isalnum())
        if len(word) >= 4 and word.isascii():
            seen.setdefault(word, None)
    return list(seen)[:limit]


def similarity_query(text: str) -> SearchQuery | None:
    """Return an OR query over the text's distinctive words, or None when it has none."""
    words = _search_words(text)
    if not words:
        return None
    return SearchQuery(" | ".join(words), search_type="raw", config="english")


def suggested_articles(*, ticket: Ticket, limit: int = 3) -> list[KnowledgeArticle]:
    """Return the published articles most similar to the ticket's subject and description."""
    query = similarity_query(f"{ticket.subject} {ticket.subject} {ticket.description[:2000]}")
    if query is None:
        return []
    return list(
        KnowledgeArticle.objects.filter(published=True, search_vector=query)
        .annotate(rank=SearchRank(F("search_vector"), query))
        .defer("search_vector")
        .order_by("-rank", "pk")[:limit]
    )


def similar_open_tickets(
    *, user: AbstractBaseUser, ticket: Ticket, limit: int = 5
) -> list[Ticket]:
    """Return other open tickets the user may see that read like this one, newest matches."""
    query = similarity_query(ticket.subject)
    if query is None:
        return []
    # Common words match tens of thousands of open tickets, and ranking them all reads every
    # one (~1 s at 1M tickets). Candidates are the newest matches instead, read backwards
    # off the open-tickets id index (ticket_open_recent) until enough are found.
    candidates = (
        open_tickets(user=user).filter(search_vector=query).exclude(pk=ticket.pk)
        .order_by("-pk").values("pk")[:SIMILAR_CANDIDATES]
    )
    return list(
        Ticket.objects.filter(pk__in=candidates)
        .annotate(rank=SearchRank(F("search_vector"), query))
        .only("pk", "subject", "status", "priority")
        .order_by("-rank", "-pk")[:limit]
    )


def recent_tickets(*, user: AbstractBaseUser, ticket: Ticket, limit: int = 5) -> dict[str, Any]:
    """Return the requester's and the organisation's latest other tickets, two queries."""
    visible = visible_tickets(user=user).exclude(pk=ticket.pk).only(
        "pk", "subject", "status", "created_at"
    )
    by_requester = list(visible.filter(requester_id=ticket.requester_id)
                        .order_by("-created_at")[:limit])
    by_org = (
        list(visible.filter(organization_id=ticket.organization_id)
             .order_by("-created_at")[:limit])
        if ticket.organization_id else []
    )
    return {"requester": by_requester, "organization": by_org}
