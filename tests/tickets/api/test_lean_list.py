"""The list loads only the columns its JSON shows, and shows exactly what the detail shows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.tickets.factories import (
    AgentFactory,
    OrganizationFactory,
    TeamFactory,
    TicketFactory,
)

pytestmark = pytest.mark.django_db


def test_list_rows_equal_the_detail_of_each_ticket(manager_client):
    # given: tickets with every related object and optional field filled, and one bare
    agent = AgentFactory(first_name="Mike", last_name="Chen")
    full = TicketFactory(
        organization=OrganizationFactory(), team=TeamFactory(), assignee=agent,
        category_id="billing", tags=["vip"], impact=["billing"], custom_fields={"order": "A-1"},
        first_response_at=timezone.now(), solved_at=timezone.now(),
    )
    bare = TicketFactory(organization=None)
    # when
    listed = {row["id"]: row for row in manager_client.get("/api/v1/tickets/").json()["results"]}
    # then: the lean rows read as the full row reads in the detail call
    for ticket in (full, bare):
        assert listed[ticket.pk] == manager_client.get(f"/api/v1/tickets/{ticket.pk}/").json()
    assert listed[full.pk]["url"] == f"http://testserver/api/v1/tickets/{full.pk}/"


def test_list_query_reads_no_column_the_json_does_not_show(manager_client):
    TicketFactory()
    with CaptureQueriesContext(connection) as captured:
        manager_client.get("/api/v1/tickets/")
    ticket_sql = next(q["sql"] for q in captured.captured_queries
                      if q["sql"].startswith('SELECT "tickets_ticket"."id"'))
    for unused in ("search_vector", "escalated_at", "reassignments", "status_changed_at",
                   "created_by_key_id", "tickets_contact\".\"phone"):
        assert unused not in ticket_sql


@pytest.mark.parametrize("ordering", ["-created_at", "sla_due_at", "-updated_at", "priority"])
def test_next_pages_cost_what_the_first_page_costs(manager_client, ordering):
    # given: more tickets than a page, in each ordering the API offers
    TicketFactory.create_batch(7, sla_due_at=timezone.now())
    first = f"/api/v1/tickets/?page_size=3&ordering={ordering}"
    manager_client.get(first)  # force_authenticate keeps one user: its permissions load once
    with CaptureQueriesContext(connection) as on_first:
        page = manager_client.get(first).json()
    # when: following the cursor
    seen = [row["id"] for row in page["results"]]
    while page["next"]:
        with CaptureQueriesContext(connection) as on_next:
            page = manager_client.get(page["next"]).json()
        seen += [row["id"] for row in page["results"]]
        # then: the cursor's position comes from a loaded column, never a query of its own
        assert len(on_next.captured_queries) == len(on_first.captured_queries)
    assert len(seen) == len(set(seen)) == 7


def test_unknown_parameters_change_nothing_and_filters_still_apply(manager_client):
    # given: tickets in two statuses
    open_ticket = TicketFactory(status="open")
    pending = TicketFactory(status="pending")
    everything = {open_ticket.pk, pending.pk}

    def ids(query: str) -> set[int]:
        response = manager_client.get(f"/api/v1/tickets/{query}")
        assert response.status_code == 200
        return {row["id"] for row in response.json()["results"]}

    # when / then: parameters that are no filter list everything, as before; filters filter
    assert ids("") == ids("?page_size=10") == ids("?unknown=1") == everything
    assert ids("?status=pending") == {pending.pk}
    assert ids("?status=pending&page_size=10&ordering=-created_at") == {pending.pk}
    assert manager_client.get("/api/v1/tickets/?status=bogus").status_code == 400
