"""A list page's decision rows, attached by hand, read exactly as Django's prefetch reads them."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.tickets.factories import TicketFactory
from tickets.api.related_rows import attach_related_rows
from tickets.api.serializers import TicketOutput
from tickets.models import Ticket
from tickets.selectors import ticket_list

pytestmark = pytest.mark.django_db


def _create(intake_client, subject: str) -> None:
    response = intake_client.post("/api/v1/tickets/", {
        "subject": subject, "description": f"{subject}: please help.",
        "requester": {"email": "someone@customer.example"},
    }, format="json")
    assert response.status_code == 201


def test_attached_rows_answer_every_relation_without_a_query(
    intake_client, rf, settings, django_assert_num_queries
):
    # given: tickets through intake (triage, routing, an SLA row and its clocks) and one bare
    _create(intake_client, "Charged twice for March")
    _create(intake_client, "Locked out, password reset fails")
    TicketFactory()
    tickets = ticket_list(tickets=Ticket.objects.all(), api_only=True).order_by("pk")
    context = {"request": rf.get("/")}
    expected = TicketOutput(list(tickets), many=True, context=context).data
    page = list(tickets.prefetch_related(None))
    # when: one query per relation the settings name
    with django_assert_num_queries(len(settings.HELPDESK_TICKET_PREFETCH)):
        attach_related_rows(page)
    # then: the JSON needs no further query and equals the prefetched page's
    with django_assert_num_queries(0):
        shown = TicketOutput(page, many=True, context=context).data
    assert shown == expected
    assert [bool(row["sla"]) for row in shown] == [True, True, False]
    assert [row["triage"] is None for row in shown] == [False, False, True]


def test_an_empty_page_runs_no_query(django_assert_num_queries):
    with django_assert_num_queries(0):
        attach_related_rows([])


def test_each_relation_is_one_statement_planned_once_per_connection(intake_client, settings):
    # given: a ticket through intake, its page attached once (the statements are prepared)
    _create(intake_client, "Charged twice for March")
    page = list(Ticket.objects.all())
    attach_related_rows(page)
    # when the next page is attached
    next_page = list(Ticket.objects.all())
    with CaptureQueriesContext(connection) as queries:
        attach_related_rows(next_page)
    # then each relation's statement runs again as prepared, whatever the page's ids
    sent = [query["sql"] for query in queries.captured_queries]
    assert len(sent) == len(settings.HELPDESK_TICKET_PREFETCH)
    assert all(sql.startswith("EXECUTE ") and "= ANY(" in sql for sql in sent), sent
