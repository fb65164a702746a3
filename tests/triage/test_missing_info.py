"""Required fields: ask once, wait in awaiting_info, re-run triage on the customer's answer."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tickets.choices import Channel, EventKind, MessageKind, TicketStatus
from tickets.models import Message, Ticket
from tickets.services.messages import add_customer_message
from triage.models import RequiredField, TriageDecision
from triage.rulebook import bump_version
from triage.tasks import release_stale_awaiting_info

from .helpers import intake

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seeded_rules", "triage_only")]


@pytest.fixture
def order_required(db):
    RequiredField.objects.create(category_id="refund_request", channel=Channel.WEB_FORM,
                                 field="order_id", question="Your order number (e.g. A-1001)")
    bump_version()


@pytest.mark.usefixtures("order_required")
def test_a_missing_required_field_asks_the_customer_once(django_capture_on_commit_callbacks):
    # when
    with django_capture_on_commit_callbacks() as callbacks:
        ticket, triage = intake("Refund please", "I want my money back.", channel=Channel.WEB_FORM)
    # then
    ticket.refresh_from_db()
    request = Message.objects.get(ticket=ticket, kind=MessageKind.SYSTEM)
    assert ticket.status == TicketStatus.AWAITING_INFO
    assert triage["missing_fields"] == ["order_id"]
    assert "Your order number (e.g. A-1001)" in request.body
    assert ticket.events.filter(kind=EventKind.STATUS_CHANGED, reason_code="missing_info").exists()
    # the email goes out through tickets' reply task, after commit
    assert any(getattr(cb, "func", None) and cb.func.__qualname__ == "Task.delay"
               and cb.args == (request.pk,) for cb in callbacks)


@pytest.mark.usefixtures("order_required")
def test_other_channels_and_present_fields_are_not_asked():
    _, mail_triage = intake("Refund please", "I want my money back.", channel=Channel.EMAIL)
    _, order_triage = intake("Refund please", "Refund order #A-20001 please.",
                                      channel=Channel.WEB_FORM)
    assert mail_triage["missing_fields"] == order_triage["missing_fields"] == []
    assert not Message.objects.filter(kind=MessageKind.SYSTEM).exists()


@pytest.mark.usefixtures("order_required")
def test_the_customers_answer_reruns_triage_and_moves_the_ticket_on():
    # given
    ticket, _ = intake("Refund please", "I want my money back.", channel=Channel.WEB_FORM)
    first = TriageDecision.objects.get(ticket=ticket)
    # when
    add_customer_message(ticket=ticket, contact=ticket.requester, body="It was order A-55012.")
    # then
    ticket.refresh_from_db()
    current = Ticket.objects.select_related("triage_decision").get(pk=ticket.pk).triage_decision
    assert ticket.status == TicketStatus.OPEN
    assert ticket.custom_fields["order_id"] == "A-55012"
    assert current.trigger == "customer_replied"
    assert current.missing_fields == []
    assert TriageDecision.objects.filter(ticket=ticket).count() == 2
    first.refresh_from_db()
    assert first.current_for_id is None


@pytest.mark.usefixtures("order_required")
def test_no_ticket_waits_for_information_forever():
    ticket, _ = intake("Refund please", "I want my money back.", channel=Channel.WEB_FORM)
    Ticket.objects.filter(pk=ticket.pk).update(
        status_changed_at=timezone.now() - timedelta(hours=73)
    )
    assert release_stale_awaiting_info() == 1
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.OPEN
    event = ticket.events.get(reason_code="info_timeout")
    assert "72 hours" in event.note
