"""
An agent switches presence and transfers a ticket; an agent of the receiving team reads it
and accepts it on its page; the sender keeps reading it as a follower.
"""

import pytest
from playwright.sync_api import expect

from routing.choices import HandoffState, Presence
from routing.models import AgentProfile, Follower, Handoff
from tests.browser.conftest import screenshot, sign_in
from tests.routing.factories import AgentProfileFactory, TeamProfileFactory
from tests.tickets.factories import AgentFactory, TeamFactory
from tests.tickets.ui.conftest import make_ticket
from tickets.models import Ticket

pytestmark = pytest.mark.browser


@pytest.fixture
def desk(seeded):
    support = TeamFactory(name="Support")
    billing = TeamFactory(name="Billing")
    TeamProfileFactory(team=billing, must_accept=True,
                       required_fields=["ticket.custom_fields.order_id"])
    ana = AgentFactory(username="ana", first_name="Ana", last_name="Silva")
    bob = AgentFactory(username="bob", first_name="Bob", last_name="Stone")
    support.members.add(ana)
    billing.members.add(bob)
    AgentProfileFactory(user=ana, presence=Presence.OFFLINE)
    AgentProfileFactory(user=bob, presence=Presence.AVAILABLE)
    ticket = make_ticket(team=support, assignee=ana, priority="P2",
                         subject="Refund for order A-17")
    return {"support": support, "billing": billing, "ana": ana, "bob": bob, "ticket": ticket}


def test_agent_switches_presence_and_a_billing_agent_accepts_her_transfer(
    live_server, new_page, desk
):
    ticket, billing = desk["ticket"], desk["billing"]
    # given Ana is signed in and offline
    ana = new_page()
    sign_in(ana, live_server, "ana")
    expect(ana.locator(".presence-now")).to_have_text("Offline")

    # when she sets herself available from the top bar (htmx, no reload)
    ana.get_by_role("button", name="Set available").click()
    # then the switch shows it and the profile says so
    expect(ana.locator(".presence-now")).to_have_text("Available")
    assert AgentProfile.objects.get(user=desk["ana"]).presence == Presence.AVAILABLE
    screenshot(ana, "routing-presence-available")

    # when she transfers the ticket to Billing without the order id its contract needs
    ana.goto(f"{live_server.url}/agent/tickets/{ticket.pk}/")
    panel = ana.locator("#routing-panel")
    panel.get_by_label("To team").select_option(label="Billing (must accept) · needs "
                                                "ticket.custom_fields.order_id")
    panel.get_by_role("button", name="Transfer").click()
    # then it is refused with the list of what is missing
    expect(ana.locator(".flash")).to_contain_text(
        "Transfer to Billing refused: the ticket lacks ticket.custom_fields.order_id")
    screenshot(ana, "routing-transfer-refused")

    # when the order id is there and she transfers again, with a note
    Ticket.objects.filter(pk=ticket.pk).update(custom_fields={"order_id": "A-17"})
    ana.reload()
    panel = ana.locator("#routing-panel")
    panel.get_by_label("To team").select_option(str(billing.pk))
    panel.get_by_label("Note for the team").fill("Customer wants a refund <b>now</b>")
    panel.get_by_role("button", name="Transfer").click()
    # then it waits for Billing
    expect(ana.locator("#routing-panel .handoff-pending")).to_contain_text(
        "Waiting for Billing to accept")
    screenshot(ana, "routing-transfer-pending")

    # when Bob of Billing sees it in his transfers and accepts it
    bob = new_page()
    sign_in(bob, live_server, "bob")
    expect(bob.locator(".handoffs-link .count")).to_have_text("1")
    bob.locator(".handoffs-link").click()
    article = bob.locator("article.handoff")
    expect(article).to_contain_text("Refund for order A-17")
    expect(article).to_contain_text("Customer wants a refund <b>now</b>")  # shown as text
    screenshot(bob, "routing-handoffs-waiting")
    # and opens the ticket, still Support's, to read it before he decides
    article.get_by_role("link", name="Refund for order A-17").click()
    bob.wait_for_url(f"**/agent/tickets/{ticket.pk}/")
    expect(bob.locator("#routing-panel .handoff-pending")).to_contain_text(
        "Waiting for Billing to accept")
    bob.locator("#routing-panel").get_by_role("button", name="Accept for Billing").click()

    # then Bob owns the ticket in Billing, and Ana follows it
    expect(bob.locator(".flash")).to_contain_text("Accepted: the ticket is yours.")
    expect(bob.locator("#routing-panel .routing-owner")).to_contain_text("Bob Stone")
    screenshot(bob, "routing-handoff-accepted")
    # and Ana, no longer in the owning team, still opens the ticket she follows
    ana.reload()
    expect(ana.locator("#routing-panel")).to_contain_text("Bob Stone")
    ticket.refresh_from_db()
    assert (ticket.team, ticket.assignee) == (billing, desk["bob"])
    assert Handoff.objects.get(ticket=ticket).state == HandoffState.ACCEPTED
    assert Follower.objects.filter(ticket=ticket, user=desk["ana"]).exists()
    assert ana.csp_violations == []
    assert bob.csp_violations == []
