"""
Who may open a ticket during and after a transfer: the receiving team while it decides, the
owner who handed it over while they follow it, nobody else outside the owning team.
"""

import pytest
from django.contrib.auth import get_user_model

from routing.services.followers import follow_ticket, unfollow_ticket
from routing.services.handoffs import accept_handoff, reject_handoff, request_transfer
from tests.clients import signed_in
from tests.routing.factories import agent_in, team_name
from tests.tickets.factories import TeamFactory, TicketFactory
from tickets.choices import TicketStatus
from tickets.selectors import visible_tickets
from tickets.services.lifecycle import change_status

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("cookie_sessions")]
User = get_user_model()


@pytest.fixture
def waiting(handoff_desk):
    """A transfer from Support to Billing, waiting for Billing to accept it."""
    _, billing, sender, receiver, ticket = handoff_desk
    ticket.custom_fields = {"order_id": "A-1"}
    ticket.save()
    handoff = request_transfer(ticket=ticket, to_team=billing, actor=sender)
    return billing, sender, receiver, ticket, handoff


def test_the_receiving_team_reads_a_waiting_transfer_and_accepts_it_on_the_ticket_page(waiting):
    # given
    billing, _, receiver, ticket, handoff = waiting
    outsider = agent_in(TeamFactory(name=team_name("Elsewhere")))
    page_url = f"/agent/tickets/{ticket.pk}/"
    # when
    page = signed_in(receiver).get(page_url)
    # then: the page shows the transfer with the buttons; a third team still gets nothing
    assert page.status_code == 200
    assert f"Accept for {billing.name}" in page.content.decode()
    assert signed_in(outsider).get(page_url).status_code == 404
    # when: the receiver accepts from the page
    accepted = signed_in(receiver).post(f"/agent/routing/handoffs/{handoff.pk}/accept/")
    # then
    assert accepted.status_code == 302
    assert accepted["Location"] == page_url
    ticket.refresh_from_db()
    assert (ticket.team, ticket.assignee) == (billing, receiver)


def test_a_rejected_transfer_closes_the_ticket_to_the_team_that_rejected_it(waiting):
    _, sender, receiver, ticket, handoff = waiting
    reject_handoff(handoff=handoff, actor=receiver, reason="Not billing")
    assert signed_in(receiver).get(f"/agent/tickets/{ticket.pk}/").status_code == 404
    assert signed_in(sender).get(f"/agent/tickets/{ticket.pk}/").status_code == 200


def test_the_owner_who_handed_a_ticket_over_reads_it_while_they_follow_it(waiting):
    # given: Billing took the ticket, and the sender follows it as the transfer made them
    _, sender, receiver, ticket, handoff = waiting
    accept_handoff(handoff=handoff, actor=receiver)
    page_url = f"/agent/tickets/{ticket.pk}/"
    # then: the page their notifications link to opens, and the API lists the ticket
    assert signed_in(sender).get(page_url).status_code == 200
    assert visible_tickets(user=sender).filter(pk=ticket.pk).exists()
    # when: they stop following
    unfollow_ticket(ticket=ticket, user=sender)
    # then: from the next request on (a request remembers what its user may see)
    next_request_user = User.objects.get(pk=sender.pk)
    assert signed_in(sender).get(page_url).status_code == 404
    assert not visible_tickets(user=next_request_user).filter(pk=ticket.pk).exists()


def test_after_a_transfer_that_needs_no_acceptance_the_sender_stays_on_the_ticket(handoff_desk):
    # given: a team that takes transfers at once
    _, _, sender, _, ticket = handoff_desk
    docs = TeamFactory(name=team_name("Docs"))
    agent_in(docs)
    # when
    response = signed_in(sender).post(f"/agent/routing/tickets/{ticket.pk}/transfer/",
                                      {"to_team": docs.pk})
    # then: they follow it now, so they land back on its page rather than on their desk
    assert response["Location"] == f"/agent/tickets/{ticket.pk}/"
    ticket.refresh_from_db()
    assert ticket.team == docs


def test_what_a_user_may_see_costs_the_same_queries_however_much_is_granted(
    handoff_desk, django_assert_num_queries
):
    # given: the sender follows one ticket, then four more, outside their team
    _, billing, sender, _, _ = handoff_desk
    followed = [TicketFactory(team=billing) for _ in range(5)]
    for ticket in followed:
        follow_ticket(ticket=ticket, user=sender)
    user = User.objects.get(pk=sender.pk)
    assert user.has_perm("tickets.view_ticket")  # the permission cache is filled once
    # then: their teams, what they are granted, the tickets
    with django_assert_num_queries(3):
        seen = set(visible_tickets(user=user).values_list("pk", flat=True))
    assert {t.pk for t in followed} <= seen


def test_a_followed_ticket_stays_open_to_its_follower_until_it_is_closed(waiting):
    # given: Billing took the ticket and solved it; the sender follows it
    _, sender, receiver, ticket, handoff = waiting
    accept_handoff(handoff=handoff, actor=receiver)
    ticket.refresh_from_db()
    change_status(ticket=ticket, status=TicketStatus.SOLVED, actor=receiver)
    assert visible_tickets(user=User.objects.get(pk=sender.pk)).filter(pk=ticket.pk).exists()
    # when it is closed
    change_status(ticket=ticket, status=TicketStatus.CLOSED, actor=receiver)
    # then the follow no longer opens it (nor rides along each of the sender's queries)
    assert not visible_tickets(user=User.objects.get(pk=sender.pk)).filter(pk=ticket.pk).exists()
