"""The set-based backfill rebuilds exactly the rows the event handlers keep."""

import pytest
from django.core.management import call_command

from reporting.backfill import backfill_all
from reporting.models import TicketMetrics

# Only the live handlers know these: calendars and in-flight waits.
LIVE_ONLY = {"updated_at", "first_response_business_seconds", "resolution_business_seconds",
             "awaiting_reply_since", "handoff_requested_at"}


def snapshot():
    fields = [f.attname for f in TicketMetrics._meta.concrete_fields if f.attname not in LIVE_ONLY]
    return {row["ticket_id"]: row for row in TicketMetrics.objects.values(*fields)}


@pytest.mark.django_db
def test_backfill_rebuilds_what_the_handlers_recorded(desk):
    # given: the rows the handlers kept
    kept = snapshot()
    TicketMetrics.objects.all().delete()
    # when
    written = backfill_all(batch=2)
    # then
    assert written == 5
    rebuilt = snapshot()
    for ticket_id, row in kept.items():
        row["owner_ids"], rebuilt[ticket_id]["owner_ids"] = (
            sorted(row["owner_ids"]), sorted(rebuilt[ticket_id]["owner_ids"]))
        assert rebuilt[ticket_id] == row


@pytest.mark.django_db
def test_backfill_refreshes_existing_rows_and_keeps_business_times(desk):
    t1 = desk.tickets["T1"]
    TicketMetrics.objects.filter(ticket=t1).update(
        agent_replies=99, first_response_business_seconds=1200)
    # when
    call_command("backfill_ticket_metrics", "--batch", "3")
    # then
    row = TicketMetrics.objects.get(ticket=t1)
    assert (row.agent_replies, row.first_response_business_seconds) == (2, 1200)
