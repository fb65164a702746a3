"""The metrics rows are listed, filtered and searched in the admin, and never edited there."""

import pytest
from django.test import Client

from tests.tickets.factories import AdminFactory


@pytest.mark.django_db
def test_admin_lists_and_searches_metrics_rows_read_only(desk):
    client = Client()
    client.force_login(AdminFactory(username="root"))
    t3 = desk.tickets["T3"]
    # when
    listing = client.get("/admin/reporting/ticketmetrics/", {"priority__exact": "P3"})
    found = client.get("/admin/reporting/ticketmetrics/", {"q": str(t3.pk)})
    adding = client.get("/admin/reporting/ticketmetrics/add/")
    # then
    assert listing.status_code == 200
    assert listing.context["cl"].result_count == 2  # T3, T4
    assert [row.ticket_id for row in found.context["cl"].result_list] == [t3.pk]
    assert adding.status_code == 403
