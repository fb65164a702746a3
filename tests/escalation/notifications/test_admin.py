"""Admins see channels, notifications and failed deliveries, and can retry a failure."""

import pytest
from django.test import Client

from escalation.notifications import tasks
from escalation.notifications.choices import ChannelKind, DeliveryState
from escalation.notifications.forms import NotificationChannelForm
from escalation.notifications.models import Delivery, NotificationChannel
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


SECRET = "hook-token-5f2a9c"


@pytest.fixture
def webhook() -> NotificationChannel:
    # A public address the SSRF check accepts without a DNS answer.
    return NotificationChannel.objects.create(
        kind=ChannelKind.WEBHOOK, name="Ops room", url="https://93.184.215.14/hooks/ops",
        secret=SECRET)


def edited(channel: NotificationChannel, **changes: str) -> NotificationChannel:
    """The channel as its admin form saves it, with `changes` typed into the form."""
    data = {"name": channel.name, "kind": channel.kind, "url": channel.url,
            "enabled": "on", "kinds": "", **changes}
    form = NotificationChannelForm(data=data, instance=channel)
    assert form.is_valid(), form.errors
    return form.save()


def test_the_channel_page_never_shows_its_secret(admin_client, webhook):
    page = admin_client.get(f"/admin/notifications/notificationchannel/{webhook.pk}/change/")
    assert page.status_code == 200
    assert SECRET not in page.content.decode()
    assert "(a secret is set)" in page.content.decode()


def test_an_empty_secret_keeps_the_token_a_new_one_replaces_it_and_forget_removes_it(webhook):
    assert edited(webhook, secret="").secret == SECRET
    assert edited(webhook, secret="rotated-token").secret == "rotated-token"
    assert edited(webhook, secret="", forget_secret="on").secret == ""


def test_the_channel_history_keeps_the_change_but_not_the_token(webhook):
    edited(webhook, secret="rotated-token")
    history = webhook.history.all()
    assert history.count() == 2
    assert not any(field.name == "secret" for field in history.model._meta.get_fields())


def test_saving_the_channel_page_without_typing_a_secret_keeps_it(admin_client, webhook):
    url = f"/admin/notifications/notificationchannel/{webhook.pk}/change/"
    response = admin_client.post(url, {
        "name": "Ops room (renamed)", "kind": webhook.kind, "url": webhook.url,
        "enabled": "on", "secret": "", "kinds": "", "_save": "Save"})
    assert response.status_code == 302, response.content
    webhook.refresh_from_db()
    assert (webhook.name, webhook.secret) == ("Ops room (renamed)", SECRET)
