"""Dashboard pages, CSV exports and the report API, per role, on the hand-built desk."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from reporting.selectors import DASHBOARDS, METRICS
from tests.conftest import key_client
from tests.reporting.conftest import PERIOD, _ticket, at
from tests.tickets.factories import AdminFactory

pytestmark = pytest.mark.django_db


def page(client, slug, **params):
    return client.get(reverse("reporting:dashboard", args=[slug]), {**PERIOD, **params})


def api(client, slug, **params):
    return client.get(f"/api/v1/reports/{slug}/", {**PERIOD, **params})


def table(body, name):
    found = next(t for t in body["tables"] if t["name"] == name)
    return [dict(zip([c["key"] for c in found["columns"]], row, strict=True))
            for row in found["rows"]]


@pytest.mark.parametrize("slug", sorted(DASHBOARDS))
def test_manager_opens_every_dashboard_with_a_chart_and_a_table(desk, slug):
    # when
    with at(1560):
        response = page(desk.client("max"), slug)
    # then
    assert response.status_code == 200
    html = response.content.decode()
    assert "<svg" in html
    assert "<table" in html
    assert "Export CSV" in html
    assert "<script>" not in html


@pytest.mark.parametrize(("who", "tickets"), [
    ("ana", 3),  # Billing: T1, T2, T5
    ("lee", 3),  # leads Billing
    ("cy", 2),  # Platform: T3, T4
    ("max", 5),  # manager: everything
])
def test_people_see_their_teams_figures_only(desk, who, tickets):
    # when
    body = api(desk.client(who), "followup").json()
    # then
    assert table(body, "summary")[0]["tickets"] == tickets


def test_admin_sees_everything(desk):
    client = desk.client("max")
    client.force_login(AdminFactory(username="root"))
    assert table(api(client, "followup").json(), "summary")[0]["tickets"] == 5


def test_an_agent_cannot_ask_for_another_teams_figures(desk):
    # when: ana (Billing) asks for Platform
    response = api(desk.client("ana"), "sla", team=desk.platform.pk)
    page_response = page(desk.client("ana"), "sla", team=desk.platform.pk)
    # then
    assert response.status_code == 400
    assert "team" in response.json()
    assert page_response.status_code == 400


def test_filters_narrow_every_table(desk):
    client = desk.client("max")
    # when
    by_priority = api(client, "volume", priority="P3").json()
    by_channel = api(client, "volume", channel="email").json()
    by_tier = api(client, "volume", tier="enterprise").json()
    by_team = api(client, "volume", team=desk.platform.pk).json()
    later = api(client, "volume", date_from="2026-03-03").json()
    # then
    def total(body):
        return sum(row["tickets"] for row in table(body, "by-channel"))
    assert total(by_priority) == 2  # T3, T4
    assert total(by_channel) == 2  # T1, T3
    assert total(by_tier) == 2  # T1, T4
    assert total(by_team) == 2  # T3, T4
    assert total(later) == 0  # all five were created on 2026-03-02


@pytest.mark.parametrize("params", [
    {"date_from": "yesterday"}, {"priority": "P9"}, {"date_from": "2026-03-05"},
    {"date_from": "2020-01-01", "date_to": "2026-01-01"}, {"team": "x"},
])
def test_bad_filters_are_a_clear_400(desk, params):
    assert api(desk.client("max"), "sla", **params).status_code == 400
    assert page(desk.client("max"), "sla", **params).status_code == 400


def test_unknown_report_is_404(desk):
    assert api(desk.client("max"), "nope").status_code == 404
    assert page(desk.client("max"), "nope").status_code == 404


def test_api_keys_need_the_read_scope(desk):
    reader, _ = key_client("read")
    intake, _ = key_client("intake")
    # then
    assert table(api(reader, "sla").json(), "by-priority")[0]["tickets"] == 1  # P1: T1
    assert api(intake, "sla").status_code == 403
    assert api(desk.client("max").__class__(), "sla").status_code in (401, 403)


def test_csv_export_has_the_tables_rows(desk):
    # when
    url = reverse("reporting:table-csv", args=["handoffs", "rejected-by-reason"])
    response = desk.client("max").get(url, PERIOD)
    # then
    assert response["Content-Type"].startswith("text/csv")
    assert "handoffs-rejected-by-reason-20260302-20260303.csv" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows == [["Reason", "Rejected"], ["Not a billing question", "1"]]


def test_csv_cells_that_look_like_formulas_are_quoted(desk):
    from tickets.choices import EventKind
    from tickets.events import record_event

    record_event(ticket=desk.tickets["T3"], kind=EventKind.SATISFACTION_RATED, actor=None,
                 after={"score": 1, "comment": "=HYPERLINK(\"http://x\")"})
    url = reverse("reporting:table-csv", args=["followup", "comments"])
    body = desk.client("max").get(url, PERIOD).content.decode()
    assert "'=HYPERLINK" in body


def test_agents_dashboard_lists_owners_with_their_load(desk):
    rows = table(api(desk.client("max"), "agents").json(), "per-agent")
    by_name = {row["assignee_id_name"]: row for row in rows}
    assert by_name["Cy Agent"]["solved"] == 1  # T3
    assert by_name["Cy Agent"]["open_load"] == 1  # T4
    assert by_name["Dee Agent"]["median_first_response"] == 120.0  # T2
    assert "Bob Agent" not in by_name  # owned T2 for a while, owns nothing now


def test_triage_and_response_tables(desk):
    client = desk.client("max")
    triage = api(client, "triage").json()
    response = api(client, "response").json()
    assert table(triage, "overridden-rules") == [{"rule_name": "Crash words", "overrides": 1}]
    precision = {r["triage_category_name"]: r["triage_precision"]
                 for r in table(triage, "precision")}
    assert precision == {"Billing": 1.0, "Bug report": 0.0}  # T1, T2 kept; T3 moved
    assert table(response, "macros") == [
        {"macro_name": "Refund", "uses": 2, "edited_uses": 1, "edit_rate": 0.5},
        {"macro_name": "Welcome", "uses": 1, "edited_uses": 0, "edit_rate": 0.0},
    ]


@pytest.mark.parametrize("slug", sorted(DASHBOARDS))
def test_query_count_does_not_grow_with_tickets(desk, slug):
    client = desk.client("max")
    page(client, slug)  # warm the session and the permission caches
    with CaptureQueriesContext(connection) as before:
        page(client, slug)
    for minute in range(5):
        _ticket(300 + minute, team=desk.billing, channel="phone")
    with CaptureQueriesContext(connection) as after:
        page(client, slug)
    assert len(after) == len(before)


def test_glossary_defines_every_metric(desk):
    html = desk.client("ana").get(reverse("reporting:glossary")).content.decode()
    for metric in METRICS.values():
        assert f'id="{metric.name}"' in html
        assert escape(metric.definition[:40]) in html


def test_reports_link_shows_for_leads_and_managers_only(desk):
    queue = reverse("tickets:queue", args=["mine"])
    link = reverse("reporting:home")
    assert link in desk.client("lee").get(queue).content.decode()
    assert link in desk.client("max").get(queue).content.decode()
    assert link not in desk.client("ana").get(queue).content.decode()


def test_people_without_a_role_are_refused(desk):
    from tests.tickets.factories import UserFactory

    client = desk.client("max")
    client.force_login(UserFactory(username="nobody"))
    assert page(client, "sla").status_code == 403
    assert api(client, "sla").status_code == 403




def test_sla_now_tables_measure_open_tickets_at_request_time(desk):
    # when: the next morning, 1560 minutes after T0
    with at(1560):
        body = api(desk.client("max"), "sla").json()
    # then: T4 (open, 23 h old) and T5 (new, 22 h old) are under a day old
    backlog = table(body, "backlog")
    assert [(row["age"], row["new"], row["open"], row["total"]) for row in backlog] == [
        ("under 1 day", 1, 1, 2)]
    now = {row["team_id_name"]: row for row in table(body, "breaches-now")}
    assert (now["Platform"]["breached_now"], now["Platform"]["near_breach"]) == (1, 0)  # T4
    assert (now["Billing"]["breached_now"], now["Billing"]["near_breach"]) == (0, 1)  # T5


def test_sla_now_tables_test_each_row_for_open_once_not_per_figure(desk):
    # given the open-now query, whose WHERE already keeps unsolved tickets only
    with at(1560), CaptureQueriesContext(connection) as queries:
        body = api(desk.client("max"), "sla").json()
    # then its figures do not repeat the status test, and still count what is open
    now_query = next(q["sql"] for q in queries.captured_queries if "breached_now" in q["sql"])
    assert now_query.count("'awaiting_info'") == 1
    assert sum(row["open_tickets"] for row in table(body, "breaches-now")) == 2


def test_names_in_tables_and_chart_titles_are_escaped(desk):
    # given a team whose name is markup
    desk.platform.name = '<script>alert("x")</script>'
    desk.platform.save(update_fields=["name"])
    # when the manager opens the SLA dashboard, whose by-team table has a bar chart
    with at(1560):
        html = page(desk.client("max"), "sla").content.decode()
    # then the name shows as text in the table cells and in the bars' titles, never as markup
    assert "<script>" not in html
    assert f"<td>{escape(desk.platform.name)}</td>" in html
    assert f"<title>{escape(desk.platform.name)}: " in html
