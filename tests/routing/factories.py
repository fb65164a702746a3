import uuid

import factory
from django.utils import timezone

from routing.choices import Presence, Strategy
from routing.models import (
    AgentProfile,
    AgentSkill,
    RoutingRule,
    RoutingRuleSkill,
    Skill,
    TeamProfile,
)
from tests.tickets.factories import AgentFactory, TeamFactory, TicketFactory
from tickets.choices import TicketStatus
from tickets.services.assignment import assign_ticket
from tickets.services.lifecycle import change_status


class SkillFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Skill
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"skill-{n}")
    name = factory.LazyAttribute(lambda skill: skill.slug.title())


class AgentProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AgentProfile

    user = factory.SubFactory(AgentFactory)
    presence = Presence.AVAILABLE
    last_seen_at = factory.LazyFunction(timezone.now)
    capacity = 10


class TeamProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TeamProfile

    team = factory.SubFactory(TeamFactory)


class RoutingRuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RoutingRule

    name = factory.Sequence(lambda n: f"Rule {n}")
    explanation = "Tickets like this go to the team that knows them best."
    condition = factory.LazyFunction(dict)
    enabled = True
    team = factory.SubFactory(TeamFactory)
    strategy = Strategy.LEAST_LOADED


def team_name(name: str) -> str:
    """Return a unique team name: other sessions may commit teams to the shared test database."""
    return f"{name} {uuid.uuid4().hex[:6]}"


def agent_in(team, *, skills: dict[str, int] | None = None, **profile: object) -> object:
    """Return an agent who is a member of `team`, with a routing profile and skills."""
    agent = AgentProfileFactory(**profile)
    team.members.add(agent.user)
    for slug, level in (skills or {}).items():
        AgentSkill.objects.create(profile=agent, skill=SkillFactory(slug=slug), level=level)
    return agent.user


def needs(rule: RoutingRule, **levels: int) -> RoutingRule:
    """Give the rule required skills at minimum levels."""
    for slug, level in levels.items():
        RoutingRuleSkill.objects.create(rule=rule, skill=SkillFactory(slug=slug), min_level=level)
    return rule


def owned_tickets(count: int, *, agent, team, status: str = TicketStatus.OPEN, **fields):
    """
    Return `count` tickets of `team` given to `agent` through the services (assigned, then
    moved to `status`), so the agent's load counters see them as they would on a live desk.
    """
    tickets = []
    for _ in range(count):
        ticket = assign_ticket(ticket=TicketFactory(team=team, **fields), agent=agent,
                               reason_code="manual", actor=None)
        if status != ticket.status:
            ticket = change_status(ticket=ticket, status=status, actor=None)
        tickets.append(ticket)
    return tickets
