"""
`python -m bench.routing`: the routing decision time at 200 agents and 50 rules.

Builds a desk on the configured database (the worst case: every agent in one team, the
matching rule last of 50), routes tickets one by one, each in its own transaction that
commits as an intake's does, then deletes the desk: nothing is left behind. (One
transaction rolled back at the end would leave every routed agent's rows with a chain of
versions that nobody may prune until it ends, and each decision would read a longer chain
than any live desk has.) Prints p50/p95/max of
- the plan: rules, eligibility and strategy, read only (routing.planning.plan_routing);
- the routing decision: the plan, the chosen agent claimed under a row lock with their load
  read again, and the stored decision with every candidate (routing's decide_route);
- the assignment that follows: the ticket's owner through the spine's assign_ticket, its
  ASSIGNED event and that event's handlers (load counters, metrics, escalation policies);
- the two together, as an intake pays them.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class _Desk:
    team: Any
    contact: Any
    user_ids: list[int]
    skill_ids: list[int]


def _desk(agents: int, rules: int, open_per_agent: int) -> _Desk:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from routing.choices import Presence, Strategy
    from routing.models import AgentProfile, AgentSkill, RoutingRule, RoutingRuleSkill, Skill
    from routing.services.loads import recount_agent_loads
    from tickets.choices import Role, TicketStatus
    from tickets.models import Contact, Team, Ticket

    user_model = get_user_model()
    stamp = str(time.time_ns())
    team = Team.objects.create(name=f"bench-routing-{stamp}")
    skills = [Skill.objects.create(slug=f"bench-{stamp}-{n}", name=f"bench {n}") for n in range(5)]
    users = user_model.objects.bulk_create(
        user_model(username=f"bench-{stamp}-{n}", first_name="Agent", last_name=str(n))
        for n in range(agents)
    )
    team.members.add(*users)
    Group.objects.get(name=Role.AGENT.value).user_set.add(*users)
    profiles = AgentProfile.objects.bulk_create(
        AgentProfile(user=user, presence=Presence.AVAILABLE, capacity=10_000,
                     languages=["en", "de"]) for user in users
    )
    AgentSkill.objects.bulk_create(
        AgentSkill(profile=profile, skill=skill, level=1 + (i + j) % 5)
        for i, profile in enumerate(profiles) for j, skill in enumerate(skills)
    )
    for n in range(rules - 1):
        RoutingRule.objects.create(
            name=f"bench {n}", explanation="bench", order=n, enabled=True, team=team,
            condition={"all": [{"field": "ticket.tags", "op": "contains", "value": f"x{n}"},
                               {"field": "organization.tier", "op": "equals",
                                "value": "enterprise"}]},
        )
    last = RoutingRule.objects.create(
        name="bench match", explanation="bench", order=rules, enabled=True, team=team,
        strategy=Strategy.MOST_SKILLED,
        condition={"field": "ticket.priority", "op": "in", "value": ["P1", "P2", "P3"]},
    )
    RoutingRuleSkill.objects.create(rule=last, skill=skills[0], min_level=2)
    contact = Contact.objects.create(email=f"bench-{stamp}@bench.example")
    Ticket.objects.bulk_create(
        Ticket(subject="load", description="load", requester=contact, team=team,
               assignee=user, status=TicketStatus.OPEN)
        for user in users for _ in range(open_per_agent)
    )
    # Bulk inserts go around the services: count them as the services would have.
    recount_agent_loads(agent_ids=[user.pk for user in users])
    return _Desk(team=team, contact=contact, user_ids=[user.pk for user in users],
                 skill_ids=[skill.pk for skill in skills])


def _remove(desk: _Desk) -> None:
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from routing.models import RoutingRule, Skill
    from tickets.models import Ticket

    with transaction.atomic():
        Ticket.objects.filter(requester=desk.contact).delete()
        RoutingRule.objects.filter(team=desk.team).delete()
        get_user_model().objects.filter(pk__in=desk.user_ids).delete()
        Skill.objects.filter(pk__in=desk.skill_ids).delete()
        desk.team.delete()
        desk.contact.delete()


def _reclaim() -> None:
    # Earlier runs deleted their desks and left dead rows behind; a live desk's tables of
    # agents hold none once autovacuum has passed, which it does within a minute of such churn
    # on tables this small. Without this every run reads all the runs before it.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM auth_user, tickets_team_members, routing_agentprofile, "
                       "routing_agentskill, routing_agentload")


def _analyze() -> None:
    # Fresh rows have no statistics until autovacuum next analyzes them; a live desk's do.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE auth_user, tickets_team_members, routing_agentprofile, "
                       "routing_agentskill, routing_agentload, tickets_ticket")


def _percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[max(0, int(len(ordered) * 0.95) - 1)]
    return (f"p50 {statistics.median(ordered):6.2f} ms  p95 {p95:6.2f} ms  "
            f"max {ordered[-1]:6.2f} ms  (n={len(ordered)})")


def measure(*, quick: bool) -> dict[str, Any]:
    """The bench section (bench/sections.py): target p95 under 5 ms at 200 agents, 50 rules."""
    from bench.report import check
    from bench.sections import timings_summary

    timings = decision_timings(decisions=60 if quick else 300)
    runs = {key: timings_summary(label, timings[key]) for key, label in _FIGURES}
    decided = runs["decided"]["p95_ms"]
    return {"runs": list(runs.values()), "first_decision_ms": timings["first_ms"],
            "checks": [check("routing decision p95", decided, ROUTING_P95_MS, "ms")]}


_FIGURES = (
    ("planned", "routing plan (read only)"),
    ("decided", "routing decision (200 agents, 50 rules)"),
    ("assigned", "assignment of the decided owner"),
    ("routed", "decision and assignment together"),
)


ROUTING_P95_MS = 5


def decision_timings(
    *, agents: int = 200, rules: int = 50, decisions: int = 300
) -> dict[str, Any]:
    from django.db import transaction
    from django.utils import timezone

    from routing.planning import plan_routing
    from routing.services.routing import assign_route, decide_route
    from routing.snapshot import publish_snapshot_version
    from tickets.models import Ticket

    _reclaim()
    with transaction.atomic():
        desk = _desk(agents, rules, open_per_agent=5)
    try:
        _analyze()
        publish_snapshot_version()  # as once the admin's change has committed
        tickets = Ticket.objects.bulk_create(
            Ticket(subject="bench", description="bench", requester=desk.contact, priority="P2")
            for _ in range(decisions + 1)
        )
        samples: dict[str, list[float]] = {key: [] for key, _ in _FIGURES}
        for ticket in tickets:
            with transaction.atomic():  # one intake's transaction; its commit is not timed
                start = time.perf_counter()
                plan_routing(ticket=ticket, now=timezone.now())
                planned = time.perf_counter()
                route = decide_route(ticket=ticket)
                decided = time.perf_counter()
                assign_route(ticket=ticket, route=route)
                assigned = time.perf_counter()
            for key, begin, end in (("planned", start, planned), ("decided", planned, decided),
                                    ("assigned", decided, assigned),
                                    ("routed", planned, assigned)):
                samples[key].append((end - begin) * 1000)
    finally:
        _remove(desk)
    # The first decision loads the snapshot: reported, then left out of percentiles.
    return {"first_ms": round(samples["routed"][0], 2),
            **{key: values[1:] for key, values in samples.items()}}


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings.local")
    import django

    django.setup()
    agents = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    rules = int(sys.argv[2]) if len(sys.argv) > 2 else 50
    print(f"routing decision time, {agents} agents in one team, {rules} rules (match last):")
    timings = decision_timings(agents=agents, rules=rules)
    print(f"  {'first decision (loads rules)':40} {timings['first_ms']:6.2f} ms")
    for key, label in _FIGURES:
        print(f"  {label:40} {_percentiles(timings[key])}")


if __name__ == "__main__":
    main()
