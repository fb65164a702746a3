"""Each channel delivering to a real local receiver, with retries, and exactly once."""

import threading
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection

from escalation.notifications import tasks
from escalation.notifications.choices import ChannelKind, DeliveryState
from escalation.notifications.models import ChannelPreference, Delivery, NotificationChannel
from escalation.notifications.services import escalation_line, notify
from escalation.notifications.services.delivery import (
    MAX_ATTEMPTS,
    STUCK_AFTER,
    requeue_stuck_deliveries,
)
from tests.tickets.factories import AgentFactory
from tests.tickets.mail.worker import smtp_server

__all__ = ["smtp_server"]  # a fixture, imported for pytest to find


@pytest.fixture
def enqueued(monkeypatch) -> list[int]:
    ids: list[int] = []
    monkeypatch.setattr(tasks.deliver, "delay", ids.append)
    return ids


@pytest.fixture
def webhook_only(webhook_channel) -> NotificationChannel:
    NotificationChannel.objects.exclude(pk=webhook_channel.pk).update(enabled=False)
    return webhook_channel


def _escalate(ticket, people, *, key="escalation:1") -> None:
    notify(recipients=people, subject=f"P1 ESCALATION: {ticket.subject}",
           body=escalation_line(ticket=ticket), ticket=ticket, kind="escalation",
           dedupe_key=key)


@pytest.mark.django_db
def test_email_reaches_a_real_smtp_server(smtp_server, settings, email_channel, enqueued,
                                          acme_ticket):
    # given
    inbox, port = smtp_server
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    ana = AgentFactory()
    _escalate(acme_ticket, [ana])
    delivery = Delivery.objects.get(channel=email_channel)

    # when
    tasks.deliver.apply(args=[delivery.pk])

    # then
    message = inbox.wait_for(lambda m: m["To"] == ana.email, "the escalation email")
    assert message["Subject"] == "P1 ESCALATION: Production API down"
    assert "Enterprise customer Acme Corp" in message.get_content()
    assert f"http://testserver/agent/tickets/{acme_ticket.pk}/" in message.get_content()
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == (DeliveryState.SENT, 1)


@pytest.mark.django_db
def test_a_webhook_posts_slack_style_json(receiver, webhook_channel, enqueued, acme_ticket):
    _escalate(acme_ticket, [AgentFactory()])
    delivery = Delivery.objects.get(channel=webhook_channel)

    tasks.deliver.apply(args=[delivery.pk])

    [post] = receiver.received
    assert post.path == "/hooks/desk"
    assert post.payload == {"text": "P1 ESCALATION: Production API down\n"
                                    + escalation_line(ticket=acme_ticket)}
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.SENT


@pytest.mark.django_db
def test_sms_posts_number_and_message_with_the_secret(receiver, enqueued, acme_ticket):
    # given: an SMS provider on the local receiver and a person who gave a number
    sms = NotificationChannel.objects.create(
        name="SMS", kind=ChannelKind.SMS, url=receiver.url, secret="s3cret",
        allow_private_address=True,
    )
    bo = AgentFactory()
    ChannelPreference.objects.create(user=bo, channel=sms, address="+15550100")
    _escalate(acme_ticket, [bo])

    # when
    tasks.deliver.apply(args=[Delivery.objects.get(channel=sms).pk])

    # then
    [post] = receiver.received
    assert post.payload == {"to": "+15550100", "message": escalation_line(ticket=acme_ticket)}
    assert post.headers["Authorization"] == "Bearer s3cret"


@pytest.mark.django_db
def test_a_failing_receiver_is_retried_until_it_accepts(receiver, webhook_channel, enqueued,
                                                         acme_ticket):
    # given: the receiver fails twice with 503
    receiver.fail_first = 2
    _escalate(acme_ticket, [AgentFactory()])
    delivery = Delivery.objects.get(channel=webhook_channel)

    # when: the task runs, retrying (eagerly here; with backoff on a worker)
    tasks.deliver.apply(args=[delivery.pk])

    # then: delivered once, on the third attempt, with the last failure kept for admins
    delivery.refresh_from_db()
    assert len(receiver.received) == 1
    assert (delivery.state, delivery.attempts) == (DeliveryState.SENT, 3)
    assert "HTTP 503" in delivery.last_error


@pytest.mark.django_db
def test_retries_are_bounded_and_the_failure_is_recorded(receiver, webhook_channel, enqueued,
                                                         acme_ticket):
    receiver.fail_first = 1000
    _escalate(acme_ticket, [AgentFactory()])
    delivery = Delivery.objects.get(channel=webhook_channel)

    tasks.deliver.apply(args=[delivery.pk])

    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.FAILED
    assert delivery.attempts == tasks.DELIVERY_MAX_RETRIES + 1 == receiver.calls
    assert delivery.last_error == "HttpStatusError: HTTP 503: ok"


@pytest.mark.django_db
def test_a_permanent_refusal_is_not_retried(receiver, webhook_channel, enqueued, acme_ticket):
    receiver.fail_first, receiver.fail_status = 1000, 404  # a revoked hook
    _escalate(acme_ticket, [AgentFactory()])
    delivery = Delivery.objects.get(channel=webhook_channel)

    tasks.deliver.apply(args=[delivery.pk])

    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts, receiver.calls) == (DeliveryState.FAILED, 1, 1)


@pytest.mark.django_db
def test_a_delivered_task_run_again_sends_nothing(receiver, webhook_channel, enqueued,
                                                  acme_ticket):
    _escalate(acme_ticket, [AgentFactory()])
    delivery = Delivery.objects.get(channel=webhook_channel)

    tasks.deliver.apply(args=[delivery.pk])
    tasks.deliver.apply(args=[delivery.pk])

    assert receiver.calls == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_duplicate_tasks_deliver_exactly_once(receiver, acme_ticket, monkeypatch):
    # given: one queued webhook delivery, committed
    monkeypatch.setattr(tasks.deliver, "delay", lambda _id: None)
    channel = NotificationChannel.objects.create(
        name="Ops room", kind=ChannelKind.WEBHOOK, url=receiver.url, allow_private_address=True)
    _escalate(acme_ticket, [AgentFactory()])
    delivery = Delivery.objects.get(channel=channel)
    start = threading.Barrier(4)

    def run_duplicate() -> None:
        try:
            start.wait()
            tasks.deliver.apply(args=[delivery.pk])
        finally:
            connection.close()

    # when: four copies of the task run at once
    threads = [threading.Thread(target=run_duplicate) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    # then
    delivery.refresh_from_db()
    assert receiver.calls == 1
    assert (delivery.state, delivery.attempts) == (DeliveryState.SENT, 1)


@pytest.mark.django_db
def test_the_sweep_requeues_deliveries_whose_worker_died(
    receiver, webhook_only, enqueued, acme_ticket, django_capture_on_commit_callbacks
):
    # given: deliveries left in sending (worker killed) and queued (broker lost) long ago,
    # one out of attempts, and one queued just now
    start = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False):
        for key in ("a", "b", "c", "d"):
            _escalate(acme_ticket, [AgentFactory()], key=key)
    stuck_sending, stuck_queued, spent, fresh = Delivery.objects.order_by("pk")
    Delivery.objects.filter(pk=stuck_sending.pk).update(state=DeliveryState.SENDING, attempts=1)
    Delivery.objects.filter(pk=spent.pk).update(attempts=MAX_ATTEMPTS)
    later = start + STUCK_AFTER + timedelta(seconds=1)
    Delivery.objects.filter(pk=fresh.pk).update(updated_at=later)

    # when
    with django_capture_on_commit_callbacks(execute=True):
        examined = requeue_stuck_deliveries(now=later)

    # then: the stuck ones are queued again, the spent one is failed, the fresh one untouched
    states = dict(Delivery.objects.values_list("pk", "state"))
    assert examined == 3
    assert states == {
        stuck_sending.pk: DeliveryState.QUEUED, stuck_queued.pk: DeliveryState.QUEUED,
        spent.pk: DeliveryState.FAILED, fresh.pk: DeliveryState.QUEUED,
    }
    assert sorted(enqueued) == sorted([stuck_sending.pk, stuck_queued.pk])
    # and the requeued delivery goes out
    tasks.deliver.apply(args=[stuck_sending.pk])
    assert receiver.calls == 1


@pytest.mark.django_db
@pytest.mark.parametrize("rows", [3, 30])
def test_the_sweep_costs_the_same_queries_for_any_number_of_rows(
    rows, webhook_only, enqueued, acme_ticket, django_assert_num_queries,
    django_capture_on_commit_callbacks,
):
    for n in range(rows):
        _escalate(acme_ticket, [AgentFactory()], key=f"k{n}")
    later = datetime.now(UTC) + STUCK_AFTER * 2

    # savepoint, select for update, update (nothing is spent), release savepoint
    with django_assert_num_queries(4), django_capture_on_commit_callbacks(execute=True):
        assert requeue_stuck_deliveries(now=later) == rows
    assert len(enqueued) == rows
