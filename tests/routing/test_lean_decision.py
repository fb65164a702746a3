"""
A routing decision proves who may own the ticket once (the roster's permission, membership
under the agent's lock), stores its candidates compactly, and costs the same few queries
with every ASSIGNED handler on, whatever the size of the team.
"""

import json
import re

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from routing.choices import Presence, Strategy
from routing.models import AgentLoad, AgentProfile, RoutingDecision
from routing.planning import plan_routing
from routing.services.routing import assign_route, claim_agent, decide_route, route_ticket
from routing.snapshot import current_snapshot, publish_snapshot_version
from tests.routing.factories import (
    AgentProfileFactory,
    RoutingRuleFactory,
    agent_in,
    needs,
    owned_tickets,
    team_name,
)
from tests.tickets.factories import AdminFactory, TeamFactory, TicketFactory, UserFactory
from tickets.conditions.facts import FACT_RELATIONS
from tickets.models import Ticket
from tickets.roles import Role

pytestmark = pytest.mark.django_db

# With every handler of ASSIGNED on: presence and loads of the team, the agent's claim with
# the decision (lock, then membership, load and round-robin clock under it and the decision's
# upsert, in one round trip), assign_ticket (the ticket's lock, its update, the event), the
# load counters, the metrics.
ROUTING_WITH_HANDLERS_QUERIES = 7


def _fresh(**fields) -> Ticket:
    return Ticket.objects.select_related(*FACT_RELATIONS).get(pk=TicketFactory(**fields).pk)


def _queries_of_routing() -> int:
    ticket = _fresh(priority="P2")
    with CaptureQueriesContext(connection) as queries:
        route_ticket(ticket=ticket)
    assert Ticket.objects.get(pk=ticket.pk).assignee_id is not None
    return sum(1 for q in queries.captured_queries
               if not q["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT")))


@pytest.mark.parametrize("agents", [2, 30])
def test_routing_with_every_assigned_handler_costs_the_same_queries_for_any_team(agents):
    # given a team of `agents`, a rule, and the snapshot loaded as a running process has it
    team = TeamFactory(name=team_name("Support"))
    RoutingRuleFactory(team=team, order=1)
    for _ in range(agents):
        agent_in(team, capacity=50)
    publish_snapshot_version()
    _queries_of_routing()
    # when another ticket is routed, then
    assert _queries_of_routing() == ROUTING_WITH_HANDLERS_QUERIES


def test_a_member_without_the_agent_role_is_skipped_not_chosen():
    # given a team whose only member with a routing profile has no agent role
    team = TeamFactory(name=team_name("Support"))
    RoutingRuleFactory(team=team, order=1)
    outsider = AgentProfileFactory(user=UserFactory())
    team.members.add(outsider.user)
    publish_snapshot_version()
    # when a ticket is routed
    ticket = _fresh()
    decision = route_ticket(ticket=ticket)
    # then it queues on the team, and the decision says why the member was passed over
    assert (ticket.assignee_id, ticket.team_id) == (None, team.pk)
    assert [c["skipped"] for c in decision.candidates] == [
        ["may not own tickets (no agent role)"]]


def test_being_given_the_agent_role_reaches_the_roster_at_once():
    # given a member without a role, and the snapshot loaded
    team = TeamFactory(name=team_name("Support"))
    RoutingRuleFactory(team=team, order=1)
    member = AgentProfileFactory(user=UserFactory()).user
    team.members.add(member)
    publish_snapshot_version()
    assert not current_snapshot().roster(team.pk)[0].may_work
    # when an admin gives them the agent role
    member.groups.add(Group.objects.get(name=Role.AGENT.value))
    # then the next ticket goes to them
    ticket = _fresh()
    route_ticket(ticket=ticket)
    assert ticket.assignee_id == member.pk


def _leave_behind_the_snapshot(team, member) -> None:
    """Take `member` out of `team` by a write no signal sees, after the rosters were read."""
    publish_snapshot_version()
    current_snapshot()
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {team.members.through._meta.db_table} "
                       "WHERE team_id = %s AND user_id = %s", [team.pk, member.pk])


def test_a_member_removed_behind_the_snapshot_is_refused_under_the_lock():
    # given an agent in the roster, then taken out of the team by a write no signal saw
    team = TeamFactory(name=team_name("Support"))
    RoutingRuleFactory(team=team, order=1)
    leaver = agent_in(team)
    _leave_behind_the_snapshot(team, leaver)
    # when a ticket is routed
    ticket = _fresh()
    decision = route_ticket(ticket=ticket)
    # then nobody gets it: membership is read again when the agent is locked
    assert ticket.assignee_id is None
    assert decision.candidates[0]["skipped"] == ["has left the team or was deactivated"]


def test_an_agent_refused_under_the_lock_is_counted_out_of_the_eligible():
    # given two free agents, the first in order taken out of the team behind the snapshot
    team = TeamFactory(name=team_name("Support"))
    RoutingRuleFactory(team=team, order=1)
    leaver, stayer = agent_in(team), agent_in(team)
    AgentProfile.objects.filter(user=leaver).update(last_assigned_at=None)
    AgentProfile.objects.filter(user=stayer).update(last_assigned_at=timezone.now())
    _leave_behind_the_snapshot(team, leaver)
    # when a ticket is routed
    ticket = _fresh()
    decision = route_ticket(ticket=ticket)
    # then the other agent takes it, and the story counts one eligible agent of two
    assert ticket.assignee_id == stayer.pk
    assert "one of 1 eligible among 2 considered" in decision.explanation
    assert [c["eligible"] for c in decision.candidates] == [False, True]


def test_an_agent_found_full_under_the_lock_keeps_their_round_robin_clock():
    # given an agent with one free slot when the plan is made
    team = TeamFactory(name=team_name("Support"))
    RoutingRuleFactory(team=team, order=1)
    agent = agent_in(team, capacity=1)
    publish_snapshot_version()
    plan = plan_routing(ticket=_fresh(), now=timezone.now())
    assert [c.user_id for c in plan.ordered] == [agent.pk]
    # when another intake fills the slot before this one locks the agent
    AgentLoad.objects.update_or_create(user=agent, defaults={"open_p3": 1})
    claimed = claim_agent(plan)
    # then the agent is passed over as full, and their last routed time is untouched
    assert claimed is None
    assert plan.candidates[0].skipped == ["at capacity (1/1)"]
    assert AgentProfile.objects.get(user=agent).last_assigned_at is None


def test_candidates_are_stored_grouped_by_reason_and_read_back_complete():
    # given 12 agents of whom 9 lack the skill the rule needs at level 3
    team = TeamFactory(name=team_name("Support"))
    needs(RoutingRuleFactory(team=team, order=1), api=3)
    skilled = [agent_in(team, skills={"api": 4}) for _ in range(3)]
    for _ in range(9):
        agent_in(team, skills={"api": 1})
    publish_snapshot_version()
    # when a ticket is routed
    ticket = _fresh()
    route_ticket(ticket=ticket)
    decision = RoutingDecision.objects.get(ticket=ticket)
    # then the reason is stored once for the nine agents it applies to
    assert decision.considered["skipped"] == [[["api level 1, needs 3"], [3, 4, 5, 6, 7, 8, 9,
                                                                        10, 11]]]
    # and people read every agent with their own reasons and figures
    candidates = decision.candidates
    assert [c["agent"]["id"] for c in candidates if c["eligible"]] == [a.pk for a in skilled]
    assert [c["skipped"] for c in candidates if not c["eligible"]] == [
        ["api level 1, needs 3"]] * 9
    assert {c["skill_score"] for c in candidates} == {4, 1}
    assert {(c["team"], c["capacity"]) for c in candidates} == {(team.pk, 10)}


def test_candidates_are_stored_as_compact_text_without_names_and_read_with_them():
    # given a routed ticket of a team of two
    team = TeamFactory(name=team_name("Support"))
    RoutingRuleFactory(team=team, order=1)
    ana, bo = agent_in(team), agent_in(team)
    publish_snapshot_version()
    ticket = _fresh()
    route_ticket(ticket=ticket)
    # then the column holds JSON text with ids and numbers, no name and no jsonb parsing
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_typeof(candidates)::text, candidates FROM "
                       "routing_routingdecision WHERE ticket_id = %s", [ticket.pk])
        column_type, text = cursor.fetchone()
    assert column_type == "text"
    assert ", " not in text  # compact separators
    assert ana.first_name not in text
    assert json.loads(text)["ids"] == [ana.pk, bo.pk]
    # and people read each agent by name, in one query whatever the size of the team
    decision = RoutingDecision.objects.get(ticket=ticket)
    with CaptureQueriesContext(connection) as queries:
        names = [c["agent"]["name"] for c in decision.candidates]
    assert names == [ana.get_full_name(), bo.get_full_name()]
    assert len(queries.captured_queries) == 1


def test_decisions_stored_with_a_row_per_agent_and_its_name_still_read():
    stored = {"agents": [[1, "Ana", 2, 3, 10, 0], [4, "Bo", 2, 0, 10, 1]],
              "skipped": [[["is away"], [1]]]}
    decision = RoutingDecision(considered=stored)
    assert decision.candidates == [
        {"agent": {"id": 1, "name": "Ana"}, "team": 2, "eligible": True, "skipped": [],
         "load": 3, "capacity": 10, "skill_score": 0},
        {"agent": {"id": 4, "name": "Bo"}, "team": 2, "eligible": False,
         "skipped": ["is away"], "load": 0, "capacity": 10, "skill_score": 1},
    ]


def test_a_decision_is_stored_and_its_agent_claimed_before_anything_is_assigned():
    # given a team with one agent and a rule
    team = TeamFactory(name=team_name("Support"))
    RoutingRuleFactory(team=team, order=1)
    agent = agent_in(team)
    publish_snapshot_version()
    ticket = _fresh()
    # when routing decides
    route = decide_route(ticket=ticket)
    # then the decision is stored and the agent's round-robin clock moved under the lock
    stored = RoutingDecision.objects.get(ticket=ticket)
    assert (stored.agent_id, stored.team_id) == (agent.pk, team.pk)
    assert AgentProfile.objects.get(user=agent).last_assigned_at == stored.decided_at
    # and the ticket has no owner until the route is assigned
    assert Ticket.objects.get(pk=ticket.pk).assignee_id is None
    assign_route(ticket=ticket, route=route)
    assert Ticket.objects.get(pk=ticket.pk).assignee_id == agent.pk


def test_decisions_stored_as_one_dict_per_candidate_still_read():
    stored = [{"agent": {"id": 1, "name": "Ana"}, "team": 2, "eligible": True, "skipped": [],
               "load": 0, "capacity": 10, "skill_score": 0}]
    decision = RoutingDecision(considered=stored)
    assert decision.candidates == stored


def test_the_admin_shows_every_candidate_of_a_stored_decision(client):
    # given a routed ticket: one agent eligible, one lacking the skill
    team = TeamFactory(name=team_name("Support"))
    needs(RoutingRuleFactory(team=team, order=1), api=3)
    able = agent_in(team, skills={"api": 4}, capacity=7)
    unable = agent_in(team, skills={"api": 1})
    publish_snapshot_version()
    ticket = _fresh()
    decision = route_ticket(ticket=ticket)
    client.force_login(AdminFactory(is_superuser=True))
    # when an admin opens the decision
    page = client.get(reverse("admin:routing_routingdecision_change", args=[decision.pk]))
    # then each agent has a line with their figures or their reasons
    text = page.content.decode()
    assert f"{able.get_full_name()}: eligible (0/7 open, skill 4)" in text
    assert f"{unable.get_full_name()}: skipped, api level 1, needs 3" in text


def test_routing_again_replaces_the_decision_and_keeps_the_transfer_count():
    # given a routed ticket whose decision counts two transfers between teams
    team = TeamFactory(name=team_name("Support"))
    RoutingRuleFactory(team=team, order=1)
    first, second = agent_in(team), agent_in(team)
    publish_snapshot_version()
    ticket = _fresh()
    before = route_ticket(ticket=ticket)
    RoutingDecision.objects.filter(pk=before.pk).update(transfers=2)
    # when it is routed again away from its owner
    owner = ticket.assignee_id
    with CaptureQueriesContext(connection) as queries:
        after = route_ticket(ticket=ticket, excluded=frozenset({owner}))
    # then the one row is rewritten by one statement, its transfer count kept
    writes = [q["sql"] for q in queries.captured_queries if "routing_routingdecision" in q["sql"]]
    assert len(writes) == 1
    assert (after.pk, after.transfers) == (before.pk, 2)
    other = ({first.pk, second.pk} - {owner}).pop()
    stored = RoutingDecision.objects.get(ticket=ticket)
    assert (stored.agent_id, stored.transfers) == (other, 2)


def test_live_state_is_read_only_for_members_who_passed_every_other_check():
    # given one member who lacks the skill and is away, and one skilled and away
    team = TeamFactory(name=team_name("Support"))
    needs(RoutingRuleFactory(team=team, order=1), api=3)
    unskilled = agent_in(team, skills={"api": 1}, presence=Presence.AWAY)
    skilled = agent_in(team, skills={"api": 4}, presence=Presence.AWAY)
    publish_snapshot_version()
    # when a ticket is planned
    with CaptureQueriesContext(connection) as queries:
        plan = plan_routing(ticket=_fresh(), now=timezone.now())
    # then the skill alone explains the first; only the second's presence was asked for
    reasons = {c.user_id: c.skipped for c in plan.candidates}
    assert reasons[unskilled.pk] == ["api level 1, needs 3"]
    assert reasons[skilled.pk] == ["is away"]
    # (the last: a plan made with rules held from before the change is made again)
    states_query = [q["sql"] for q in queries.captured_queries if "presence" in q["sql"]][-1]
    asked = re.search(r"EXECUTE hd_\w+\('\{([\d,]*)\}'\)", states_query).group(1)
    assert asked == str(AgentProfile.objects.get(user=skilled).pk)


def test_the_stored_candidates_text_is_the_json_of_what_was_packed():
    # given a team with an away agent, a loaded one, a free one and one who lacks the skill
    team = TeamFactory(name=team_name("Support"))
    needs(RoutingRuleFactory(team=team, order=1), api=2)
    agent_in(team, skills={"api": 3}, presence=Presence.AWAY)
    loaded = agent_in(team, skills={"api": 5})
    owned_tickets(2, agent=loaded, team=team)
    agent_in(team, skills={"api": 2})
    agent_in(team, skills={"api": 1})
    publish_snapshot_version()
    # when a ticket is decided
    route = decide_route(ticket=_fresh())
    # then the text written (from fragments kept per team) is exactly the packed columns' JSON
    with connection.cursor() as cursor:
        cursor.execute("SELECT candidates FROM routing_routingdecision WHERE id = %s",
                       [route.decision.pk])
        (text,) = cursor.fetchone()
    packed = route.decision.considered
    assert text == json.dumps(dict(packed), separators=(",", ":"))
    assert packed["load"] == [0, 2, 0, 0]
    assert packed["skipped"] == [[["is away"], [0]], [["api level 1, needs 2"], [3]]]


def test_agents_equal_in_every_figure_are_tried_in_order_of_user_id():
    # given three never-routed agents with the same load, added in reverse order of their ids
    team = TeamFactory(name=team_name("Support"))
    RoutingRuleFactory(team=team, order=1, strategy=Strategy.LEAST_LOADED)
    agents = [AgentProfileFactory().user for _ in range(3)]
    for agent in reversed(agents):
        team.members.add(agent)
    publish_snapshot_version()
    # when a ticket is planned
    plan = plan_routing(ticket=_fresh(), now=timezone.now())
    # then the lowest user id comes first, whatever the order the members were added in
    assert [c.user_id for c in plan.ordered] == sorted(a.pk for a in agents)
