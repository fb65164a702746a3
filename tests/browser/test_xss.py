import pytest
from playwright.sync_api import expect

from tests.browser.conftest import screenshot, sign_in
from tests.tickets.factories import AgentFactory, TeamFactory
from tests.tickets.ui.conftest import make_ticket

pytestmark = pytest.mark.browser

SUBJECT = "<script>window.__xss = 'subject'; alert('subject')</script>"
BODY = "Look: <img src=x onerror=\"window.__xss='body'; alert('body')\"> <b>bold?</b>"


def test_payloads_in_a_ticket_run_nothing(live_server, new_page, seeded):
    # given
    team = TeamFactory(name="Billing")
    agent = AgentFactory(username="ana", first_name="Ana")
    team.members.add(agent)
    ticket = make_ticket(team=team, assignee=agent, subject=SUBJECT, description=BODY)
    page = new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    # when
    sign_in(page, live_server, "ana")
    expect(page.locator("#queue-rows")).to_contain_text(SUBJECT)
    page.goto(f"{live_server.url}/agent/tickets/{ticket.pk}/")
    # then
    expect(page.locator("h1")).to_have_text(SUBJECT)
    expect(page.locator(".original .body")).to_have_text(BODY)
    page.wait_for_timeout(500)
    assert dialogs == []
    assert page.evaluate("window.__xss") is None
    assert page.locator(".original img").count() == 0
    screenshot(page, "xss-ticket")
