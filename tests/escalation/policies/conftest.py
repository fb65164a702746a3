"""Fixtures of escalation policies: people, an intake with SLA and policies, policies."""

from __future__ import annotations

from typing import Any

import pytest

from escalation.escalations.models import Escalation, EscalationPolicy
from tests.tickets.factories import (
    AgentFactory,
    ContactFactory,
    ManagerFactory,
    TeamFactory,
    TeamLeadFactory,
)
from tickets.choices import EventKind
from tickets.models import TicketEvent
from tickets.services.intake import NewTicket, create_ticket

PIPELINE = ["escalation.stages.start_sla", "escalation.escalations.stages.evaluate_policies"]


@pytest.fixture
def people(db) -> dict[str, Any]:
    agent, other = AgentFactory(), AgentFactory()
    lead, manager = TeamLeadFactory(), ManagerFactory()
    team = TeamFactory(lead=lead, members=[agent, other, lead])
    return {"agent": agent, "other": other, "lead": lead, "manager": manager, "team": team}


@pytest.fixture
def intake(settings):
    """
    Create tickets through the real intake service with the SLA stage and the policies'
    stage alone, so priority and text are what the test gives, not what triage makes of them.
    """
    settings.HELPDESK_INTAKE_PIPELINE = PIPELINE

    def create(priority: str = "P3", **fields: Any):
        fields.setdefault("subject", "Help")
        fields.setdefault("description", "Something is wrong.")
        fields.setdefault("requester_email", ContactFactory.build().email)
        ticket, _ctx = create_ticket(request=NewTicket(priority=priority, **fields))
        return ticket

    return create


@pytest.fixture
def policy(db):
    def create(condition: dict[str, Any], **fields: Any) -> EscalationPolicy:
        users = fields.pop("notify_users", [])
        fields.setdefault("name", "Policy")
        fields.setdefault("explanation", "The ticket needs more senior eyes.")
        fields.setdefault("enabled", True)
        made = EscalationPolicy.objects.create(condition=condition, **fields)
        made.notify_users.set(users)
        return made

    return create


def leaf(field: str, op: str, value: Any = None) -> dict[str, Any]:
    node = {"field": field, "op": op}
    if value is not None:
        node["value"] = value
    return node


def escalations(ticket) -> list[Escalation]:
    return list(Escalation.objects.filter(ticket=ticket).order_by("pk"))


def events(ticket, kind: str) -> list[TicketEvent]:
    return list(TicketEvent.objects.filter(ticket=ticket, kind=kind).order_by("pk"))


def escalated_events(ticket) -> list[TicketEvent]:
    return events(ticket, EventKind.ESCALATED)
