"""Rosters live in the snapshot: admin edits rebuild it, presence and logins do not."""

import pytest
from django.contrib.auth.models import update_last_login

from routing.choices import Presence
from routing.models import AgentSkill
from routing.services.presence import set_presence
from routing.snapshot import current_snapshot, publish_snapshot_version, snapshots
from tests.routing.factories import AgentProfileFactory, SkillFactory, agent_in, team_name
from tests.tickets.factories import AgentFactory, TeamFactory

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
    before = snapshots.version()
    newcomer = AgentProfileFactory(user=AgentFactory())
    publish_snapshot_version()
    # when
    team.members.add(newcomer.user)
    # then
    assert snapshots.version() != before
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
    version = snapshots.version()
    # when: what changes all day
    set_presence(agent=agent, presence=Presence.AWAY, actor=agent)
    update_last_login(None, agent)
    # then: no rebuild; presence is read per decision instead
    assert snapshots.version() == version
