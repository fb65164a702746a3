"""One sweep runs the same number of queries whatever the batch holds."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from followup.services.sweep import sweep_due_steps
from tests.followup.conftest import make_ticket
from tests.tickets.factories import ContactFactory
from tickets.choices import TicketStatus
from tickets.models import Ticket
from tickets.services.lifecycle import change_status

pytestmark = pytest.mark.django_db


def _due_mix(owner, count: int) -> None:
    """`count` pending tickets: some moved on silently, some of one capped contact."""
    capped = ContactFactory()
    for n in range(count):
        ticket = make_ticket(assignee=owner, requester=capped if n % 3 == 0 else None)
        change_status(ticket=ticket, status=TicketStatus.PENDING, actor=owner)
        if n % 4 == 1:
            Ticket.objects.filter(pk=ticket.pk).update(status=TicketStatus.ON_HOLD)


def _queries_of_one_sweep(clock, hours: float) -> tuple[int, object]:
    clock.after(hours=hours)
    with CaptureQueriesContext(connection) as queries:
        result = sweep_due_steps()
    return len(queries), result


def test_sweep_query_count_is_constant_in_rows(clock, owner, followup_settings):
    followup_settings.daily_cap_per_contact = 1
    followup_settings.save()
    _due_mix(owner, 4)
    few, small = _queries_of_one_sweep(clock, 49)
    _due_mix(owner, 40)
    many, large = _queries_of_one_sweep(clock, 49 + 49)

    assert small.claimed
    assert small.cancelled
    assert small.skipped
    assert len(large.claimed) > len(small.claimed)
    assert large.cancelled
    assert large.skipped
    assert many == few
