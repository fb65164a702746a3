"""
A hand-built desk whose figures are worked out by hand in the tests: five tickets driven
through the real services (so the event handlers fill the metrics rows), at fixed times.

T0 = Monday 2026-03-02 09:00 UTC; "now" for the reports is T0 + 1560 min (Tue 11:00).

  T1 P1 Billing  email     enterprise  ana; replies +30, customer +120, reply +180;
                                       solved +240; CSAT 5, NPS 10 "Quick and kind"
  T2 P2 Billing  web_form  smb         created +60; ana +61, bob +120, dee +150; dee replies
                                       +180; solved +300 (due +180: late); reopened +1440;
                                       solved +1500; CSAT 2, NPS 3
  T3 P3 Platform email     smb         created +120; cy +121; escalated +125; reply +130;
                                       solved +180
  T4 P3 Platform chat      enterprise  created +180; cy +181; open, due +240 (breached now);
                                       transfer to Billing asked +200, rejected +260
  T5 P2 Billing  api       (no org)    created +240; new, due now + 30 (near breach);
                                       follows up T1
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client

from reporting.stages import record_triage_outcome
from routing.models import TeamProfile
from routing.services.handoffs import reject_handoff, request_transfer
from tests.tickets.factories import (
    AgentFactory,
    ContactFactory,
    ManagerFactory,
    OrganizationFactory,
    TeamFactory,
    TeamLeadFactory,
    TicketFactory,
)
from tickets.choices import EventKind, Tier
from tickets.events import record_event
from tickets.models import Macro, MacroUse, Team, Ticket
from tickets.pipeline import IntakeContext
from tickets.services.assignment import assign_ticket
from tickets.services.lifecycle import change_status, escalate_ticket
from tickets.services.messages import add_agent_message, add_customer_message
from tickets.services.updates import update_ticket_fields
from triage.models import TriageDecision

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
NOW = T0 + timedelta(minutes=1560)
PERIOD = {"date_from": "2026-03-02", "date_to": "2026-03-03"}


def at(minutes: int) -> Any:
    return time_machine.travel(T0 + timedelta(minutes=minutes), tick=False)


@pytest.fixture(autouse=True)
def _cookie_sessions(settings):
    # Concurrent test runs flush the shared test Redis; cookie sessions survive that.
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"


@dataclass
class Desk:
    billing: Team
    platform: Team
    people: dict[str, Any]
    tickets: dict[str, Ticket]

    def client(self, name: str) -> Client:
        client = Client()
        client.force_login(self.people[name])
        return client


def _ticket(minute: int, **fields: Any) -> Ticket:
    with at(minute):
        ticket = TicketFactory(**fields)
        record_event(ticket=ticket, kind=EventKind.CREATED, actor=None,
                     after={"status": ticket.status})
    return ticket


def _triage(ticket: Ticket, **decision: Any) -> None:
    TriageDecision.objects.create(ticket=ticket, current_for=ticket, **decision)
    record_triage_outcome(ticket, IntakeContext(payload={}))


def _rated(ticket: Ticket, minute: int, score: int, nps: int, comment: str) -> None:
    with at(minute):
        record_event(ticket=ticket, kind=EventKind.SATISFACTION_RATED, actor=None,
                     after={"score": score, "nps": nps, "comment": comment})


def _say(ticket: Ticket, minute: int, who: Any, contact: Any = None) -> None:
    with at(minute):
        if contact is not None:
            add_customer_message(ticket=ticket, contact=contact, body="Still broken?")
        else:
            add_agent_message(ticket=ticket, author=who, body="Here is the fix.", public=True)


def _move(ticket: Ticket, minute: int, **kwargs: Any) -> None:
    with at(minute):
        assign_ticket(ticket=ticket, reason_code="manual", actor=None, **kwargs)


def _status(ticket: Ticket, minute: int, status: str) -> None:
    with at(minute):
        change_status(ticket=ticket, status=status, actor=None)


@pytest.fixture
def desk(db, django_capture_on_commit_callbacks) -> Desk:
    ana, bob, dee, cy = (AgentFactory(username=n, first_name=n.title(), last_name="Agent")
                         for n in ("ana", "bob", "dee", "cy"))
    lee = TeamLeadFactory(username="lee")
    billing = TeamFactory(name="Billing", members=[ana, bob, dee], lead=lee)
    platform = TeamFactory(name="Platform", members=[cy])
    enterprise = OrganizationFactory(tier=Tier.ENTERPRISE)
    smb = OrganizationFactory(tier=Tier.SMB)
    alice = ContactFactory(organization=enterprise)
    at0 = T0
    t1 = _ticket(0, priority="P1", channel="email", organization=enterprise, requester=alice,
                 team=billing, category_id="billing", sla_due_at=at0 + timedelta(minutes=480))
    _move(t1, 1, agent=ana)
    _say(t1, 30, ana)
    _say(t1, 120, None, contact=alice)
    _say(t1, 180, ana)
    _status(t1, 240, "solved")
    _rated(t1, 300, 5, 10, "Quick and kind")

    t2 = _ticket(60, priority="P2", channel="web_form", organization=smb, team=billing,
                 category_id="billing", sla_due_at=at0 + timedelta(minutes=180))
    _move(t2, 61, agent=ana)
    _move(t2, 120, agent=bob)
    _move(t2, 150, agent=dee)
    _say(t2, 180, dee)
    _status(t2, 300, "solved")
    _status(t2, 1440, "open")
    _status(t2, 1500, "solved")
    _rated(t2, 1510, 2, 3, "Took two tries")

    t3 = _ticket(120, priority="P3", channel="email", organization=smb, team=platform,
                 category_id="bug_report", sla_due_at=at0 + timedelta(minutes=600))
    _move(t3, 121, agent=cy)
    with at(125):
        escalate_ticket(ticket=t3, actor=lee, reason="VIP")
    _say(t3, 130, cy)
    _status(t3, 180, "solved")

    t4 = _ticket(180, priority="P3", channel="chat", organization=enterprise, team=platform,
                 sla_due_at=at0 + timedelta(minutes=240))
    _move(t4, 181, agent=cy)
    TeamProfile.objects.create(team=billing, must_accept=True)
    with at(200):
        handoff = request_transfer(ticket=t4, to_team=billing, actor=cy, note="Invoice?")
    with at(260):
        reject_handoff(handoff=handoff, actor=lee, reason="Not a billing question")

    t5 = _ticket(240, priority="P2", channel="api", organization=None, team=billing,
                 follows_up=t1, sla_due_at=NOW + timedelta(minutes=30))

    _triage(t1, category="billing", source="rules")
    _triage(t2, category="billing", source="classifier")
    _triage(t3, category="bug_report", source="rules", rules=[
        {"id": 1, "name": "Crash words", "explanation": "", "category": "bug_report",
         "weight": 0.9}])
    _triage(t4, category="", source="review", needs_review=True)
    _triage(t5, category="", source="caller")
    with at(200):
        update_ticket_fields(ticket=Ticket.objects.get(pk=t3.pk),
                             changes={"category": "account_access"}, actor=cy)

    refund, welcome = Macro.objects.create(name="Refund", body="x"), Macro.objects.create(
        name="Welcome", body="y")
    MacroUse.objects.create(macro=refund, ticket=t1, user=ana, edited=True)
    MacroUse.objects.create(macro=refund, ticket=t2, user=dee, edited=False)
    MacroUse.objects.create(macro=welcome, ticket=t3, user=cy, edited=False)
    people = {"ana": ana, "bob": bob, "dee": dee, "cy": cy, "lee": lee,
              "max": ManagerFactory(username="max")}
    return Desk(billing, platform, people,
                {"T1": t1, "T2": t2, "T3": t3, "T4": t4, "T5": t5})
