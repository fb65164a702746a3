"""One ticket with its first message, maybe an agent reply, and two or three events."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from typing import Any

from bench.fakedata import (
    CLOSINGS,
    DAY,
    DETAILS,
    FIRST_NAMES,
    IMPACT_BY_CATEGORY,
    NULL,
    PRODUCT_AREAS,
    SENTENCES,
    SEVERITY_BY_PRIORITY,
    SLA_HOURS,
    SUBJECTS,
    TAGS,
    TEAM_BY_CATEGORY,
    W_CATEGORY,
    W_CHANNEL,
    W_PRIORITY,
    Universe,
    _status,
    business_time,
    fill,
    nullable,
    pg_array,
    ts,
)

TICKET_COLUMNS = (
    "id", "created_at", "updated_at", "subject", "description", "channel", "status", "priority",
    "severity", "category", "product_area", "language", "impact", "tags", "custom_fields",
    "external_id", "requester_id", "organization_id", "team_id", "assignee_id",
    "created_by_key_id", "follows_up_id", "first_response_at", "solved_at", "closed_at",
    "sla_due_at", "escalated_at", "reassignments", "reopens", "customer_contacts",
    "public_replies",
)
# Messages and events take their ids from their identity sequences, so parallel chunks
# never have to agree on id ranges.
MESSAGE_COLUMNS = ("ticket_id", "kind", "author_user_id", "author_contact_id", "body",
                   "original_body", "email_message_id", "in_reply_to", "created_at")
EVENT_COLUMNS = ("ticket_id", "kind", "actor_id", "before", "after", "reason_code", "note",
                 "created_at")
AGENT_REPLIES = [
    "Thanks for reaching out. I have looked into this and applied a fix on our side.",
    "Sorry for the trouble. Could you send a screenshot of the error so we can investigate?",
    "I have refunded the duplicate charge; it will show on your statement in 5-10 days.",
    "Our engineers identified the cause and deployed a fix. Please try again.",
]
EMPTY = "{}"
UNASSIGNED = '{"team": null, "assignee": null}'
WAS_NEW = '{"status": "new"}'


def _js(value: int | None) -> str:
    return "null" if value is None else str(value)


@dataclass
class Chunk:
    """The rows of one COPY batch."""

    tickets: list[tuple[Any, ...]] = field(default_factory=list)
    messages: list[tuple[Any, ...]] = field(default_factory=list)
    events: list[tuple[Any, ...]] = field(default_factory=list)


def build_chunk(
    *, first_id: int, count: int, start: float, end: float, universe: Universe, seed: int
) -> Chunk:
    """Return `count` tickets with ids from `first_id`, created in [start, end) by time order."""
    rng = random.Random(seed)
    # Sorted times keep ids and created_at correlated, as in a real table.
    times = sorted(business_time(rng, start, end) for _ in range(count))
    chunk = Chunk()
    for offset, created in enumerate(times):
        add_ticket(chunk, first_id + offset, created, universe, rng)
    return chunk


def _requester(universe: Universe, rng: random.Random) -> int:
    # Skewed: a few requesters file many tickets, most file one or two.
    ids = universe.contact_ids
    return ids[int(len(ids) * rng.random() ** 1.6)]


def _assignment(
    category: str | None, status: str, universe: Universe, rng: random.Random
) -> tuple[int | None, int | None]:
    if category is None and rng.random() < 0.5:
        return None, None
    team = universe.team_ids[TEAM_BY_CATEGORY.get(category or "general", "General")]
    if status == "new" and rng.random() < 0.7:
        return team, None
    return team, rng.choice(universe.agents_by_team[team])


def add_ticket(
    chunk: Chunk, ticket_id: int, created: float, universe: Universe, rng: random.Random
) -> None:
    age_days = (universe.window_end - created) / DAY
    status = _status(rng, age_days)
    priority, channel = W_PRIORITY.pick(rng), W_CHANNEL.pick(rng)
    category = W_CATEGORY.pick(rng)
    area = rng.choice(PRODUCT_AREAS)
    subject = fill(rng.choice(SUBJECTS[category]), rng, area)
    description = (
        f"Hi,\n\n{fill(SENTENCES[category], rng, area)} "
        + " ".join(fill(line, rng, area) for line in rng.sample(DETAILS, rng.randint(1, 3)))
        + f"\n\n{fill(rng.choice(CLOSINGS), rng, area)}"
    )
    requester = _requester(universe, rng)
    team, assignee = _assignment(category, status, universe, rng)
    responded = created + rng.uniform(0.02, 1.5) * DAY * (0.3 if priority == "P1" else 1.0)
    first_response = responded if status != "new" and assignee else None
    end = universe.window_end
    done = status in ("solved", "closed")
    solved = min(end, created + rng.uniform(0.2, 6) * DAY) if done else None
    closed = min(end, solved + 4 * DAY) if solved is not None and status == "closed" else None
    updated = min(end, max(filter(None, (created, first_response, closed, solved))))
    impact = IMPACT_BY_CATEGORY.get(category or "") if rng.random() < 0.3 else None
    tags = rng.sample(TAGS[category], k=min(len(TAGS[category]), rng.randint(0, 2)))
    custom = {"order_id": f"A-{rng.randint(1000, 99999)}"} if category == "billing" else None
    chunk.tickets.append((
        ticket_id, ts(created), ts(updated), subject, description, channel, status, priority,
        SEVERITY_BY_PRIORITY[priority], nullable(category), area, "en",
        pg_array([impact] if impact else []), pg_array(tags),
        json.dumps(custom) if custom else EMPTY,
        f"form-{ticket_id}" if channel == "web_form" else "",
        requester, universe.contact_org[requester], nullable(team), nullable(assignee),
        NULL, NULL, _ts(first_response), _ts(solved), _ts(closed),
        ts(created + SLA_HOURS[priority] * 3600),
        ts(created + 3600) if priority == "P1" and rng.random() < 0.2 else NULL,
        int(rng.random() < 0.1), int(rng.random() < 0.03), 1, 1 if first_response else 0,
    ))
    _add_messages(chunk, ticket_id, created, first_response, requester, assignee, channel,
                  description, rng)
    _add_events(chunk, ticket_id, created, first_response, status, priority, channel, team,
                assignee, closed or solved)


def _ts(epoch: float | None) -> Any:
    return NULL if epoch is None else ts(epoch)


def _add_messages(
    chunk: Chunk, ticket_id: int, created: float, first_response: float | None,
    requester: int, assignee: int | None, channel: str, body: str, rng: random.Random,
) -> None:
    message_id = f"<{ticket_id}.{rng.getrandbits(40):x}@mail.example>" if channel == "email" else ""
    chunk.messages.append(
        (ticket_id, "public", NULL, requester, body, body if message_id else "", message_id, "",
         ts(created))
    )
    if first_response is not None:
        reply = f"Hi {rng.choice(FIRST_NAMES)},\n\n{rng.choice(AGENT_REPLIES)}"
        chunk.messages.append(
            (ticket_id, "public", nullable(assignee), NULL, reply, "", "", "", ts(first_response))
        )


def _add_events(
    chunk: Chunk, ticket_id: int, created: float, first_response: float | None, status: str,
    priority: str, channel: str, team: int | None, assignee: int | None, done: float | None,
) -> None:
    events = chunk.events
    # f-strings instead of json.dumps: the values are known slugs and ints.
    after = f'{{"channel": "{channel}", "status": "new", "priority": "{priority}"}}'
    events.append((ticket_id, "created", NULL, EMPTY, after, "", "", ts(created)))
    assigned_at = created + 60
    if assignee is not None or team is not None:
        after = f'{{"team": {_js(team)}, "assignee": {_js(assignee)}}}'
        events.append((ticket_id, "assigned", NULL, UNASSIGNED, after, "skill_match", "",
                       ts(assigned_at)))
    if status != "new":
        when = done or first_response or assigned_at + 60
        events.append((ticket_id, "status_changed", nullable(assignee), WAS_NEW,
                       f'{{"status": "{status}"}}', "", "", ts(when)))
    elif assignee is None and team is None:
        # Every ticket gets at least two events: triage recorded its field decisions.
        events.append((ticket_id, "fields_changed", NULL, EMPTY,
                       f'{{"priority": "{priority}"}}', "triage", "", ts(assigned_at)))
