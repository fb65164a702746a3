"""A manager reads every dashboard, narrows the filters and exports a table as CSV."""

import random
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from reporting.backfill import backfill_all
from reporting.selectors import DASHBOARDS
from tests.browser.conftest import screenshot, sign_in
from tests.tickets.factories import (
    AgentFactory,
    ContactFactory,
    ManagerFactory,
    OrganizationFactory,
    TeamFactory,
)
from tickets.choices import Channel, Priority, Tier
from tickets.models import Ticket

pytestmark = pytest.mark.browser
STATUSES = ["new", "open", "pending", "solved", "solved", "closed", "solved", "on_hold"]


@pytest.fixture
def month_of_tickets(seeded):
    """120 tickets over the last four weeks, with times and outcomes, then their metrics."""
    rng = random.Random(8)
    teams = [TeamFactory(name=name) for name in ("Billing", "Platform", "Accounts")]
    agents = [AgentFactory(username=f"agent{n}", first_name=f"Agent{n}", last_name="Desk")
              for n in range(6)]
    for n, agent in enumerate(agents):
        teams[n % 3].members.add(agent)
    orgs = [OrganizationFactory(tier=tier) for tier in (Tier.ENTERPRISE, Tier.SMB, Tier.SMB)]
    contact = ContactFactory(organization=orgs[0])
    now = timezone.now()
    tickets = []
    for n in range(120):
        created = now - timedelta(days=rng.uniform(0, 27), hours=rng.uniform(0, 8))
        status = STATUSES[n % len(STATUSES)]
        done = status in ("solved", "closed")
        answered = status != "new"
        team = teams[n % 3]
        tickets.append(Ticket(
            subject=f"Ticket {n}", description="Details", requester=contact,
            organization=orgs[n % 3], team=team, assignee=agents[n % 6] if answered else None,
            status=status, priority=list(Priority)[n % 4], channel=list(Channel)[n % 5],
            category_id=["billing", "bug_report", "account_access", "general"][n % 4],
            created_at=created,
            first_response_at=created + timedelta(minutes=rng.uniform(5, 600))
            if answered else None,
            solved_at=created + timedelta(hours=rng.uniform(1, 72)) if done else None,
            closed_at=created + timedelta(days=4) if status == "closed" else None,
            sla_due_at=created + timedelta(hours=rng.choice([4, 24, 48])),
            escalated_at=created + timedelta(hours=1) if n % 9 == 0 else None,
            reassignments=n % 3, public_replies=1 + n % 2 if answered else 0,
        ))
    Ticket.objects.bulk_create(tickets)
    backfill_all()
    return ManagerFactory(username="max", first_name="Max", last_name="Manager")


def test_manager_reads_each_dashboard_filters_and_exports(live_server, new_page,
                                                           month_of_tickets):
    page = new_page()
    # given a manager signed in
    sign_in(page, live_server, "max")
    # when they follow the Reports link
    page.get_by_role("link", name="Reports").click()
    page.wait_for_url("**/agent/reports/sla/")
    # then every dashboard shows charts and tables
    for dashboard in DASHBOARDS.values():
        page.locator(".report-nav").get_by_role("link", name=dashboard.title, exact=True).click()
        page.wait_for_url(f"**/agent/reports/{dashboard.slug}/**")
        expect(page.get_by_role("heading", level=1)).to_have_text(dashboard.title)
        expect(page.locator("section.report-table").first).to_be_visible()
        screenshot(page, f"reports-{dashboard.slug}")
    assert page.csp_violations == []

    # when they narrow the SLA dashboard to P1 tickets of Billing
    page.locator(".report-nav").get_by_role("link", name="SLA", exact=True).click()
    page.locator("select[name=priority]").select_option("P1")
    page.locator("select[name=team]").select_option(label="Billing")
    page.get_by_role("button", name="Apply").click()
    page.wait_for_url(re.compile(r"priority=P1"))
    # then the filters stay chosen, and the tables show only P1
    expect(page.locator("select[name=priority]")).to_have_value("P1")
    expect(page.locator("#by-priority tbody tr")).to_have_count(1)
    expect(page.locator("#by-priority tbody tr")).to_contain_text("P1")
    screenshot(page, "reports-sla-filtered")

    # when they export the compliance-by-priority table
    with page.expect_download() as download_info:
        page.locator("#by-priority").get_by_role("link", name="Export CSV").click()
    download = download_info.value
    # then the file is the table, under the same filters
    assert re.fullmatch(r"sla-by-priority-\d{8}-\d{8}\.csv", download.suggested_filename)
    lines = Path(download.path()).read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("Priority,Tickets,First response compliance")
    assert len(lines) == 2
    assert lines[1].startswith("P1 critical,")
