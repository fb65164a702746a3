"""The bell and the notifications page: each person sees and changes only their own."""

import itertools
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from escalation.notifications.models import Notification
from tests.clients import signed_in
from tests.tickets.factories import AgentFactory, TicketFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("cookie_sessions")]
KEYS = itertools.count()


def tell(user, n: int = 1, *, ticket=None, read: bool = False) -> list[Notification]:
    return Notification.objects.bulk_create([
        Notification(recipient=user, kind="escalation", subject=f"P1 ESCALATION {i}",
                     body=f"<b>line {i}</b>", ticket=ticket, dedupe_key=f"k{next(KEYS)}",
                     read_at=timezone.now() if read else None)
        for i in range(n)
    ])


def test_the_bell_counts_only_my_unread_notifications():
    # given
    ana, bo = AgentFactory(), AgentFactory()
    tell(ana, 3)
    tell(ana, 2, read=True)
    tell(bo, 7)

    # when
    response = signed_in(ana).get("/agent/notifications/bell/")

    # then: a fragment that polls itself every 30 s
    html = response.content.decode()
    assert re.search(r'data-unread="3">3<', html)
    assert 'hx-trigger="every 30s"' in html


def test_the_bell_stops_counting_at_a_hundred():
    ana = AgentFactory()
    tell(ana, 120)

    html = signed_in(ana).get("/agent/notifications/bell/").content.decode()

    assert re.search(r'data-unread="100">99\+<', html)


def test_pages_carry_a_bell_that_loads_its_count():
    response = signed_in(AgentFactory()).get("/agent/notifications/")

    assert 'hx-get="/agent/notifications/bell/" hx-trigger="load"' in response.content.decode()


def test_the_page_lists_my_notifications_with_links_escaped():
    # given
    ana, bo = AgentFactory(), AgentFactory()
    ticket = TicketFactory(subject="Production API down")
    tell(ana, 1, ticket=ticket)
    tell(bo, 1)

    # when
    response = signed_in(ana).get("/agent/notifications/")

    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('data-notification="') == 1
    assert f'href="/agent/tickets/{ticket.pk}/"' in html
    assert "&lt;b&gt;line 0&lt;/b&gt;" in html
    assert "<b>line 0</b>" not in html
    assert "<script>" not in html  # the CSP forbids inline script


def test_marking_someone_elses_notification_is_a_404_and_changes_nothing():
    ana, bo = AgentFactory(), AgentFactory()
    [hers] = tell(ana)

    response = signed_in(bo).post(f"/agent/notifications/{hers.pk}/read/")

    assert response.status_code == 404
    hers.refresh_from_db()
    assert hers.read_at is None


def test_mark_read_and_open_goes_to_the_ticket():
    ana = AgentFactory()
    ticket = TicketFactory()
    [mine] = tell(ana, ticket=ticket)

    response = signed_in(ana).post(f"/agent/notifications/{mine.pk}/read/", {"open": "1"})

    assert response.status_code == 302
    assert response["Location"] == f"/agent/tickets/{ticket.pk}/"
    mine.refresh_from_db()
    assert mine.read_at is not None


def test_mark_all_read_touches_only_mine():
    ana, bo = AgentFactory(), AgentFactory()
    tell(ana, 4)
    tell(bo, 2)

    response = signed_in(ana).post("/agent/notifications/read-all/")

    assert response.status_code == 302
    unread = Notification.objects.filter(read_at__isnull=True)
    assert list(unread.values_list("recipient", flat=True).distinct()) == [bo.pk]


def test_changes_need_post_and_a_csrf_token():
    ana = AgentFactory()
    [mine] = tell(ana)
    strict = signed_in(ana, enforce_csrf_checks=True)

    assert strict.get(f"/agent/notifications/{mine.pk}/read/").status_code == 405
    assert strict.post(f"/agent/notifications/{mine.pk}/read/").status_code == 403
    assert strict.post("/agent/notifications/read-all/").status_code == 403


def test_signed_out_visitors_are_sent_to_sign_in():
    response = Client().get("/agent/notifications/")

    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


@pytest.mark.parametrize("path", ["/agent/notifications/", "/agent/notifications/bell/"])
def test_query_counts_do_not_grow_with_rows(path):
    def queries_for(rows: int) -> int:
        user = AgentFactory()
        tell(user, rows, ticket=TicketFactory())
        client = signed_in(user)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(path).status_code == 200
        return len(captured)

    assert queries_for(2) == queries_for(40)
