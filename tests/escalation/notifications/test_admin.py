"""Admins see channels, notifications and failed deliveries, and can retry a failure."""

import pytest
from django.test import Client

from escalation.notifications import tasks
from escalation.notifications.choices import DeliveryState
from escalation.notifications.models import Delivery
from escalation.notifications.services import notify
from tests.tickets.factories import AdminFactory, AgentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client() -> Client:
    client = Client()
    client.force_login(AdminFactory(is_superuser=True))
    return client


@pytest.fixture
def failed_delivery(email_channel, monkeypatch) -> Delivery:
    monkeypatch.setattr(tasks.deliver, "delay", lambda _id: None)
    notify(recipients=[AgentFactory()], subject="P1 ESCALATION", body="down",
           kind="escalation", dedupe_key="k")
    delivery = Delivery.objects.get()
    Delivery.objects.filter(pk=delivery.pk).update(
        state=DeliveryState.FAILED, attempts=7, last_error="SMTPServerDisconnected: gone")
    return delivery


@pytest.mark.parametrize("model", ["notificationchannel", "channelpreference", "notification",
                                   "delivery"])
def test_every_model_has_a_list_page(admin_client, failed_delivery, model):
    response = admin_client.get(f"/admin/notifications/{model}/?q=a")

    assert response.status_code == 200


def test_a_failed_delivery_shows_its_error_and_can_be_retried(
    admin_client, failed_delivery, monkeypatch, django_capture_on_commit_callbacks
):
    # given
    queued: list[int] = []
    monkeypatch.setattr(tasks.deliver, "delay", queued.append)
    listing = admin_client.get("/admin/notifications/delivery/?state__exact=failed")
    assert b"SMTPServerDisconnected: gone" in listing.content

    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post("/admin/notifications/delivery/", {
            "action": "retry_failed", "_selected_action": [failed_delivery.pk],
        })

    # then
    assert response.status_code == 302
    failed_delivery.refresh_from_db()
    assert (failed_delivery.state, failed_delivery.attempts) == (DeliveryState.QUEUED, 0)
    assert queued == [failed_delivery.pk]
