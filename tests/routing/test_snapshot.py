"""
Rosters live in the snapshot: admin edits rebuild it, presence and logins do not. The token
that says which copy is current is a row, read with each decision's states.
"""

import pytest
from django.contrib.auth.models import update_last_login
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from routing.choices import Presence
from routing.models import AgentSkill, RoutingRule, SnapshotToken
from routing.planning import plan_routing
from routing.services.presence import set_presence
from routing.snapshot import current_snapshot, held_snapshot, publish_snapshot_version, snapshots
from tests.routing.factories import (
    AgentProfileFactory,
    RoutingRuleFactory,
    SkillFactory,
    agent_in,
    team_name,
)
from tests.tickets.factories import AgentFactory, TeamFactory, TicketFactory
from tickets.prepared import statement_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def team():
    team = TeamFactory(name=team_name("Support"))
    agent_in(team)
    publish_snapshot_version()  # as once the admin's change has committed
    return team


def _members(team) -> list[int]:
    return [row.user_id for row in current_snapshot().roster(team.pk)]


def test_a_new_member_and_a_new_skill_reach_the_roster(team):
    # given
    before = snapshots.token()
    newcomer = AgentProfileFactory(user=AgentFactory())
    publish_snapshot_version()
    # when
    team.members.add(newcomer.user)
    # then
    assert snapshots.token() != before
    assert newcomer.user_id in _members(team)
    skill = SkillFactory(slug="billing")
    AgentSkill.objects.create(profile=newcomer, skill=skill, level=4)
    row = next(r for r in current_snapshot().roster(team.pk) if r.user_id == newcomer.user_id)
    assert row.skills == {skill.pk: 4}


def test_a_member_who_leaves_or_is_deactivated_leaves_the_roster(team):
    leaver, deactivated = agent_in(team), agent_in(team)
    publish_snapshot_version()
    team.members.remove(leaver)
    deactivated.is_active = False
    deactivated.save()
    assert leaver.pk not in _members(team)
    assert deactivated.pk not in _members(team)


def test_presence_and_logins_keep_the_snapshot(team):
    # given
    agent = agent_in(team, presence=Presence.AVAILABLE)
    publish_snapshot_version()
    current_snapshot()
    version = snapshots.token()
    # when: what changes all day
    set_presence(agent=agent, presence=Presence.AWAY, actor=agent)
    update_last_login(None, agent)
    # then: no rebuild; presence is read per decision instead
    assert snapshots.token() == version


def _planned_team() -> int | None:
    """The team the next plan picks for a fresh P2 ticket."""
    ticket = TicketFactory(priority="P2")
    plan = plan_routing(ticket=ticket, now=timezone.now())
    return plan.team.id if plan.team else None


@pytest.fixture
def two_teams():
    first, second = TeamFactory(name=team_name("First")), TeamFactory(name=team_name("Second"))
    agent_in(first), agent_in(second)
    rule = RoutingRuleFactory(team=first, order=1)
    publish_snapshot_version()
    current_snapshot()  # held by this thread
    return rule, first, second


def test_a_change_committed_elsewhere_reaches_the_next_decision_through_the_token(two_teams):
    # given a held copy that sends tickets to the first team
    rule, first, second = two_teams
    assert _planned_team() == first.pk
    # when another process changes the rule and replaces the token (no signal here)
    RoutingRule.objects.filter(pk=rule.pk).update(team=second)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE routing_snapshottoken SET token = token + 1")
    # then the token read with the team's states refuses the held copy, and the plan is fresh
    assert _planned_team() == second.pk
    assert held_snapshot().version == snapshots.token()


@pytest.mark.usefixtures("two_teams")
def test_a_decision_checks_its_rules_without_a_query_of_its_own():
    # given a held copy
    ticket = TicketFactory(priority="P2")
    # when a ticket is planned
    with CaptureQueriesContext(connection) as queries:
        plan_routing(ticket=ticket, now=timezone.now())
    # then the one query is the team's states, which carries the token
    sqls = [statement_text(q["sql"]) for q in queries.captured_queries]
    assert len(sqls) == 1
    assert "routing_snapshottoken" in sqls[0]
    assert "presence" in sqls[0]


def _edit_read_and_roll_back(rule, team) -> None:
    with transaction.atomic():
        rule.team = team
        rule.save()  # replaces the token in this transaction
        held = current_snapshot()  # built from the edit, and held under the new token
        assert next(r for r in held.rules if r.id == rule.pk).team_id == team.pk
        raise RuntimeError("rolled back")


def test_an_edit_that_rolls_back_is_never_kept(two_teams):
    # given an edit whose transaction read the rules, then rolled back
    rule, first, second = two_teams
    with pytest.raises(RuntimeError):
        _edit_read_and_roll_back(rule, second)
    # then the token is the one before, so the copy built from the edit is refused
    assert _planned_team() == first.pk


@pytest.mark.usefixtures("two_teams")
def test_without_a_token_row_nothing_is_kept():
    # given the row gone (a flushed database)
    SnapshotToken.objects.all().delete()
    # then every read builds afresh and holds nothing
    current_snapshot()
    assert held_snapshot() is None
    assert _planned_team() is not None
    # and the next edit writes the row again
    publish_snapshot_version()
    current_snapshot()
    assert held_snapshot() is not None
