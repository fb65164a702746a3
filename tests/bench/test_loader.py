"""The bench loader writes rows the real schema and the ORM accept."""

import pytest
from django.db import connection
from psycopg2.extensions import make_dsn

from bench.loader import load
from tickets.models import Message, Ticket, TicketEvent


def _url() -> str:
    # The loader hands this to psycopg2.connect, which takes a DSN as well as a URL.
    params = connection.get_connection_params()
    return make_dsn(**{key: value for key, value in params.items() if key != "cursor_factory"})


@pytest.mark.django_db(transaction=True)
def test_load_tops_up_to_the_requested_count_with_consistent_rows():
    # given an empty database
    # when
    first = load(_url(), 120, processes=1, log=lambda *args: None)
    again = load(_url(), 150, processes=1, log=lambda *args: None)
    # then only what was missing is loaded, and every ticket has its story
    assert (first.loaded, again.loaded, Ticket.objects.count()) == (120, 30, 150)
    assert Message.objects.count() >= 150
    assert TicketEvent.objects.count() >= 300
    assert not Ticket.objects.filter(status="closed", closed_at__isnull=True).exists()
    assert not Ticket.objects.exclude(category=None).filter(category__slug=None).exists()
    assert Ticket.objects.filter(search_vector="charged").exists() or Ticket.objects.filter(
        search_vector="question").exists()
    # and the sequences moved past the explicit ids
    ticket = Ticket.objects.order_by("-pk").first()
    assert Ticket.objects.create(subject="s", description="d", requester=ticket.requester).pk > (
        ticket.pk)
