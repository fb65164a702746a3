"""Webhook and SMS URLs may not reach private, loopback, link-local or reserved addresses."""

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from escalation.notifications import tasks
from escalation.notifications.choices import ChannelKind, DeliveryState
from escalation.notifications.models import Delivery, NotificationChannel
from escalation.notifications.services import notify
from tests.tickets.factories import AdminFactory, AgentFactory
from tickets.safe_http import UnsafeUrl, check_url


@pytest.mark.parametrize("url", [
    "http://127.0.0.1:8080/hook",
    "http://localhost/hook",
    "http://10.0.0.5/hook",
    "http://172.16.3.4/hook",
    "http://192.168.1.10/hook",
    "http://169.254.169.254/latest/meta-data/",
    "http://100.64.0.1/hook",
    "http://0.0.0.0/hook",
    "http://[::1]/hook",
    "http://[fe80::1]/hook",
    "http://[fd00::1]/hook",
    "http://[::ffff:127.0.0.1]/hook",
    "http://240.0.0.1/hook",
])
def test_private_and_reserved_addresses_are_refused(url):
    with pytest.raises(UnsafeUrl, match="private, loopback, link-local or reserved"):
        check_url(url, allow_private=False)


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://93.184.215.14/x", "http:///x",
                                 "https://user:pw@93.184.215.14/hook"])
def test_other_schemes_and_credentials_in_urls_are_refused(url):
    with pytest.raises(UnsafeUrl):
        check_url(url, allow_private=True)


def test_a_public_address_is_accepted_and_pinned():
    target = check_url("https://93.184.215.14:8443/services/T1?x=1", allow_private=False)

    assert (target.address, target.port, target.path) == ("93.184.215.14", 8443,
                                                          "/services/T1?x=1")


def test_a_private_address_is_accepted_when_the_admin_allows_it():
    assert check_url("http://127.0.0.1:9/hook", allow_private=True).address == "127.0.0.1"


def test_saving_a_channel_on_a_loopback_url_explains_the_refusal(db, receiver):
    channel = NotificationChannel(name="Room", kind=ChannelKind.WEBHOOK, url=receiver.url)

    with pytest.raises(ValidationError) as refused:
        channel.full_clean()

    assert "resolves to a private, loopback" in refused.value.message_dict["url"][0]
    channel.allow_private_address = True
    channel.full_clean()  # the explicit flag lets it through


@pytest.mark.django_db
def test_the_admin_form_refuses_a_private_url_with_a_clear_message():
    # given
    client = Client()
    client.force_login(AdminFactory(is_superuser=True))

    # when
    response = client.post("/admin/notifications/notificationchannel/add/", {
        "name": "Room", "kind": ChannelKind.WEBHOOK, "enabled": "on",
        "url": "http://10.0.0.5/hook", "kinds": "",
    })

    # then
    assert response.status_code == 200
    assert b"resolves to a private, loopback, link-local or reserved address" in response.content
    assert not NotificationChannel.objects.filter(name="Room").exists()


@pytest.mark.django_db
def test_a_url_that_turned_private_after_saving_is_refused_at_send_time(receiver, monkeypatch):
    # given: a channel saved while allowed, whose flag was later withdrawn without a re-check
    monkeypatch.setattr(tasks.deliver, "delay", lambda _id: None)
    channel = NotificationChannel.objects.create(
        name="Room", kind=ChannelKind.WEBHOOK, url=receiver.url, allow_private_address=True)
    notify(recipients=[AgentFactory()], subject="P1", body="down", kind="escalation",
           dedupe_key="k1")
    NotificationChannel.objects.filter(pk=channel.pk).update(allow_private_address=False)
    delivery = Delivery.objects.get(channel=channel)

    # when
    tasks.deliver.apply(args=[delivery.pk])

    # then: nothing reached the receiver and the refusal is recorded, without retries
    delivery.refresh_from_db()
    assert receiver.received == []
    assert (delivery.state, delivery.attempts) == (DeliveryState.FAILED, 1)
    assert "private, loopback" in delivery.last_error
