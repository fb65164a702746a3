"""
Parent incidents: an agent marks an open ticket as the incident, and triage links new tickets
that read like it as its children, so one fix and one announcement reach every customer.
"""

from __future__ import annotations

from typing import Any, Final

from django.contrib.auth.models import AbstractBaseUser
from django.contrib.postgres.search import SearchQuery, SearchRank
from django.core.cache import cache
from django.db import transaction
from django.db.models import F

from tickets.choices import UNSOLVED, EventKind
from tickets.events import record_event
from tickets.models import Ticket
from tickets.services.lifecycle import lock_ticket
from triage.similar import query_text

PARENTS_KEY: Final = "triage:open-parent-incidents"
# Marking goes through mark_parent_incident, which clears the list; this bounds how long a
# flag set any other way (admin, SQL) or a parent solved meanwhile takes to be noticed.
PARENTS_TTL_SECONDS: Final = 30
MAX_PARENTS: Final = 100


def open_parent_incident_ids() -> list[int]:
    """Return the open parent incidents' ids, cached: most intakes find none and skip a query."""
    ids = cache.get(PARENTS_KEY)
    if ids is None:
        # Unordered on purpose: ordering by id let the planner walk the primary key through
        # every ticket instead of the small partial index of parent incidents.
        ids = list(Ticket.objects.filter(is_parent_incident=True, status__in=UNSOLVED)
                   .order_by().values_list("pk", flat=True)[:MAX_PARENTS])
        cache.set(PARENTS_KEY, ids, timeout=PARENTS_TTL_SECONDS)
    return ids


def forget_parent_incidents() -> None:
    cache.delete(PARENTS_KEY)


def best_parent_incident(
    *, ticket: Ticket, subject: str, body: str, min_rank: float
) -> tuple[int, float] | None:
    """Return (id, rank) of the open parent incident the text reads most like, if close enough."""
    parents = open_parent_incident_ids()
    text = query_text(subject, body) if parents else ""
    if not text:
        return None
    query = SearchQuery(text, search_type="websearch", config="english")
    match = (
        Ticket.objects.filter(pk__in=parents, is_parent_incident=True, status__in=UNSOLVED)
        .exclude(pk=ticket.pk)
        .annotate(rank=SearchRank(F("search_vector"), query))
        .filter(rank__gte=min_rank)
        .order_by("-rank", "-pk")
        .values_list("pk", "rank")
        .first()
    )
    return None if match is None else (match[0], round(float(match[1]), 4))


def record_incident_link(*, ticket: Ticket, score: float | None, actor: Any = None) -> None:
    """Write the timeline entry of a ticket joining its parent incident."""
    record_event(
        ticket=ticket, kind=EventKind.INCIDENT_LINKED, actor=actor,
        after={"parent_incident": ticket.parent_incident_id, "score": score},
        note="Reads like an open parent incident." if actor is None else "",
    )


@transaction.atomic
def mark_parent_incident(
    *, ticket: Ticket, is_parent: bool, actor: AbstractBaseUser, reason: str = ""
) -> Ticket:
    """Mark (or unmark) the ticket as a parent incident that new matching tickets join."""
    ticket = lock_ticket(ticket)
    if ticket.is_parent_incident == is_parent:
        return ticket
    ticket.is_parent_incident = is_parent
    ticket.save(update_fields=["is_parent_incident", "updated_at"])
    # Now for this transaction's own intakes, and after commit for everyone's.
    forget_parent_incidents()
    transaction.on_commit(forget_parent_incidents)
    record_event(ticket=ticket, kind=EventKind.FIELDS_CHANGED, actor=actor,
                 before={"is_parent_incident": not is_parent},
                 after={"is_parent_incident": is_parent}, note=reason)
    return ticket


def incident_summary(*, ticket: Ticket) -> dict[str, Any]:
    """Return the ticket's parent (id, reference, subject, status) and its children count."""
    parent = None
    if ticket.parent_incident_id is not None:
        parent = (
            Ticket.objects.filter(pk=ticket.parent_incident_id)
            .only("pk", "subject", "status").first()
        )
    # Counted for parent incidents only: every other ticket page costs no query here.
    children = (Ticket.objects.filter(parent_incident=ticket).count()
                if ticket.is_parent_incident else 0)
    return {"parent": parent, "children": children}
