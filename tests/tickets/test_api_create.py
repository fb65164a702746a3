import threading

import pytest
from django.db import connection

from tests.conftest import key_client
from tickets.choices import EventKind, TicketStatus
from tickets.models import Contact, IdempotencyRecord, Message, Organization, Ticket, TicketEvent

pytestmark = pytest.mark.django_db(transaction=False)


@pytest.fixture(autouse=True)
def _spine_only(settings):
    """These tests are about the spine; triage and routing stages have their own tests."""
    settings.HELPDESK_INTAKE_PIPELINE = []

PAYLOAD = {
    "subject": "Charged twice for annual plan",
    "description": "Hi, my card was charged twice on March 15.",
    "requester": {"email": "Ana@Acme.example", "name": "Ana Silva", "phone": "+1 555 0100"},
    "organization": {"external_id": "acct-991", "name": "Acme Corp"},
    "channel": "web_form",
    "product_area": "billing portal",
    "impact": ["billing"],
    "language": "en",
    "tags": ["Annual-Plan"],
    "custom_fields": {"order_id": "A-1001"},
    "external_id": "form-7781",
}


def test_create_returns_the_documented_shape(intake_client):
    # when
    response = intake_client.post("/api/v1/tickets/", PAYLOAD, format="json")
    # then
    assert response.status_code == 201, response.content
    body = response.json()
    ticket = Ticket.objects.get()
    assert response["Location"] == body["url"] == f"http://testserver/api/v1/tickets/{ticket.pk}/"
    assert body["reference"] == f"HD-{ticket.pk}"
    assert body["requester"] == {"id": ticket.requester_id, "email": "Ana@Acme.example",
                                 "name": "Ana Silva"}
    assert body["organization"]["name"] == "Acme Corp"
    assert body["tags"] == ["annual-plan"]
    assert body["impact"] == ["billing"]
    assert body["channel"] == "web_form"
    assert body["status"] == TicketStatus.NEW
    assert {"sla", "triage", "routing", "team", "assignee", "created_at"} <= set(body)
    assert Message.objects.get().body == PAYLOAD["description"]
    assert TicketEvent.objects.get().kind == EventKind.CREATED


def test_contact_is_matched_case_insensitively_and_org_by_domain(intake_client):
    Organization.objects.create(name="Beta", email_domains=["beta.example"])
    first = {**PAYLOAD, "requester": {"email": "bob@beta.example"}}
    first.pop("organization")
    second = {**first, "requester": {"email": "BOB@Beta.example"}}
    intake_client.post("/api/v1/tickets/", first, format="json")
    response = intake_client.post("/api/v1/tickets/", second, format="json")
    assert response.status_code == 201
    assert Contact.objects.count() == 1
    assert response.json()["organization"]["name"] == "Beta"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"subject": "   "}, "subject"),
        ({"subject": "x" * 256}, "subject"),
        ({"description": ""}, "description"),
        ({"description": "x" * 65_537}, "description"),
        ({"requester": {"email": "not-an-email"}}, "requester"),
        ({"channel": "pigeon"}, "channel"),
        ({"impact": ["boredom"]}, "impact"),
    ],
)
def test_invalid_input_is_400_with_field_errors(intake_client, change, field):
    response = intake_client.post("/api/v1/tickets/", {**PAYLOAD, **change}, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not Ticket.objects.exists()


def test_nested_email_error_has_the_documented_shape(intake_client):
    response = intake_client.post(
        "/api/v1/tickets/", {**PAYLOAD, "requester": {"email": "nope"}}, format="json"
    )
    assert response.json() == {"requester": {"email": ["Enter a valid email address."]}}


def test_html_is_stored_verbatim(intake_client):
    script = "<script>alert('x')</script><b>bold</b>"
    response = intake_client.post(
        "/api/v1/tickets/", {**PAYLOAD, "description": script}, format="json"
    )
    assert response.status_code == 201
    assert Ticket.objects.get().description == script


def test_unknown_fields_are_ignored(intake_client):
    response = intake_client.post(
        "/api/v1/tickets/", {**PAYLOAD, "favourite_colour": "blue"}, format="json"
    )
    assert response.status_code == 201


def test_malformed_json_is_400(intake_client):
    response = intake_client.post(
        "/api/v1/tickets/", data=b'{"subject": ', content_type="application/json"
    )
    assert response.status_code == 400
    assert "detail" in response.json()


def test_wrong_content_type_is_415(intake_client):
    response = intake_client.post("/api/v1/tickets/", data=b"hello", content_type="text/plain")
    assert response.status_code == 415
    assert "detail" in response.json()


def test_oversized_body_is_413(intake_client):
    body = b'{"subject": "' + b"x" * (1024 * 1024 + 10) + b'"}'
    response = intake_client.post("/api/v1/tickets/", data=body, content_type="application/json")
    assert response.status_code == 413
    assert "detail" in response.json()
    assert not Ticket.objects.exists()


class TestIdempotency:
    def test_same_key_same_body_replays(self, intake_client):
        first = intake_client.post("/api/v1/tickets/", PAYLOAD, format="json",
                                   HTTP_IDEMPOTENCY_KEY="form-7781")
        second = intake_client.post("/api/v1/tickets/", PAYLOAD, format="json",
                                    HTTP_IDEMPOTENCY_KEY="form-7781")
        assert (first.status_code, second.status_code) == (201, 201)
        assert second.json() == first.json()
        assert second["Idempotent-Replayed"] == "true"
        assert "Idempotent-Replayed" not in first
        assert Ticket.objects.count() == 1

    def test_same_key_other_body_is_422(self, intake_client):
        intake_client.post("/api/v1/tickets/", PAYLOAD, format="json", HTTP_IDEMPOTENCY_KEY="k1")
        response = intake_client.post("/api/v1/tickets/", {**PAYLOAD, "subject": "Other"},
                                      format="json", HTTP_IDEMPOTENCY_KEY="k1")
        assert response.status_code == 422
        assert Ticket.objects.count() == 1

    def test_keys_are_scoped_to_their_owner(self, db):
        first_client, _ = key_client("intake")
        second_client, _ = key_client("intake")
        first_client.post("/api/v1/tickets/", PAYLOAD, format="json", HTTP_IDEMPOTENCY_KEY="k")
        second_client.post("/api/v1/tickets/", PAYLOAD, format="json", HTTP_IDEMPOTENCY_KEY="k")
        assert Ticket.objects.count() == 2

    def test_invalid_key_is_400(self, intake_client):
        response = intake_client.post("/api/v1/tickets/", PAYLOAD, format="json",
                                      HTTP_IDEMPOTENCY_KEY="x" * 256)
        assert response.status_code == 400


@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_with_one_key_create_one_ticket():
    # given
    clients = [key_client("intake")[0]]
    raw_credentials = clients[0]._credentials
    results: list[int] = []
    barrier = threading.Barrier(6)

    def post() -> None:
        from rest_framework.test import APIClient

        client = APIClient()
        client.credentials(**raw_credentials)
        barrier.wait()
        response = client.post("/api/v1/tickets/", PAYLOAD, format="json",
                               HTTP_IDEMPOTENCY_KEY="same-key")
        results.append(response.status_code)
        connection.close()

    # when
    threads = [threading.Thread(target=post) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # then
    assert results == [201] * 6
    assert Ticket.objects.count() == 1
    assert IdempotencyRecord.objects.count() == 1
