"""A manager judges an ended escalation on the escalations page and sees its share change."""

import re

import pytest
from playwright.sync_api import expect

from escalation.escalations.models import Escalation, EscalationLabel
from escalation.escalations.services.labels import label_escalation
from escalation.escalations.services.records import de_escalate
from tests.browser.conftest import screenshot, sign_in
from tests.tickets.factories import ManagerFactory, TeamFactory, TeamLeadFactory
from tests.tickets.ui.conftest import make_ticket
from tickets.choices import EventKind
from tickets.events import record_event
from tickets.services.lifecycle import escalate_ticket

pytestmark = pytest.mark.browser


@pytest.fixture
def judged(seeded):
    """Three escalated tickets: two escalations labelled necessary, one ended unlabelled."""
    lead = TeamLeadFactory(username="lee", first_name="Lee", last_name="Lead")
    team = TeamFactory(name="Platform", lead=lead)
    manager = ManagerFactory(username="max", first_name="Max", last_name="Manager")
    for n in range(3):
        ticket = make_ticket(team=team, priority="P2", subject=f"Outage report {n}")
        record_event(ticket=ticket, kind=EventKind.CREATED, actor=None,
                     after={"status": ticket.status})  # its metrics row, as intake makes it
        escalate_ticket(ticket=ticket, actor=lead, reason="Customer is down")
    first, second, third = Escalation.objects.order_by("pk")
    for record in (first, second):
        label_escalation(escalation=record, quality="necessary", actor=lead)
    de_escalate(escalation=third, actor=lead, reason="Workaround found")
    return {"manager": manager, "ended": third}


def quality_row(page) -> dict[str, str]:
    """The escalation report's overall quality row, by column heading."""
    table = page.locator("#quality table")
    headings = table.locator("thead th").all_inner_texts()
    cells = table.locator("tbody tr").first.locator("td, th").all_inner_texts()
    return dict(zip(headings, cells, strict=True))


def open_escalation_report(page) -> dict[str, str]:
    page.get_by_role("link", name="Reports").click()
    page.locator(".report-nav").get_by_role("link", name="Escalation", exact=True).click()
    page.wait_for_url("**/agent/reports/escalation/**")
    expect(page.locator("#quality")).to_be_visible()
    return quality_row(page)


def test_a_manager_labels_an_ended_escalation_and_its_share_changes(live_server, new_page,
                                                                     judged):
    ended = judged["ended"]
    page = new_page()
    # given a manager signed in, reading the escalation report: 2 of 3 labelled, all necessary
    sign_in(page, live_server, "max")
    before = open_escalation_report(page)
    assert (before["Escalations"], before["Labelled"], before["Not labelled"]) == ("3", "2", "1")
    assert (before["Necessary (of labelled)"], before["Premature (of labelled)"]) == (
        "100.0%", "0.0%")

    # when they open the escalations page and judge the ended one premature
    page.goto(f"{live_server.url}/agent/escalations/")
    row = page.locator(f'tr[data-ended-escalation="{ended.pk}"]')
    expect(row).to_contain_text("Workaround found")
    expect(row).to_contain_text("Not labelled")
    row.get_by_role("button", name="Premature").click()
    # then the cell is swapped in place by htmx (no page load) and shows who judged it
    expect(row.locator('[data-quality="premature"]')).to_have_text("Premature")
    expect(row).to_contain_text("by Max Manager")
    expect(row.get_by_role("button", name="Premature")).to_have_attribute("aria-pressed", "true")
    expect(page).to_have_url(re.compile(r"/agent/escalations/$"))
    screenshot(page, "escalations-ended-labelled")
    assert EscalationLabel.objects.get(escalation=ended).quality == "premature"

    # when they go back to the escalation report
    after = open_escalation_report(page)
    # then all three are labelled, and the premature share is one in three
    assert (after["Escalations"], after["Labelled"], after["Not labelled"]) == ("3", "3", "0")
    assert (after["Necessary (of labelled)"], after["Premature (of labelled)"]) == (
        "66.7%", "33.3%")
    page.locator("#quality").scroll_into_view_if_needed()
    screenshot(page, "reports-escalation-quality-after-label")
    assert page.csp_violations == []
