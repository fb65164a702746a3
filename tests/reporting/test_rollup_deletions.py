"""A ticket deleted after its day was rolled up leaves the rollup at the next refresh."""

from datetime import date

import pytest
from django.test import Client

from reporting.models import DailyRollup, DeletedMetrics, TicketMetrics
from reporting.rollups import refresh_recent_rollups
from tests.reporting.cells import raw_cells, rolled_cells
from tests.reporting.conftest import _ticket, at
from tests.tickets.factories import AdminFactory
from tickets.models import Ticket

pytestmark = pytest.mark.django_db
DAY_ONE = date(2026, 3, 2)


def delete(*tickets: Ticket) -> None:
    """
    Delete tickets as a shell session or a retention job does (the admin cannot: a ticket's
    events may not be deleted there), cascading to their metrics rows.
    """
    Ticket.objects.filter(pk__in=[ticket.pk for ticket in tickets]).delete()
    assert not TicketMetrics.objects.filter(ticket__in=[ticket.pk for ticket in tickets]).exists()


def test_a_deleted_ticket_leaves_its_days_cells_at_the_next_refresh(desk):
    # given day one rolled up with its five tickets
    with at(1560):
        refresh_recent_rollups()
    assert sum(cell.tickets for cell in DailyRollup.objects.filter(day=DAY_ONE)) == 5
    # when T4 is deleted (day one, alone in its chat cell) a day later
    with at(1560 + 24 * 60):
        delete(desk.tickets["T4"])
        # the deletion is noted for the refresh, and the stale cell is still there
        assert list(DeletedMetrics.objects.values_list("ticket_id", flat=True)) == [
            desk.tickets["T4"].pk]
        assert DailyRollup.objects.filter(day=DAY_ONE, channel="chat").exists()
        # and the beat task's refresh runs
        refresh_recent_rollups()
    # then day one's cells equal the raw rows again: four tickets, no chat cell
    assert rolled_cells(DAY_ONE) == raw_cells(DAY_ONE)
    assert sum(cell.tickets for cell in DailyRollup.objects.filter(day=DAY_ONE)) == 4
    assert not DailyRollup.objects.filter(day=DAY_ONE, channel="chat").exists()
    assert not DeletedMetrics.objects.exists()


def test_a_deletion_recomputes_only_the_deleted_tickets_day(desk):
    # given day one rolled up, and a second run with nothing to do
    with at(1560):
        refresh_recent_rollups()
    with at(1570):
        assert refresh_recent_rollups() == {"cells": 0, "ranges": 0}
    # when T1 and T3 (both of day one) are deleted in one statement
    with at(1580):
        delete(desk.tickets["T1"], desk.tickets["T3"])
        result = refresh_recent_rollups()
        again = refresh_recent_rollups()
    # then one range (day one) is recomputed, once, and it matches the raw rows
    assert result["ranges"] == 1
    assert again == {"cells": 0, "ranges": 0}
    assert rolled_cells(DAY_ONE) == raw_cells(DAY_ONE)
    assert sum(cell.tickets for cell in DailyRollup.objects.filter(day=DAY_ONE)) == 3


def test_deleting_a_ticket_of_a_day_not_yet_rolled_up_changes_nothing_rolled_up(desk):
    # given day one rolled up at 11:00 on day two
    with at(1560):
        refresh_recent_rollups()
        before = rolled_cells(DAY_ONE)
    # when a ticket of today (day two) is deleted, then the refresh runs
    today = _ticket(1500, priority="P4", channel="chat")
    with at(1570):
        delete(today)
        result = refresh_recent_rollups()
    # then day one is untouched (today is read from the raw rows, never rolled up)
    assert result == {"cells": 0, "ranges": 0}
    assert rolled_cells(DAY_ONE) == before
    assert not DeletedMetrics.objects.exists()


def test_admins_see_the_deletions_the_refresh_has_yet_to_take_in(desk):
    # given a deleted ticket, not yet taken in by a refresh
    t4 = desk.tickets["T4"]
    delete(t4)
    client = Client()
    client.force_login(AdminFactory(username="root"))
    # when an admin lists, searches and tries to add one
    listing = client.get("/admin/reporting/deletedmetrics/")
    found = client.get("/admin/reporting/deletedmetrics/", {"q": str(t4.pk)})
    adding = client.get("/admin/reporting/deletedmetrics/add/")
    # then it is listed and found, read-only
    assert listing.status_code == 200
    assert [row.ticket_id for row in found.context["cl"].result_list] == [t4.pk]
    assert adding.status_code == 403
