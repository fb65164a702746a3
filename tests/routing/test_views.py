"""Routing's agent UI: presence switch, routing panel, transfer, accept/reject, follow."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from routing.choices import HandoffState, Presence
from routing.models import AgentProfile, Follower, Handoff
from routing.services.handoffs import request_transfer
from routing.services.presence import expire_idle_presence
from routing.services.routing import route_ticket
from tests.clients import signed_in
from tests.routing.factories import RoutingRuleFactory, agent_in, team_name
from tests.tickets.factories import ManagerFactory, TeamFactory, TicketFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("cookie_sessions")]


@pytest.fixture
def desk(handoff_desk):
    return handoff_desk


def test_the_presence_switch_shows_and_sets_the_agents_presence(desk):
    # given
    _, _, sender, _, _ = desk
    client = signed_in(sender)
    # when
    shown = client.get("/agent/routing/presence/", HTTP_HX_REQUEST="true")
    switched = client.post("/agent/routing/presence/", {"presence": "away"},
                           HTTP_HX_REQUEST="true")
    # then
    assert 'data-presence="available"' in shown.content.decode()
    assert switched.status_code == 200
    assert 'data-presence="away"' in switched.content.decode()
    assert AgentProfile.objects.get(user=sender).presence == Presence.AWAY


def test_an_unknown_presence_is_400_and_a_manager_without_a_desk_sees_no_switch(desk):
    _, _, sender, _, _ = desk
    assert signed_in(sender).post("/agent/routing/presence/",
                                  {"presence": "<script>"}).status_code == 400
    assert signed_in(UserFactory()).get("/agent/routing/presence/").content == b""
    assert signed_in(UserFactory()).post("/agent/routing/presence/",
                                         {"presence": "away"}).status_code == 403
    assert Client().get("/agent/routing/presence/").status_code == 302  # to sign in


def test_the_ticket_page_shows_the_team_queue_as_owner_and_why(desk):
    # given: a ticket routed while every agent of the team is away
    support, _, sender, _, _ = desk
    RoutingRuleFactory(team=support, name="Everything to support",
                       explanation="Support takes what nobody else does.")
    AgentProfile.objects.filter(user=sender).update(presence=Presence.AWAY)
    ticket = TicketFactory()
    route_ticket(ticket=ticket)
    # when
    page = signed_in(sender).get(f"/agent/tickets/{ticket.pk}/").content.decode()
    # then
    assert f"Team queue: <strong>{support.name}</strong>" in page
    assert "Everything to support" in page
    assert "Support takes what nobody else does." in page
    assert "skipped, is away" in page


def test_a_transfer_refused_by_the_contract_lists_what_is_missing(desk):
    _, billing, sender, _, ticket = desk
    client = signed_in(sender)
    response = client.post(f"/agent/routing/tickets/{ticket.pk}/transfer/",
                           {"to_team": billing.pk}, follow=True)
    page = response.content.decode()
    assert "refused: the ticket lacks ticket.custom_fields.order_id" in page
    assert not Handoff.objects.filter(ticket=ticket).exists()


def test_a_transfer_waits_then_the_receiving_agent_accepts_from_the_list(desk):
    # given
    _, billing, sender, receiver, ticket = desk
    ticket.custom_fields = {"order_id": "A-1"}
    ticket.save()
    # when: the sender transfers from the ticket page
    sent = signed_in(sender).post(f"/agent/routing/tickets/{ticket.pk}/transfer/",
                                  {"to_team": billing.pk, "note": "<i>refund</i>"}, follow=True)
    # then: it waits, and the sender sees that it does
    assert f"Waiting for <strong>{billing.name}</strong> to accept" in sent.content.decode()
    handoff = Handoff.objects.get(ticket=ticket)
    receiving = signed_in(receiver)
    listing = receiving.get("/agent/routing/handoffs/").content.decode()
    assert ticket.subject in listing
    assert "&lt;i&gt;refund&lt;/i&gt;" in listing  # the note is escaped
    # when: the receiver accepts
    accepted = receiving.post(f"/agent/routing/handoffs/{handoff.pk}/accept/", follow=True)
    # then
    assert accepted.status_code == 200
    ticket.refresh_from_db()
    assert (ticket.team, ticket.assignee) == (billing, receiver)
    assert Follower.objects.filter(ticket=ticket, user=sender).exists()


def test_only_the_receiving_team_may_reject_and_it_must_say_why(desk):
    _, billing, sender, receiver, ticket = desk
    ticket.custom_fields = {"order_id": "A-1"}
    ticket.save()
    handoff = request_transfer(ticket=ticket, to_team=billing, actor=sender)
    url = f"/agent/routing/handoffs/{handoff.pk}/reject/"
    assert signed_in(sender).post(url, {"reason": "mine"}).status_code == 403
    outsider = agent_in(TeamFactory(name=team_name("Elsewhere")))
    assert signed_in(outsider).post(url, {"reason": "x"}).status_code == 404
    assert signed_in(ManagerFactory()).post(url, {"reason": "x"}).status_code == 403
    blank = signed_in(receiver).post(url, {"reason": " "}, follow=True)
    assert "Say why the transfer is rejected." in blank.content.decode()
    signed_in(receiver).post(url, {"reason": "Not billing"})
    handoff.refresh_from_db()
    assert (handoff.state, handoff.rejection_reason) == (HandoffState.REJECTED, "Not billing")


def test_follow_and_unfollow_from_the_ticket_page(desk):
    _, _, sender, _, ticket = desk
    client = signed_in(sender)
    client.post(f"/agent/routing/tickets/{ticket.pk}/follow/", {"follow": "on"})
    assert Follower.objects.filter(ticket=ticket, user=sender).exists()
    page = client.get(f"/agent/tickets/{ticket.pk}/").content.decode()
    assert "Unfollow" in page
    client.post(f"/agent/routing/tickets/{ticket.pk}/follow/", {"follow": ""})
    assert not Follower.objects.filter(ticket=ticket, user=sender).exists()


def test_the_routing_panel_costs_the_same_queries_for_any_number_of_candidates(desk):
    # given: two routed tickets, one considered 2 agents and the other 12
    support, _, sender, _, _ = desk
    RoutingRuleFactory(team=support)
    small = TicketFactory()
    route_ticket(ticket=small)
    for _ in range(10):
        agent_in(support)
    large = TicketFactory()
    route_ticket(ticket=large)
    client = signed_in(sender)
    counts = []
    for ticket in (small, large):
        client.get(f"/agent/tickets/{ticket.pk}/")
        # when
        with CaptureQueriesContext(connection) as queries:
            page = client.get(f"/agent/tickets/{ticket.pk}/").content.decode()
        counts.append(sum("routing_" in q["sql"] for q in queries.captured_queries))
        assert "considered" in page
    # then: the tickets the agent is granted (waiting transfers, followed), the page's
    # prefetch of the decision, then the panel's pending handoff, following, and the
    # transfer targets with their contracts
    assert counts == [5, 5]


def test_opening_pages_keeps_an_available_agent_from_the_idle_sweep(desk):
    # given an agent last seen long ago
    _, _, sender, _, _ = desk
    AgentProfile.objects.filter(user=sender).update(
        last_seen_at=timezone.now() - timedelta(hours=1))
    # when a page loads the presence switch
    signed_in(sender).get("/agent/routing/presence/", HTTP_HX_REQUEST="true")
    # then the sweep leaves them available
    expire_idle_presence(now=timezone.now())
    assert AgentProfile.objects.get(user=sender).presence == Presence.AVAILABLE
