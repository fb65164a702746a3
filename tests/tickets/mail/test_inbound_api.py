import threading

import pytest
from django.db import connection
from rest_framework.test import APIClient

from tests.conftest import key_client
from tests.tickets.factories import ContactFactory, TicketFactory
from tests.tickets.mail.emails import answering, sample
from tickets.models import Attachment, Message, Ticket, TicketEvent

pytestmark = pytest.mark.django_db

URL = "/api/v1/inbound/email/"
RFC822 = "message/rfc822"


@pytest.fixture
def gateway() -> APIClient:
    return key_client("inbound")[0]


def post(client: APIClient, raw: bytes, content_type: str = RFC822):
    # generic() sends the bytes as they are, whatever the content type (even none).
    return client.generic("POST", URL, raw, content_type=content_type)


def test_new_request_is_201_with_the_ticket(gateway):
    response = post(gateway, sample("new_request.eml"))

    assert response.status_code == 201, response.content
    ticket = Ticket.objects.get()
    message = ticket.messages.get()
    assert response.json() == {
        "ticket": ticket.pk,
        "reference": ticket.reference,
        "message": message.pk,
        "created": True,
        "duplicate": False,
    }


def test_threaded_reply_is_200_on_the_same_ticket(gateway):
    ticket = TicketFactory(requester=ContactFactory(email="alice.martin@acme.example"))

    response = post(gateway, answering("reply_signed.eml", ticket))

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["ticket"], body["reference"], body["created"]) == (
        ticket.pk, ticket.reference, False
    )
    assert ticket.messages.get().pk == body["message"]


def test_replayed_delivery_is_200_and_creates_nothing(gateway):
    first = post(gateway, sample("attachments.eml"))

    replay = post(gateway, sample("attachments.eml"))

    assert (first.status_code, replay.status_code) == (201, 200)
    assert replay.json()["message"] == first.json()["message"]
    assert replay.json()["duplicate"] is True
    assert (Ticket.objects.count(), Message.objects.count(), Attachment.objects.count()) == (
        1, 1, 3
    )


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("ooo_autoreply.eml", "Auto-Submitted: auto-replied"),
        ("bounce.eml", "bounce from mailer-daemon"),
        ("precedence_bulk.eml", "Precedence: bulk"),
    ],
)
def test_automated_mail_is_202_and_creates_nothing(gateway, name, reason):
    response = post(gateway, sample(name))

    assert response.status_code == 202
    assert response.json() == {"ignored": reason}
    assert not Ticket.objects.exists()
    assert not TicketEvent.objects.exists()


def test_malformed_mail_is_400(gateway):
    response = post(gateway, sample("no_from.eml"))

    assert response.status_code == 400
    assert "From" in response.json()["detail"]
    assert not Ticket.objects.exists()


def test_empty_body_is_400(gateway):
    response = post(gateway, b"")

    assert response.status_code == 400
    assert "detail" in response.json()


@pytest.mark.parametrize("content_type", ["application/json", "text/plain", ""])
def test_other_content_type_is_415(gateway, content_type):
    response = post(gateway, sample("new_request.eml"), content_type=content_type)

    assert response.status_code == 415
    assert not Ticket.objects.exists()


def test_body_over_the_multipart_limit_is_413(gateway, settings):
    settings.HELPDESK_MAX_MULTIPART_BODY = 1024

    response = post(gateway, sample("attachments.eml"))

    assert response.status_code == 413
    assert response.json()["limit"] == 1024
    assert not Ticket.objects.exists()


def test_body_between_the_json_and_multipart_limits_is_accepted(gateway, settings):
    settings.HELPDESK_MAX_JSON_BODY = 1024

    response = post(gateway, sample("attachments.eml"))

    assert response.status_code == 201


@pytest.mark.parametrize("scopes", [("intake",), ("read",), ("agent",)])
def test_keys_without_the_inbound_scope_are_403(scopes):
    client = key_client(*scopes)[0]

    response = post(client, sample("new_request.eml"))

    assert response.status_code == 403
    assert not Ticket.objects.exists()


def test_no_credentials_is_401(api_client):
    assert post(api_client, sample("new_request.eml")).status_code == 401


def test_signed_in_agent_session_may_not_post_mail(agent_client):
    response = post(agent_client, sample("new_request.eml"))

    assert response.status_code in {401, 403}
    assert not Ticket.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_concurrent_deliveries_of_one_message_store_it_once():
    # given: a gateway that delivers the same message on six connections at once
    credentials = key_client("inbound")[0]._credentials
    codes: list[int] = []
    barrier = threading.Barrier(6)

    def deliver() -> None:
        client = APIClient()
        client.credentials(**credentials)
        barrier.wait()
        codes.append(post(client, sample("new_request.eml")).status_code)
        connection.close()

    # when
    threads = [threading.Thread(target=deliver) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # then
    assert sorted(codes) == [200] * 5 + [201]
    assert (Ticket.objects.count(), Message.objects.count()) == (1, 1)
