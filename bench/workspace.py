"""
Bench section (bench/sections.py): server time of the agent workspace at full size.

Inside one transaction that is rolled back at the end, it signs in a manager (who sees every
open ticket) and an agent of the busiest team, gives one ticket of that team 200 timeline
entries, then times the queue pages and that ticket's page through Django's test client, the
whole request path except the network. Targets (issue: agent workspace): queue 150 ms p95,
ticket page with 200 timeline entries 150 ms p95.
"""

from __future__ import annotations

import time
from typing import Any

QUEUE_P95_MS = 150
TICKET_PAGE_P95_MS = 150
TIMELINE_ENTRIES = 200


class _Rollback(Exception):
    pass


def measure(*, quick: bool) -> dict[str, Any]:
    from django.db import transaction

    from bench.report import check
    from bench.sections import timings_summary

    requests = 15 if quick else 60
    runs: list[dict[str, Any]] = []
    try:
        with transaction.atomic():
            desk = _desk()
            for name, client, path in (
                ("queue page: all open (manager)", desk["manager"], "/agent/queues/all-open/"),
                ("queue page: my team's unassigned (agent)", desk["agent"],
                 "/agent/queues/team-unassigned/"),
                ("ticket page, 200 timeline entries", desk["agent"],
                 f"/agent/tickets/{desk['ticket'].pk}/"),
            ):
                runs.append(timings_summary(name, _time_get(client, path, requests)))
            raise _Rollback
    except _Rollback:
        pass
    queue_p95 = max(run["p95_ms"] for run in runs[:2])
    return {"runs": runs, "checks": [
        check("queue page p95 (worst queue)", queue_p95, QUEUE_P95_MS, "ms"),
        check("ticket page p95 (200 entries)", runs[2]["p95_ms"], TICKET_PAGE_P95_MS, "ms"),
    ]}


def _time_get(client: Any, path: str, requests: int) -> list[float]:
    for _ in range(3):  # templates compiled, caches warm
        warm = client.get(path)
        assert warm.status_code == 200, (path, warm.status_code)
    timings = []
    for _ in range(requests):
        started = time.perf_counter()
        response = client.get(path)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    return timings


def _desk() -> dict[str, Any]:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.db.models import Count
    from django.test import Client
    from django.utils import timezone

    from tickets.choices import UNSOLVED, EventKind, MessageKind, Role
    from tickets.models import Message, Team, Ticket, TicketEvent

    users = get_user_model()
    team = Team.objects.annotate(
        open=Count("tickets", filter=_unsolved(UNSOLVED))).order_by("-open").first()
    manager = users.objects.create_user("bench-workspace-manager", password="x")
    manager.groups.add(Group.objects.get(name=Role.MANAGER.value))
    agent = users.objects.create_user("bench-workspace-agent", password="x")
    agent.groups.add(Group.objects.get(name=Role.AGENT.value))
    team.members.add(agent)
    ticket = Ticket.objects.filter(team=team, status__in=UNSOLVED).order_by("-pk").first()
    now = timezone.now()
    Message.objects.bulk_create(
        Message(ticket=ticket, kind=MessageKind.PUBLIC if i % 3 else MessageKind.INTERNAL,
                author_user=agent, body=f"Update {i}: checked the logs again.\n" * 3,
                created_at=now)
        for i in range(TIMELINE_ENTRIES // 2)
    )
    TicketEvent.objects.bulk_create(
        TicketEvent(ticket=ticket, kind=EventKind.FIELDS_CHANGED, actor=agent,
                    before={"tags": []}, after={"tags": [f"t{i}"]}, reason_code="bench",
                    created_at=now)
        for i in range(TIMELINE_ENTRIES // 2)
    )
    clients = {}
    for name, user in (("manager", manager), ("agent", agent)):
        client = Client()
        client.force_login(user)
        clients[name] = client
    return {**clients, "ticket": ticket}


def _unsolved(statuses: Any) -> Any:
    from django.db.models import Q

    return Q(tickets__status__in=statuses)
