import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import screenshot, sign_in
from tests.tickets.factories import AgentFactory, OrganizationFactory, TeamFactory
from tests.tickets.ui.conftest import make_ticket
from tickets.choices import TicketStatus, Tier
from tickets.models import KnowledgeArticle, Macro, MacroUse, Ticket

pytestmark = pytest.mark.browser


@pytest.fixture
def desk(seeded):
    team = TeamFactory(name="Billing")
    ana = AgentFactory(username="ana", first_name="Ana", last_name="Silva")
    bob = AgentFactory(username="bob", first_name="Bob", last_name="Stone")
    team.members.add(ana, bob)
    acme = OrganizationFactory(name="Acme Corp", tier=Tier.ENTERPRISE, plan="Scale",
                               annual_value=120000, health_score=62, at_risk=True)
    top = make_ticket(team=team, assignee=ana, priority="P1", organization=acme,
                      due_in=timedelta(minutes=35), subject="Charged twice for annual plan",
                      description="Hi,\nmy card was charged twice on March 15.\n\nThanks, Bea")
    top.requester.name = "Bea Jones"
    top.requester.save()
    make_ticket(team=team, assignee=ana, priority="P1", due_in=timedelta(hours=3),
                subject="Invoice shows the wrong VAT number")
    make_ticket(team=team, assignee=ana, priority="P3", due_in=timedelta(minutes=10),
                subject="How do I export reports?")
    make_ticket(team=team, assignee=ana, priority="P2", due_in=-timedelta(minutes=12),
                subject="Password reset email never arrives")
    Macro.objects.create(
        name="Ask for a screenshot",
        body="Hi {{ requester.first_name }},\n\nThanks for reporting {{ ticket.reference }}. "
             "Could you send a screenshot of the charge?\n\nBest,\n{{ agent.first_name }}")
    KnowledgeArticle.objects.create(title="Duplicate charges and refunds",
                                    body="Duplicate **charges** are refunded within 5 days.")
    return {"team": team, "ana": ana, "bob": bob, "top": top}


def test_agent_works_a_ticket_and_a_stale_edit_is_refused(live_server, new_page, desk):
    top = desk["top"]
    # given Bob has the ticket open already
    bob = new_page()
    sign_in(bob, live_server, "bob")
    bob.goto(f"{live_server.url}/agent/tickets/{top.pk}/")

    # when Ana signs in, filters her queue to P1 and opens the top ticket
    ana = new_page()
    sign_in(ana, live_server, "ana")
    ana.get_by_label("Priority", exact=True).select_option("P1")
    ana.get_by_role("button", name="Filter").click()
    ana.wait_for_url(re.compile(r"priority=P1"))
    expect(ana.locator(".queue-page .error")).to_have_count(0)
    rows = ana.locator("#queue-rows tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("Charged twice for annual plan")
    expect(rows.first.locator(".sla")).to_have_class(re.compile("sla-soon"))
    screenshot(ana, "queue")
    rows.first.locator("a[data-ticket-link]").click()

    # then she sees the story and who else is here
    expect(ana.locator(".original")).to_contain_text("my card was charged twice on March 15.")
    expect(ana.locator("#presence")).to_contain_text("Also viewing now: Bob Stone")

    # when she replies with a macro and sets the ticket to pending
    ana.locator("[data-macro-select]").select_option(label="Ask for a screenshot")
    body = ana.locator("#reply-form textarea[name=body]")
    expect(body).to_have_value(re.compile(r"^Hi Bea,\n\nThanks for reporting HD-\d+"))
    ana.get_by_label("Then set status").select_option(TicketStatus.PENDING.value)
    screenshot(ana, "ticket")
    ana.get_by_role("button", name="Send").click()

    # then the reply is on the timeline and the macro use is recorded, unedited
    expect(ana.locator(".flash")).to_contain_text("Reply sent.")
    expect(ana.locator(".ticket-head .status")).to_have_text("Pending (waiting on customer)")
    last_message = ana.locator(".timeline .msg-message").last
    expect(last_message).to_contain_text("Could you send a screenshot")
    assert Ticket.objects.get(pk=top.pk).status == TicketStatus.PENDING
    assert MacroUse.objects.get().edited is False
    screenshot(ana, "ticket-after-reply")

    # when Bob, whose page predates the reply, changes the priority
    bob.get_by_label("Priority").select_option("P2")
    bob.get_by_role("button", name="Save changes").click()

    # then his stale edit is refused with a clear message, and nothing was overwritten
    expect(bob.locator(".flash-error")).to_contain_text("Someone else changed this ticket")
    assert Ticket.objects.get(pk=top.pk).priority == "P1"
    screenshot(bob, "stale-edit")
    assert ana.csp_violations == []
    assert bob.csp_violations == []


def test_queue_selection_survives_the_poll(live_server, new_page, desk):
    page = new_page()
    sign_in(page, live_server, "ana")
    boxes = page.locator('#queue-rows input[name="ids"]')
    boxes.nth(0).check()
    boxes.nth(2).check()
    expect(page.locator("[data-bulk-count]")).to_have_text("2 selected")
    # The same request the 20-second poll sends, sent now; the old rows are marked to see
    # that they were really replaced.
    page.evaluate("document.querySelector('#queue-rows').dataset.old = 'yes'")
    page.evaluate("htmx.ajax('GET', document.querySelector('#queue-rows').getAttribute('hx-get'),"
                  " {target: '#queue-rows', swap: 'outerHTML'})")
    expect(page.locator("#queue-rows[data-old]")).to_have_count(0)
    expect(boxes.nth(0)).to_be_checked()
    expect(boxes.nth(1)).not_to_be_checked()
    expect(boxes.nth(2)).to_be_checked()
    expect(page.locator("[data-bulk-count]")).to_have_text("2 selected")
