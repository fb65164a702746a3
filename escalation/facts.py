"""
SLA facts for every rule (escalation policies above all): `sla.state` is "breached",
"near_breach", "ok" or "none"; `sla.breached` and `sla.near_breach` are the same as booleans.

They read the ticket's own `sla_due_at`, the nearest due time of its running clocks (a
breached clock keeps its past due time until fulfilled), so they cost no query per ticket.
"Near" is the agent queue's "Breaching soon" window, so rules and queues agree.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils import timezone

from tickets.queues import BREACHING_WINDOW

if TYPE_CHECKING:
    from tickets.models import Ticket


def sla_state(ticket: Ticket) -> str:
    due = ticket.sla_due_at
    if due is None:
        return "none"
    now = timezone.now()
    if due <= now:
        return "breached"
    return "near_breach" if due <= now + BREACHING_WINDOW else "ok"


def sla_facts(ticket: Ticket) -> dict[str, Any]:
    state = sla_state(ticket)
    return {"sla.state": state, "sla.breached": state == "breached",
            "sla.near_breach": state == "near_breach"}
