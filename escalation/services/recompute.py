"""Apply edited SLA policies and calendars to the tickets already running under them."""

from __future__ import annotations

from functools import partial
from typing import Final

from django.db import transaction
from django.utils import timezone

from escalation.services.timers import Change, locked_timers, recompute, save
from tickets.choices import UNSOLVED
from tickets.conditions.facts import FACT_RELATIONS
from tickets.models import Ticket

RECOMPUTE_CHUNK: Final = 200  # tickets per transaction: bounds how long their rows stay locked


@transaction.atomic
def recompute_chunk(*, after_id: int, size: int = RECOMPUTE_CHUNK) -> int | None:
    """
    Recompute the open tickets with clocks after `after_id`, a chunk in id order; return the
    last id when more may follow. A ticket a request is changing is waited for (briefly: a
    request holds one ticket), so none is left on the old targets.
    """
    ids = list(
        Ticket.objects.filter(pk__gt=after_id, status__in=UNSOLVED, sla_decision__isnull=False)
        .order_by("pk").values_list("pk", flat=True)[:size]
    )
    if not ids:
        return None
    tickets = (Ticket.objects.select_for_update(of=("self",)).order_by("pk")
               .select_related(*FACT_RELATIONS, "sla_decision")
               .filter(pk__in=ids, status__in=UNSOLVED).defer("search_vector"))
    now = timezone.now()
    for ticket in tickets:
        change = Change(ticket=ticket, now=now, timers=locked_timers(ticket))
        if recompute(change, reason="SLA policy or calendar edited", force=True):
            save(change)
    return ids[-1] if len(ids) == size else None


def recompute_open_tickets_on_commit() -> None:
    """Enqueue the recompute once the admin's edit commits."""
    from escalation.tasks import recompute_open_tickets as recompute_open_tickets_task

    transaction.on_commit(partial(recompute_open_tickets_task.delay, 0))
