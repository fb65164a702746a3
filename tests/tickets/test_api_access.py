import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from tests.conftest import key_client
from tests.tickets.factories import TeamFactory, TicketFactory, UserFactory

pytestmark = pytest.mark.django_db

NEW = {"subject": "s", "description": "d", "requester": {"email": "a@b.example"}}


def test_no_credentials_is_401_with_json(api_client):
    response = api_client.get("/api/v1/tickets/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert "detail" in response.json()


def test_bad_key_is_401(api_client):
    api_client.credentials(HTTP_AUTHORIZATION="Token not-a-real-key")
    assert api_client.get("/api/v1/tickets/").status_code == 401


def test_revoked_key_is_401(db):
    from django.utils import timezone

    client, key = key_client("read")
    key.revoked_at = timezone.now()
    key.save()
    assert client.get("/api/v1/tickets/").status_code == 401


def test_intake_key_reads_only_what_it_created(db):
    client, _ = key_client("intake")
    other = TicketFactory()
    mine = client.post("/api/v1/tickets/", NEW, format="json").json()
    listed = client.get("/api/v1/tickets/").json()["results"]
    assert [ticket["id"] for ticket in listed] == [mine["id"]]
    assert client.get(f"/api/v1/tickets/{mine['id']}/").status_code == 200
    assert client.get(f"/api/v1/tickets/{other.pk}/").status_code == 404


@pytest.mark.parametrize(
    ("method", "suffix", "body"),
    [
        ("get", "timeline/", None),
        ("post", "messages/", {"body": "x"}),
        ("post", "status/", {"status": "solved"}),
        ("post", "assign/", {"assignee": None}),
        ("post", "escalate/", {"reason": "x"}),
        ("patch", "", {"priority": "P1"}),
    ],
)
def test_intake_key_may_do_nothing_else(method, suffix, body):
    client, _ = key_client("intake")
    ticket_id = client.post("/api/v1/tickets/", NEW, format="json").json()["id"]
    response = getattr(client, method)(f"/api/v1/tickets/{ticket_id}/{suffix}", body,
                                       format="json")
    assert response.status_code == 403


def test_read_key_cannot_create_or_write(db):
    client, _ = key_client("read")
    ticket = TicketFactory()
    assert client.post("/api/v1/tickets/", NEW, format="json").status_code == 403
    assert client.get(f"/api/v1/tickets/{ticket.pk}/").status_code == 200
    assert client.post(f"/api/v1/tickets/{ticket.pk}/messages/", {"body": "x"},
                       format="json").status_code == 403


def test_inbound_key_cannot_read_tickets(db):
    client, _ = key_client("inbound")
    assert client.get("/api/v1/tickets/").status_code == 403


def test_agent_sees_own_team_and_unrouted_but_not_other_teams(agent_client, agent):
    mine = TicketFactory(team=TeamFactory(members=[agent]))
    unrouted = TicketFactory()
    elsewhere = TicketFactory(team=TeamFactory())
    ids = {ticket["id"] for ticket in agent_client.get("/api/v1/tickets/").json()["results"]}
    assert ids == {mine.pk, unrouted.pk}
    assert agent_client.get(f"/api/v1/tickets/{elsewhere.pk}/").status_code == 404
    assert agent_client.post(f"/api/v1/tickets/{elsewhere.pk}/status/", {"status": "solved"},
                             format="json").status_code == 404


def test_manager_sees_every_team(manager_client):
    tickets = [TicketFactory(team=TeamFactory()) for _ in range(3)]
    ids = {ticket["id"] for ticket in manager_client.get("/api/v1/tickets/").json()["results"]}
    assert ids == {ticket.pk for ticket in tickets}


def test_user_without_role_is_403(db):
    client = APIClient()
    client.force_authenticate(UserFactory())
    assert client.get("/api/v1/tickets/").status_code == 403


def test_unknown_ticket_is_404_json(agent_client):
    response = agent_client.get("/api/v1/tickets/999999/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_unknown_api_path_is_json_404(agent_client):
    response = agent_client.get("/api/v1/nothing-here/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")


def test_rate_limit_gives_429_with_retry_after(settings, db):
    from rest_framework.settings import api_settings

    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK,
                               "DEFAULT_THROTTLE_RATES": {"api_key": "3/min"}}
    api_settings.reload()
    from tickets.api.throttling import ApiKeyRateThrottle

    ApiKeyRateThrottle.THROTTLE_RATES = api_settings.DEFAULT_THROTTLE_RATES
    try:
        client, _ = key_client("read")
        other, _ = key_client("read")
        codes = [client.get("/api/v1/tickets/").status_code for _ in range(4)]
        assert codes == [200, 200, 200, 429]
        last = client.get("/api/v1/tickets/")
        assert int(last["Retry-After"]) > 0
        assert other.get("/api/v1/tickets/").status_code == 200  # budgets are per key
        assert any(key for key in cache._cache.get_client().scan_iter("*throttle_api_key*"))
    finally:
        ApiKeyRateThrottle.THROTTLE_RATES = {"api_key": "100000/min"}
