"""The Proof scenarios of the routing issue, each through the real intake service."""

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from routing.choices import Fallback, Presence, ReasonCode, Strategy
from routing.models import OnCallShift, RoutingDecision
from routing.schedules import DAYS
from tests.routing.factories import (
    RoutingRuleFactory,
    TeamProfileFactory,
    agent_in,
    needs,
    owned_tickets,
    team_name,
)
from tests.tickets.factories import OrganizationFactory, TeamFactory
from tickets.choices import EventKind, TicketStatus, Tier
from tickets.models import TicketEvent

pytestmark = pytest.mark.django_db


def closed_all_day_today() -> dict[str, list[list[str]]]:
    """Business hours on one day only, three days from now: the team is closed now."""
    day = DAYS[(timezone.now().weekday() + 3) % 7]
    return {day: [["09:00", "17:00"]]}


def assigned_event(ticket):
    return TicketEvent.objects.filter(ticket=ticket, kind=EventKind.ASSIGNED).latest("pk")


def test_p1_technical_issue_from_enterprise_goes_to_the_most_skilled_available_engineer(intake):
    # given
    engineering = TeamFactory(name=team_name("Engineering"))
    rule = needs(RoutingRuleFactory(
        name="Enterprise P1 technical", team=engineering, strategy=Strategy.MOST_SKILLED,
        condition={"all": [
            {"field": "ticket.priority", "op": "equals", "value": "P1"},
            {"field": "organization.tier", "op": "equals", "value": "enterprise"},
            {"field": "ticket.category", "op": "in", "value": ["bug_report", "service_outage"]},
        ]},
    ), api=3)
    OrganizationFactory(external_id="acme", tier=Tier.ENTERPRISE)
    agent_in(engineering, skills={"api": 3})
    expert = agent_in(engineering, skills={"api": 5, "security": 2})
    agent_in(engineering, skills={"api": 5}, presence=Presence.OFFLINE)
    agent_in(engineering, skills={"api": 2})
    # when
    ticket, ctx = intake(priority="P1", category="bug_report", organization_external_id="acme")
    # then
    ticket.refresh_from_db()
    assert (ticket.team, ticket.assignee, ticket.status) == (engineering, expert, TicketStatus.OPEN)
    decision = RoutingDecision.objects.get(ticket=ticket)
    assert ctx.decisions["routing"] == decision.as_api()
    assert ctx.decisions["routing"]["rule"] == {"id": rule.pk, "name": "Enterprise P1 technical"}
    assert ctx.decisions["routing"]["strategy"] == "most_skilled"
    assert ctx.decisions["routing"]["fallback_used"] is False
    skipped = sorted(reason for c in decision.candidates for reason in c["skipped"])
    assert skipped == ["api level 2, needs 3", "is offline"]
    assert assigned_event(ticket).reason_code == ReasonCode.MOST_SKILLED


def test_billing_question_from_self_serve_user_queues_on_billing(intake_client):
    # given
    billing = TeamFactory(name=team_name("Billing"))
    RoutingRuleFactory(
        name="Self-serve billing", team=billing, strategy=Strategy.TEAM_QUEUE,
        condition={"all": [
            {"field": "ticket.impact", "op": "contains", "value": "billing"},
            {"field": "organization.tier", "op": "equals", "value": "self_serve"},
        ]},
    )
    OrganizationFactory(email_domains=["smallshop.example"], tier=Tier.SELF_SERVE)
    agent_in(billing)
    # when
    response = intake_client.post("/api/v1/tickets/", {
        "subject": "Charged twice", "description": "My card was charged twice.",
        "requester": {"email": "ana@smallshop.example"}, "impact": ["billing"],
    }, format="json")
    # then
    body = response.json()
    assert response.status_code == 201
    assert body["team"] == {"id": billing.pk, "name": billing.name}
    assert body["assignee"] is None
    assert body["routing"]["strategy"] == "team_queue"
    assert f"Queued on {billing.name}" in body["routing"]["explanation"]
    event = TicketEvent.objects.get(ticket_id=body["id"], kind=EventKind.ASSIGNED)
    assert (event.reason_code, event.after) == (ReasonCode.TEAM_QUEUE,
                                                {"assignee": None, "team": billing.pk})


def test_after_hours_security_concern_reaches_the_on_call_agent_override_first(intake):
    # given
    security = TeamFactory(name=team_name("Security"))
    TeamProfileFactory(team=security, business_hours=closed_all_day_today(),
                       time_zone="Europe/Berlin")
    RoutingRuleFactory(team=security, condition={
        "field": "ticket.impact", "op": "contains", "value": "security"})
    regular = agent_in(security, presence=Presence.OFFLINE)
    stand_in = agent_in(security, presence=Presence.OFFLINE)
    now = timezone.now()
    OnCallShift.objects.create(team=security, agent=regular, starts_at=now - timedelta(hours=8),
                               ends_at=now + timedelta(hours=8))
    OnCallShift.objects.create(team=security, agent=stand_in, is_override=True,
                               starts_at=now - timedelta(hours=1), ends_at=now + timedelta(hours=1))
    # when
    urgent, ctx = intake(priority="P1", impact=["security"])
    routine, _ = intake(priority="P3", impact=["security"])
    # then
    urgent.refresh_from_db()
    routine.refresh_from_db()
    assert urgent.assignee == stand_in
    assert ctx.decisions["routing"]["fallback_used"] is True
    assert assigned_event(urgent).reason_code == ReasonCode.ON_CALL
    assert (routine.team, routine.assignee) == (security, None)
    decision = routine.routing_decision
    assert decision.fallback == Fallback.AFTER_HOURS
    assert decision.queued_until > now
    assert decision.queued_until.astimezone(ZoneInfo("Europe/Berlin")).hour == 9


def test_with_12_open_tickets_for_one_agent_and_3_for_another_the_next_goes_to_the_second(intake):
    # given
    support = TeamFactory()
    RoutingRuleFactory(team=support, strategy=Strategy.LEAST_LOADED)
    busy = agent_in(support, capacity=20)
    light = agent_in(support, capacity=20)
    owned_tickets(12, agent=busy, team=support)
    owned_tickets(3, agent=light, team=support)
    # also solved tickets do not count
    owned_tickets(5, agent=light, team=support, status=TicketStatus.SOLVED)
    # when
    ticket, _ = intake()
    # then
    ticket.refresh_from_db()
    assert ticket.assignee == light
    loads = {c["agent"]["id"]: c["load"] for c in ticket.routing_decision.candidates}
    assert loads == {busy.pk: 12, light.pk: 3}


def test_an_agent_at_capacity_gets_nothing(intake):
    # given
    support = TeamFactory(name=team_name("Support"))
    RoutingRuleFactory(team=support, strategy=Strategy.ROUND_ROBIN)
    full = agent_in(support, capacity=2)
    owned_tickets(2, agent=full, team=support)
    # when
    ticket, ctx = intake()
    # then
    ticket.refresh_from_db()
    assert (ticket.team, ticket.assignee) == (support, None)
    decision = ticket.routing_decision
    assert decision.fallback == Fallback.AT_CAPACITY
    assert decision.candidates[0]["skipped"] == ["at capacity (2/2)"]
    assert "at capacity" in ctx.decisions["routing"]["explanation"]
    assert assigned_event(ticket).reason_code == ReasonCode.AT_CAPACITY


def test_priority_weights_count_against_capacity(intake):
    # given: two open P1 tickets weigh 3 each, so a capacity of 6 is used up
    support = TeamFactory()
    RoutingRuleFactory(team=support)
    weighted = agent_in(support, capacity=6, priority_weights={"P1": 3})
    owned_tickets(2, agent=weighted, team=support, priority="P1")
    # when
    ticket, _ = intake()
    # then
    ticket.refresh_from_db()
    assert ticket.assignee is None
    assert ticket.routing_decision.candidates[0]["load"] == 6


def test_no_eligible_agent_falls_back_to_the_backup_team(intake):
    # given
    tier1, tier2 = TeamFactory(name=team_name("Tier 1")), TeamFactory(name=team_name("Tier 2"))
    TeamProfileFactory(team=tier1, backup_team=tier2)
    RoutingRuleFactory(team=tier1)
    agent_in(tier1, presence=Presence.AWAY)
    helper = agent_in(tier2)
    # when
    ticket, ctx = intake()
    # then
    ticket.refresh_from_db()
    assert (ticket.team, ticket.assignee) == (tier2, helper)
    assert ticket.routing_decision.fallback == Fallback.BACKUP_TEAM
    assert ctx.decisions["routing"]["explanation"].count(f"backup team {tier2.name}") == 1


def test_language_and_working_hours_make_agents_ineligible(intake):
    # given
    support = TeamFactory()
    RoutingRuleFactory(team=support)
    agent_in(support, languages=["en"])
    agent_in(support, languages=["de"], working_hours=closed_all_day_today())
    speaker = agent_in(support, languages=["de", "en"], capacity=1)
    # when
    ticket, _ = intake(language="de-AT")
    # then
    ticket.refresh_from_db()
    assert ticket.assignee == speaker
    reasons = sorted(r for c in ticket.routing_decision.candidates for r in c["skipped"])
    assert reasons == ["does not speak de", "is outside working hours"]


def test_no_rule_sends_the_ticket_to_the_catch_all_team(intake):
    # given
    triage_team = TeamFactory(name=team_name("Front desk"))
    TeamProfileFactory(team=triage_team, catch_all=True)
    RoutingRuleFactory(condition={"field": "ticket.priority", "op": "equals", "value": "P1"})
    agent = agent_in(triage_team)
    # when
    ticket, ctx = intake(priority="P4")
    # then
    ticket.refresh_from_db()
    assert (ticket.team, ticket.assignee) == (triage_team, agent)
    assert ctx.decisions["routing"]["rule"] is None
    assert ctx.decisions["routing"]["fallback_used"] is True
