"""Escalation quality: leads and managers label escalations; reporting shows the shares."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from escalation.escalations.models import EscalationLabel
from reporting.models import TicketMetrics
from tests.conftest import key_client
from tests.escalation.policies import test_pages
from tests.tickets.factories import AdminFactory, TeamFactory
from tickets.models import Ticket

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("cookie_sessions")]
escalated = test_pages.escalated  # the fixture: open escalations of the team's tickets
web = test_pages.web


def label(user, escalation, quality, **headers):
    return web(user).post(reverse("escalations:label", args=[escalation.pk]),
                          {"quality": quality}, **headers)


def test_the_dashboard_offers_leads_the_three_labels_without_inline_script(people, escalated):
    # given an open escalation
    [escalation] = escalated(1)
    # when a lead opens the escalations page
    html = web(people["lead"]).get(reverse("escalations:dashboard")).content.decode()
    # then its row has a form posting each label by htmx, and no inline script
    assert f'hx-post="{reverse("escalations:label", args=[escalation.pk])}"' in html
    for quality in ("necessary", "premature", "late"):
        assert f'name="quality" value="{quality}"' in html
    assert "Not labelled" in html
    assert re.findall(r"<script(?![^>]*\bsrc=)", html) == []


def test_a_lead_labels_by_htmx_and_gets_the_cell_back(people, escalated):
    # given an open escalation
    [escalation] = escalated(1)
    # when the lead labels it from the page (htmx)
    response = label(people["lead"], escalation, "premature", HTTP_HX_REQUEST="true")
    # then the label is stored with who and when, and the cell comes back alone
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith(f'<td class="escalation-quality" id="quality-{escalation.pk}"')
    assert 'data-quality="premature"' in html
    stored = EscalationLabel.objects.get(escalation=escalation)
    assert (stored.quality, stored.labelled_by) == ("premature", people["lead"])
    assert stored.labelled_at is not None


def test_a_manager_changes_a_label_and_the_history_keeps_both(people, escalated):
    # given a lead's label
    [escalation] = escalated(1)
    label(people["lead"], escalation, "necessary")
    # when a manager changes it (without htmx)
    response = label(people["manager"], escalation, "late")
    # then the label is the manager's, and the history holds both versions
    assert response.status_code == 302
    stored = EscalationLabel.objects.get(escalation=escalation)
    assert (stored.quality, stored.labelled_by) == ("late", people["manager"])
    versions = list(stored.history.order_by("history_date").values_list(
        "quality", "labelled_by_id"))
    assert versions == [("necessary", people["lead"].pk), ("late", people["manager"].pk)]


def test_agents_cannot_label(people, escalated):
    # given an open escalation of the agent's team
    [escalation] = escalated(1)
    # when the agent tries to label it
    response = label(people["agent"], escalation, "necessary")
    # then it is refused and nothing is stored
    assert response.status_code == 403
    assert not EscalationLabel.objects.exists()


def test_an_unknown_label_is_a_400(people, escalated):
    [escalation] = escalated(1)

    response = label(people["lead"], escalation, "<b>whatever</b>")

    assert response.status_code == 400
    assert not EscalationLabel.objects.exists()


def test_a_lead_cannot_label_escalations_of_tickets_they_cannot_see(people, escalated):
    # given an escalation of another team's ticket
    [escalation] = escalated(1)
    Ticket.objects.filter(pk=escalation.ticket_id).update(team=TeamFactory(), assignee=None)
    # when the lead posts a label for it
    response = label(people["lead"], escalation, "late")
    # then it is missing to them
    assert response.status_code == 404


def test_labels_cost_no_query_per_row_on_the_dashboard(people, escalated):
    client = web(people["manager"])
    for escalation in escalated(2):
        label(people["manager"], escalation, "necessary")
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("escalations:dashboard"))
    for escalation in escalated(5)[2:]:
        label(people["manager"], escalation, "late")
    with CaptureQueriesContext(connection) as many:
        html = client.get(reverse("escalations:dashboard")).content.decode()

    assert html.count('data-quality="late"') == 5
    assert html.count('data-quality="necessary"') == 2
    assert len(many) == len(few)


def test_admins_see_and_edit_labels_with_history(people, escalated):
    [escalation] = escalated(1)
    label(people["lead"], escalation, "necessary")
    admin = web(AdminFactory(is_superuser=True))

    changelist = admin.get(reverse("admin:escalations_escalationlabel_changelist"))
    history = admin.get(reverse("admin:escalations_escalationlabel_history",
                                args=[escalation.pk]))

    assert changelist.status_code == 200
    assert history.status_code == 200


def _metrics_follow_tickets():
    # The fixture moves tickets with a bare UPDATE (no events): copy the owners across.
    for ticket in Ticket.objects.all():
        TicketMetrics.objects.filter(ticket=ticket).update(team_id=ticket.team_id,
                                                           assignee_id=ticket.assignee_id)


def _quality(body, name):
    found = next(t for t in body["tables"] if t["name"] == name)
    return [dict(zip([c["key"] for c in found["columns"]], row, strict=True))
            for row in found["rows"]]


def test_the_escalation_report_shows_the_share_of_each_label(people, escalated, policy):
    # given five escalations: two necessary, one premature, one late, one not labelled
    records = escalated(5)
    for escalation, quality in zip(records, ["necessary", "necessary", "premature", "late"],
                                   strict=False):
        label(people["lead"], escalation, quality)
    # when a manager's tool reads the escalation report
    body = web(people["manager"]).get("/api/v1/reports/escalation/").json()
    # then the shares are of the four labelled, and one is counted as not labelled
    [overall] = _quality(body, "quality")
    assert overall == {"escalations": 5, "labelled": 4, "unlabelled": 1,
                       "necessary_share": 0.5, "premature_share": 0.25, "late_share": 0.25}
    [by_trigger] = _quality(body, "quality-by-trigger")
    assert (by_trigger["policy__name"], by_trigger["trigger"]) == ("Hot tickets", "policy")
    assert by_trigger["labelled"] == 4


def test_an_agent_reads_the_quality_of_their_teams_escalations_only(people, escalated):
    # given a labelled escalation of another team's ticket
    records = escalated(2)
    for escalation in records:
        label(people["manager"], escalation, "late")
    Ticket.objects.filter(pk=records[1].ticket_id).update(team=TeamFactory(), assignee=None)
    _metrics_follow_tickets()
    # when the agent reads the report page
    body = web(people["agent"]).get("/api/v1/reports/escalation/").json()
    # then only their team's escalation counts
    [overall] = _quality(body, "quality")
    assert (overall["escalations"], overall["labelled"]) == (1, 1)


def test_integration_keys_read_the_quality_table(people, escalated):
    [escalation] = escalated(1)
    label(people["lead"], escalation, "premature")

    body = key_client("read")[0].get("/api/v1/reports/escalation/").json()

    [overall] = _quality(body, "quality")
    assert overall["premature_share"] == 1.0
