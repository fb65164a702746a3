"""The ticket page's routing panel (listed in settings.HELPDESK_TICKET_PANELS)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser

from routing.models import RoutingDecision
from routing.selectors import is_following, may_decide, pending_handoff
from tickets.models import Team, Ticket
from tickets.panels import Panel


def _decision(ticket: Ticket) -> RoutingDecision | None:
    # The ticket page prefetches it (HELPDESK_TICKET_PREFETCH); read it only if it did not.
    if Ticket.routing_decision.is_cached(ticket):  # type: ignore[attr-defined]
        return getattr(ticket, "routing_decision", None)
    return RoutingDecision.objects.filter(ticket=ticket).first()


def _transfer_targets(ticket: Ticket) -> list[dict[str, Any]]:
    """Return the other teams with what their contracts require, for the transfer form."""
    rows = (
        Team.objects.exclude(pk=ticket.team_id).order_by("name")
        .values_list("pk", "name", "routing_profile__required_fields",
                     "routing_profile__must_accept")
    )
    return [
        {"id": pk, "name": name, "required": required or [], "must_accept": bool(must_accept)}
        for pk, name, required, must_accept in rows
    ]


def routing_panel(*, ticket: Ticket, user: AbstractBaseUser) -> Panel:
    """Owner (the team queue when nobody owns it), why routing chose it, and the transfer."""
    may_work = user.has_perm("tickets.work_ticket")
    handoff = pending_handoff(ticket=ticket)
    return Panel("routing/panel.html", {
        "ticket": ticket,
        "decision": _decision(ticket),
        "handoff": handoff,
        "may_work": may_work,
        "may_decide": handoff is not None and may_work and may_decide(handoff=handoff, user=user),
        "following": may_work and is_following(ticket=ticket, user=user),
        "targets": _transfer_targets(ticket) if may_work and handoff is None else [],
    })
