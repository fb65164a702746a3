"""
Two months of demo tickets, made through the real services so that timelines, counters and
events are what the product itself would have written.
"""

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth.models import AbstractUser
from django.db import transaction

from tickets.choices import Channel, Priority, Severity, TicketStatus, Tier
from tickets.demo import replies
from tickets.demo.cast import CUSTOMERS, INDIVIDUAL_DOMAIN, INDIVIDUALS, TEAMS
from tickets.demo.clock import Clock
from tickets.demo.directory import email_for
from tickets.demo.stories import INTERNAL_STORIES, STORIES, Story, fill
from tickets.models import Team, Ticket
from tickets.services.assignment import assign_ticket
from tickets.services.intake import NewTicket, create_ticket
from tickets.services.lifecycle import change_status, escalate_ticket
from tickets.services.messages import add_agent_message, add_customer_message
from tickets.services.updates import update_ticket_fields
from tickets.transitions import can_transition

DEMO_TAG = "demo"
EXTERNAL_ID_PREFIX = "demo-"
SPAN_DAYS = 60
S = TicketStatus

# Older tickets are mostly finished; the last three days hold the untouched ones.
STATUS_BY_AGE: tuple[tuple[float, dict[str, int]], ...] = (
    (3, {S.NEW: 30, S.AWAITING_INFO: 15, S.OPEN: 35, S.PENDING: 10, S.ON_HOLD: 5, S.SOLVED: 5}),
    (10, {S.NEW: 3, S.AWAITING_INFO: 10, S.OPEN: 25, S.PENDING: 20, S.ON_HOLD: 10,
          S.SOLVED: 25, S.CLOSED: 7}),
    (25, {S.OPEN: 8, S.PENDING: 7, S.ON_HOLD: 5, S.SOLVED: 30, S.CLOSED: 50}),
    (SPAN_DAYS + 1, {S.OPEN: 2, S.SOLVED: 8, S.CLOSED: 90}),
)
CHANNELS = {Channel.EMAIL: 40, Channel.WEB_FORM: 20, Channel.API: 10, Channel.CHAT: 10,
            Channel.PORTAL: 10, Channel.PHONE: 8}
# The first tickets cover every status and every channel, whatever the dice say.
GUARANTEED = tuple(zip(S.values, Channel.values, strict=True))
TEAM_BY_CATEGORY = {"billing": "Billing", "refund_request": "Billing",
                    "account_access": "Accounts", "general": "Accounts"}


@dataclass(frozen=True)
class Requester:
    name: str
    email: str
    org_key: str
    org_name: str
    tier: str
    time_zone: str


@dataclass
class Desk:
    users: dict[str, AbstractUser]
    teams: dict[str, Team]
    members: dict[str, list[AbstractUser]]
    requesters: list[Requester]
    now: datetime


@dataclass
class Plan:
    external_id: str
    story: Story
    requester: Requester
    channel: str
    priority: str
    status: str
    start: datetime
    rng: random.Random


@dataclass
class Play:
    plan: Plan
    desk: Desk
    ticket: Ticket
    clock: Clock
    team: Team
    agent: AbstractUser


def build_desk(*, users: dict[str, AbstractUser], now: datetime) -> Desk:
    teams = {team.name: team for team in Team.objects.filter(name__in=TEAMS)}
    members = {
        name: list(team.members.filter(is_active=True).order_by("username"))
        for name, team in teams.items()
    }
    return Desk(users=users, teams=teams, members=members, requesters=_requesters(), now=now)


def _requesters() -> list[Requester]:
    people = [
        Requester(name, email_for(name, c.domains[0]), f"demo-org-{c.key}", c.name, c.tier,
                  c.time_zone)
        for c in CUSTOMERS for name in c.people
    ]
    people += [
        Requester(name, email_for(name, INDIVIDUAL_DOMAIN), "", "", Tier.SELF_SERVE, "")
        for name in INDIVIDUALS
    ]
    return people


def seed_tickets(*, count: int, desk: Desk) -> int:
    """Create the demo tickets that are missing, one transaction each; return how many."""
    existing = set(
        Ticket.objects.filter(external_id__startswith=EXTERNAL_ID_PREFIX)
        .values_list("external_id", flat=True)
    )
    created = 0
    for index in range(count):
        if f"{EXTERNAL_ID_PREFIX}{index + 1:04d}" in existing:
            continue
        with transaction.atomic():
            play_ticket(plan_ticket(index=index, desk=desk), desk)
        created += 1
    return created


def plan_ticket(*, index: int, desk: Desk) -> Plan:
    """Decide who writes what, when, and how far the ticket has got; the same every run."""
    rng = random.Random(f"demo-ticket-{index}")
    if index < len(GUARANTEED):
        status, channel = GUARANTEED[index]
        finished = status in (S.SOLVED, S.CLOSED)
        age = rng.uniform(12, 40) if finished else rng.uniform(0.3, 1.8)
    else:
        # Skewed towards recent days, so the open queues have something in them.
        age = max(0.05, SPAN_DAYS * rng.random() ** 1.4)
        weights = next(w for limit, w in STATUS_BY_AGE if age < limit)
        status = _pick(rng, weights)
        channel = Channel.INTERNAL if rng.random() < 0.04 else _pick(rng, CHANNELS)
    internal = channel == Channel.INTERNAL
    requester = rng.choice([r for r in desk.requesters if (r.tier == Tier.INTERNAL) == internal])
    story = rng.choice(INTERNAL_STORIES if internal else STORIES)
    priorities = [story.priorities[i:i + 2] for i in range(0, len(story.priorities), 2)]
    return Plan(
        external_id=f"{EXTERNAL_ID_PREFIX}{index + 1:04d}",
        story=story,
        requester=requester,
        channel=channel,
        priority=rng.choice(priorities),
        status=status,
        start=_working_hours(desk.now - timedelta(days=age), desk.now, rng),
        rng=rng,
    )


def _pick(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _working_hours(day: datetime, now: datetime, rng: random.Random) -> datetime:
    start = day.replace(hour=rng.randint(7, 18), minute=rng.randint(0, 59), second=0)
    return min(start, now - timedelta(minutes=rng.randint(15, 120)))


def play_ticket(plan: Plan, desk: Desk) -> Ticket:
    """Take one ticket through intake and as far along its lifecycle as the plan says."""
    ticket = _file(plan, desk)
    team = desk.teams[_team_name(plan)]
    play = Play(plan=plan, desk=desk, ticket=ticket, team=team,
                agent=plan.rng.choice(desk.members[team.name]),
                clock=Clock(ticket=ticket, start=plan.start, now=desk.now, rng=plan.rng))
    if plan.status == S.NEW:
        _triage_only(play)
    elif plan.status == S.AWAITING_INFO:
        _ask_for_details(play)
    else:
        _work(play)
    play.clock.finish()
    return ticket


def _file(plan: Plan, desk: Desk) -> Ticket:
    requester, story, rng = plan.requester, plan.story, plan.rng
    when = (plan.start - timedelta(days=rng.randint(1, 12))).strftime("%B %-d")
    text = {"rng": rng, "first_name": requester.name.split()[0],
            "org": requester.org_name, "domain": requester.email.rsplit("@", 1)[-1],
            "when": when, "tz": requester.time_zone}
    request = NewTicket(
        subject=fill(story.subject, **text),
        description=fill(story.description, **text),
        requester_email=requester.email,
        requester_name=requester.name,
        organization_external_id=requester.org_key,
        channel=plan.channel,
        product_area=story.product_area,
        impact=list(story.impact),
        language="en",
        tags=[DEMO_TAG, story.category],
        external_id=plan.external_id,
        category=story.category,
        priority=plan.priority,
    )
    # Phone tickets are typed in by the agent who took the call.
    actor = desk.users["agent"] if plan.channel == Channel.PHONE else None
    ticket, _ = create_ticket(request=request, actor=actor)
    return ticket


def _team_name(plan: Plan) -> str:
    if plan.requester.tier == Tier.ENTERPRISE and plan.story.category not in TEAM_BY_CATEGORY:
        return "Enterprise"
    if plan.requester.tier == Tier.INTERNAL:
        return "Technical Support"
    return TEAM_BY_CATEGORY.get(plan.story.category, "Technical Support")


def _triage_only(play: Play) -> None:
    if play.plan.rng.random() < 0.5:
        assign_ticket(ticket=play.ticket, team=play.team, reason_code="category_match", actor=None)
        play.clock.step(minutes=(0, 2))


def _ask_for_details(play: Play) -> None:
    assign_ticket(ticket=play.ticket, team=play.team, reason_code="category_match", actor=None)
    play.clock.step(minutes=(0, 2))
    _move(play, S.AWAITING_INFO, actor=play.agent, reason_code="missing_info",
          reason="Needs the account details and a screenshot before we can start.")
    play.clock.step(minutes=(5, 90))
    assign_ticket(ticket=play.ticket, agent=play.agent, reason_code="skill_match", actor=None)
    _reply(play, replies.INFO_REQUESTS, minutes=(1, 5))


def _work(play: Play) -> None:
    rng = play.plan.rng
    assign_ticket(ticket=play.ticket, agent=play.agent, team=play.team,
                  reason_code=rng.choice(("skill_match", "least_loaded", "round_robin")),
                  actor=None)
    play.clock.step(minutes=(1, 30))
    if play.plan.priority in (Priority.P1, Priority.P2):
        _raise_severity(play)
    urgent = play.plan.priority == Priority.P1
    _reply(play, replies.FIRST_REPLIES[play.plan.story.category],
           minutes=(5, 30) if urgent else (20, 600))
    if rng.random() < 0.4:
        _note(play, replies.INTERNAL_NOTES[play.plan.story.category])
    if rng.random() < 0.45:
        _customer_says(play, replies.CUSTOMER_FOLLOW_UPS, minutes=(60, 1440))
        _reply(play, replies.FIRST_REPLIES["general"], minutes=(15, 240))
    if rng.random() < 0.12:
        _hand_over(play)
    _settle(play)


def _raise_severity(play: Play) -> None:
    critical = play.plan.priority == Priority.P1
    if not critical and play.plan.rng.random() < 0.7:
        return
    lead = play.desk.users["lead"]
    update_ticket_fields(ticket=play.ticket, actor=lead,
                         changes={"severity": Severity.CRITICAL if critical else Severity.HIGH},
                         reason="Confirmed impact with the customer.")
    play.clock.step(minutes=(2, 15))
    if critical:
        escalate_ticket(ticket=play.ticket, actor=play.desk.users["manager"],
                        reason="Customer-wide impact; engineering on-call paged.")
        play.clock.step(minutes=(2, 10))


def _hand_over(play: Play) -> None:
    others = [m for m in play.desk.members[play.team.name] if m.pk != play.agent.pk]
    if not others:
        return
    play.agent = play.plan.rng.choice(others)
    assign_ticket(ticket=play.ticket, agent=play.agent, reason_code="rebalance",
                  actor=play.desk.users["lead"], note="Moving to balance the queue.")
    play.clock.step(minutes=(10, 120))


def _settle(play: Play) -> None:
    target, rng = play.plan.status, play.plan.rng
    if target == S.PENDING:
        _reply(play, replies.INFO_REQUESTS, minutes=(10, 120))
        _move(play, S.PENDING, actor=play.agent, reason_code="waiting_on_customer")
    elif target == S.ON_HOLD:
        _note(play, replies.WAITING_NOTES)
        _move(play, S.ON_HOLD, actor=play.agent, reason_code="waiting_on_third_party")
    elif target in (S.SOLVED, S.CLOSED):
        _solve(play)
        if rng.random() < 0.15:
            _customer_says(play, replies.REOPEN_COMPLAINTS, minutes=(600, 2880))
            _move(play, S.OPEN, actor=play.agent, reason_code="customer_reply",
                  reason="Customer reports the problem is back.")
            _solve(play)
    if target == S.CLOSED:
        if rng.random() < 0.5:
            _customer_says(play, replies.THANKS, minutes=(30, 600))
        play.clock.step(minutes=(3 * 1440, 7 * 1440))
        _move(play, S.CLOSED, actor=None, reason_code="auto_close",
              reason="Closed after seven days without a reply.")


def _solve(play: Play) -> None:
    _reply(play, replies.SOLUTIONS, minutes=(30, 2880))
    _move(play, S.SOLVED, actor=play.agent, reason_code="resolved")
    play.clock.step(minutes=(0, 1))


def _reply(play: Play, texts: tuple[str, ...], *, minutes: tuple[int, int]) -> None:
    first_name = play.ticket.requester.first_name
    play.clock.step(minutes=minutes)
    add_agent_message(ticket=play.ticket, author=play.agent, public=True,
                      body=play.plan.rng.choice(texts).format(first_name=first_name))
    play.clock.stamp()


def _note(play: Play, texts: tuple[str, ...]) -> None:
    play.clock.step(minutes=(2, 60))
    add_agent_message(ticket=play.ticket, author=play.agent, public=False,
                      body=play.plan.rng.choice(texts))
    play.clock.stamp()


def _customer_says(play: Play, texts: tuple[str, ...], *, minutes: tuple[int, int]) -> None:
    play.clock.step(minutes=minutes)
    add_customer_message(ticket=play.ticket, contact=play.ticket.requester,
                         body=play.plan.rng.choice(texts))
    play.clock.stamp()


def _move(play: Play, status: str, *, actor: AbstractUser | None, reason_code: str,
          reason: str = "") -> None:
    """Change status, through `open` or `solved` when event handlers moved the ticket first."""
    current = Ticket.objects.values_list("status", flat=True).get(pk=play.ticket.pk)
    if current == status:
        return
    if not can_transition(current, status):
        via = S.SOLVED if status == S.CLOSED else S.OPEN
        change_status(ticket=play.ticket, status=via, actor=actor, reason_code=reason_code)
    change_status(ticket=play.ticket, status=status, actor=actor, reason=reason,
                  reason_code=reason_code)
    play.clock.stamp()
