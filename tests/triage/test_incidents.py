"""Parent incidents: agents mark one, triage links matching new tickets to it as children."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.tickets.factories import AgentFactory, TeamFactory
from tests.tickets.ui.conftest import make_ticket, signed_in
from tickets.choices import EventKind, TicketStatus
from tickets.models import Ticket, TicketEvent
from triage.incidents import mark_parent_incident
from triage.models import TriageDecision, TriageSettings
from triage.rulebook import publish_rulebook_version

from .helpers import intake

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seeded_rules", "triage_only")]

OUTAGE_SUBJECT = "Login outage: SSO sign-in fails with 502 for all customers"
OUTAGE_BODY = ("We are investigating an outage of single sign-on. Users cannot log in; the SSO "
               "callback returns 502 Bad Gateway.")


@pytest.fixture(autouse=True)
def _triage_page(settings):
    """The ticket page with triage's own panel and decision only, as other apps come and go."""
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"
    settings.HELPDESK_TICKET_PANELS = ["triage.panels.incident_panel"]
    settings.HELPDESK_TICKET_PREFETCH = ["triage_decision"]


@pytest.fixture
def team():
    return TeamFactory(name="Platform")


@pytest.fixture
def agent(team):
    user = AgentFactory(username="ana")
    team.members.add(user)
    return user


@pytest.fixture
def incident(team, agent):
    ticket = make_ticket(team=team, subject=OUTAGE_SUBJECT, description=OUTAGE_BODY)
    return mark_parent_incident(ticket=ticket, is_parent=True, actor=agent, reason="major")


def test_a_new_ticket_that_reads_like_the_incident_becomes_its_child(incident):
    # when
    ticket, triage = intake("Can't log in",
                            "Since this morning SSO login gives me a 502 error, none of my "
                            "team can sign in.")
    # then
    ticket.refresh_from_db()
    assert ticket.parent_incident_id == incident.pk
    assert triage["parent_incident"]["id"] == incident.pk
    assert triage["parent_incident"]["reference"] == incident.reference
    assert triage["parent_incident"]["score"] >= 0.15
    event = TicketEvent.objects.get(ticket=ticket, kind=EventKind.INCIDENT_LINKED)
    assert event.after["parent_incident"] == incident.pk
    assert event.actor is None
    assert TriageDecision.objects.get(ticket=ticket).parent_incident_id == incident.pk


def test_a_ticket_marked_after_an_intake_is_matched_at_once(team, agent):
    # given: an intake that found (and cached) no open parent incident
    intake("Warm up", "Nothing to see here.")
    ticket = make_ticket(team=team, subject=OUTAGE_SUBJECT, description=OUTAGE_BODY)
    # when
    mark_parent_incident(ticket=ticket, is_parent=True, actor=agent)
    _child, triage = intake("SSO 502", "SSO sign-in fails with 502 Bad Gateway, cannot log in.")
    # then
    assert triage["parent_incident"]["id"] == ticket.pk


@pytest.mark.parametrize(
    ("subject", "body"),
    [
        ("Invoice wrong", "My invoice for March shows the wrong amount, please fix it."),
        ("Password reset", "I forgot my password and the reset email never arrives."),
        ("", ""),
    ],
)
def test_an_unrelated_ticket_is_not_linked(incident, subject, body):
    ticket, triage = intake(subject or "?", body or ".")
    ticket.refresh_from_db()
    assert ticket.parent_incident_id is None
    assert triage["parent_incident"] is None
    assert not TicketEvent.objects.filter(ticket=ticket, kind=EventKind.INCIDENT_LINKED).exists()


def test_a_solved_or_unmarked_incident_takes_no_new_children(incident, agent):
    mark_parent_incident(ticket=incident, is_parent=False, actor=agent)
    unmarked, _ = intake("SSO 502", "SSO sign-in fails with 502 Bad Gateway, cannot log in.")
    mark_parent_incident(ticket=incident, is_parent=True, actor=agent)
    Ticket.objects.filter(pk=incident.pk).update(status=TicketStatus.SOLVED)
    solved, _ = intake("SSO 502", "SSO sign-in fails with 502 Bad Gateway, cannot log in.")
    assert Ticket.objects.filter(pk__in=[unmarked.pk, solved.pk],
                                 parent_incident__isnull=False).count() == 0


def test_the_admin_threshold_decides_how_close_a_match_must_be(incident):
    TriageSettings.objects.create(parent_incident_min_rank=0.9)
    publish_rulebook_version()
    _ticket, triage = intake("Can't log in", "SSO login gives me a 502 error.")
    assert triage["parent_incident"] is None


def test_marking_records_who_and_why_and_is_idempotent(incident, agent):
    events = TicketEvent.objects.filter(ticket=incident, kind=EventKind.FIELDS_CHANGED)
    assert [(e.after, e.actor, e.note) for e in events] == [
        ({"is_parent_incident": True}, agent, "major")]
    mark_parent_incident(ticket=incident, is_parent=True, actor=agent)
    assert events.count() == 1


def test_an_agent_marks_and_unmarks_from_the_ticket_page(team, agent):
    # given
    ticket = make_ticket(team=team, subject=OUTAGE_SUBJECT, description=OUTAGE_BODY)
    web = signed_in(agent)
    url = f"/agent/triage/tickets/{ticket.pk}/parent-incident/"
    # when
    marked = web.post(url, {"is_parent": "on", "reason": "Everyone is affected"})
    ticket.refresh_from_db()
    # then
    assert marked.status_code == 302
    assert ticket.is_parent_incident is True
    page = web.get(f"/agent/tickets/{ticket.pk}/").content.decode()
    assert "Parent incident</strong> · 0 linked tickets" in page
    assert "Unmark as parent incident" in page
    web.post(url, {})
    ticket.refresh_from_db()
    assert ticket.is_parent_incident is False


def test_marking_a_ticket_out_of_reach_is_404_and_needs_a_post(team):
    outsider = AgentFactory(username="bob")
    ticket = make_ticket(team=team)
    web = signed_in(outsider)
    url = f"/agent/triage/tickets/{ticket.pk}/parent-incident/"
    assert web.post(url, {"is_parent": "on"}).status_code == 404
    assert signed_in(AgentFactory()).get(url).status_code == 405
    ticket.refresh_from_db()
    assert ticket.is_parent_incident is False


def test_the_page_shows_the_parent_link_and_the_children_count_in_constant_queries(
    incident, team, agent
):
    # given
    children = [make_ticket(team=team, parent_incident=incident) for _ in range(2)]
    web = signed_in(agent)
    # when
    child_page = web.get(f"/agent/tickets/{children[0].pk}/").content.decode()
    with CaptureQueriesContext(connection) as few:
        parent_page = web.get(f"/agent/tickets/{incident.pk}/").content.decode()
    for _ in range(3):
        make_ticket(team=team, parent_incident=incident)
    with CaptureQueriesContext(connection) as many:
        more = web.get(f"/agent/tickets/{incident.pk}/").content.decode()
    # then
    assert f"Part of parent incident <a href=\"/agent/tickets/{incident.pk}/\">" in child_page
    assert "· 2 linked tickets" in parent_page
    assert "· 5 linked tickets" in more
    assert len(many.captured_queries) == len(few.captured_queries)


def test_a_title_with_markup_is_escaped_in_the_panel(team, agent):
    parent = make_ticket(team=team, subject="<script>alert(1)</script> outage")
    child = make_ticket(team=team, parent_incident=parent)
    page = signed_in(agent).get(f"/agent/tickets/{child.pk}/").content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt; outage" in page
    assert "<script>alert(1)</script>" not in page


def test_an_ordinary_ticket_page_costs_no_incident_query(team, agent, django_assert_num_queries):
    from triage.panels import incident_panel

    ticket = make_ticket(team=team)
    agent.has_perm("tickets.view_ticket")  # as the page's permission check has loaded them
    with django_assert_num_queries(0):
        panel = incident_panel(ticket=ticket, user=agent)
    assert (panel.context["parent"], panel.context["children"]) == (None, 0)
