"""The handoff endpoints under /api/v1/routing/: status codes per role and object reach."""

import pytest
from rest_framework.test import APIClient

from routing.choices import HandoffState
from routing.models import Handoff
from routing.services.handoffs import request_transfer
from tests.conftest import key_client
from tests.routing.factories import agent_in, team_name
from tests.tickets.factories import TeamFactory, TicketFactory, UserFactory
from tickets.choices import TicketStatus

pytestmark = pytest.mark.django_db


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def desk(handoff_desk):
    ticket = handoff_desk[-1]
    ticket.custom_fields = {"order_id": "A-7"}
    ticket.save()
    return handoff_desk


def _transfer_url(ticket) -> str:
    return f"/api/v1/routing/tickets/{ticket.pk}/transfer/"


def test_a_transfer_to_a_team_that_must_accept_is_pending(desk):
    # given
    _, billing, sender, _, ticket = desk
    # when
    response = client_for(sender).post(_transfer_url(ticket),
                                       {"to_team": billing.pk, "note": "<b>refund</b>"},
                                       format="json")
    # then
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["state"] == "pending"
    assert body["to_team"] == {"id": billing.pk, "name": billing.name}
    assert body["requested_by"]["id"] == sender.pk
    assert body["note"] == "<b>refund</b>"  # stored verbatim


def test_a_transfer_that_lacks_contract_fields_is_400_with_the_list(desk):
    _, billing, sender, _, ticket = desk
    ticket.custom_fields = {}
    ticket.save()
    response = client_for(sender).post(_transfer_url(ticket), {"to_team": billing.pk},
                                       format="json")
    assert response.status_code == 400
    assert response.json()["missing"] == ["ticket.custom_fields.order_id"]
    assert response.json()["code"] == "transfer_refused"
    assert not Handoff.objects.filter(ticket=ticket).exists()


@pytest.mark.parametrize("payload", [{}, {"to_team": "x"}, {"to_team": 10**9}])
def test_a_transfer_to_no_known_team_is_400(desk, payload):
    _, _, sender, _, ticket = desk
    response = client_for(sender).post(_transfer_url(ticket), payload, format="json")
    assert response.status_code == 400
    assert "to_team" in response.json()


def test_a_transfer_to_the_tickets_own_team_is_409(desk):
    support, _, sender, _, ticket = desk
    response = client_for(sender).post(_transfer_url(ticket), {"to_team": support.pk},
                                       format="json")
    assert response.status_code == 409


def test_a_ticket_out_of_reach_is_404_and_a_user_without_a_role_is_403(desk):
    _, billing, _, _, ticket = desk
    outsider = agent_in(TeamFactory(name=team_name("Elsewhere")))
    response = client_for(outsider).post(_transfer_url(ticket), {"to_team": billing.pk},
                                         format="json")
    assert response.status_code == 404
    nobody = UserFactory()
    response = client_for(nobody).post(_transfer_url(ticket), {"to_team": billing.pk},
                                       format="json")
    assert response.status_code == 403
    intake, _ = key_client("intake")
    assert intake.post(_transfer_url(ticket), {"to_team": billing.pk},
                       format="json").status_code == 403
    assert APIClient().post(_transfer_url(ticket), {"to_team": billing.pk},
                            format="json").status_code == 401


def test_the_receiving_team_lists_accepts_and_a_second_accept_is_409(desk):
    # given
    _, billing, sender, receiver, ticket = desk
    handoff = request_transfer(ticket=ticket, to_team=billing, actor=sender)
    client = client_for(receiver)
    # when
    listed = client.get("/api/v1/routing/handoffs/")
    accepted = client.post(f"/api/v1/routing/handoffs/{handoff.pk}/accept/")
    again = client.post(f"/api/v1/routing/handoffs/{handoff.pk}/accept/")
    # then
    assert [h["id"] for h in listed.json()["results"]] == [handoff.pk]
    assert accepted.status_code == 200, accepted.content
    assert accepted.json()["state"] == "accepted"
    assert accepted.json()["decided_by"]["id"] == receiver.pk
    ticket.refresh_from_db()
    assert (ticket.team, ticket.assignee) == (billing, receiver)
    assert again.status_code == 409
    assert client.get("/api/v1/routing/handoffs/").json()["results"] == []


def test_the_sender_may_not_decide_and_outsiders_do_not_see_the_handoff(desk):
    _, billing, sender, _, ticket = desk
    handoff = request_transfer(ticket=ticket, to_team=billing, actor=sender)
    accept = f"/api/v1/routing/handoffs/{handoff.pk}/accept/"
    assert client_for(sender).post(accept).status_code == 403
    assert client_for(sender).get("/api/v1/routing/handoffs/").json()["results"] == []
    outsider = agent_in(TeamFactory(name=team_name("Elsewhere")))
    assert client_for(outsider).post(accept).status_code == 404
    handoff.refresh_from_db()
    assert handoff.state == HandoffState.PENDING


def test_a_rejection_needs_a_reason_and_returns_the_ticket(desk):
    support, billing, sender, receiver, ticket = desk
    handoff = request_transfer(ticket=ticket, to_team=billing, actor=sender)
    url = f"/api/v1/routing/handoffs/{handoff.pk}/reject/"
    client = client_for(receiver)
    assert client.post(url, {}, format="json").status_code == 400
    assert client.post(url, {"reason": "   "}, format="json").status_code == 400
    response = client.post(url, {"reason": "Not billing"}, format="json")
    assert response.status_code == 200
    assert (response.json()["state"], response.json()["rejection_reason"]) == (
        "rejected", "Not billing")
    ticket.refresh_from_db()
    assert (ticket.team, ticket.assignee) == (support, sender)


def test_listing_pending_handoffs_costs_the_same_queries_for_many(
    desk, django_assert_max_num_queries
):
    # given: several transfers waiting for billing
    support, billing, sender, receiver, _ = desk
    for _ in range(6):
        ticket = TicketFactory(team=support, assignee=sender, status=TicketStatus.OPEN,
                               custom_fields={"order_id": "B"})
        request_transfer(ticket=ticket, to_team=billing, actor=sender)
    client = client_for(receiver)
    client.get("/api/v1/routing/handoffs/")  # permissions cached on the user
    # when / then: one query for the list, whatever its length
    with django_assert_max_num_queries(3):
        response = client.get("/api/v1/routing/handoffs/")
    assert len(response.json()["results"]) == 6
