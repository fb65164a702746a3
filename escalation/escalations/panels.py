"""The ticket page's escalation panel (listed in settings.HELPDESK_TICKET_PANELS)."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser

from escalation.escalations.forms import DeEscalateForm, EscalateForm
from escalation.escalations.permissions import may_acknowledge, may_de_escalate
from escalation.escalations.selectors import ticket_escalations
from tickets.models import Ticket
from tickets.panels import Panel


def escalation_panel(*, ticket: Ticket, user: AbstractBaseUser) -> Panel:
    """Open and past escalations, with acknowledge, de-escalate and escalate-by-hand."""
    escalations = ticket_escalations(ticket=ticket)
    return Panel("escalations/panel.html", {
        "ticket": ticket,
        "open": [e for e in escalations if e.is_open],
        "past": [e for e in escalations if not e.is_open],
        "may_acknowledge": may_acknowledge(user),
        "may_de_escalate": may_de_escalate(user),
        "may_escalate": user.has_perm("tickets.escalate_ticket"),  # type: ignore[attr-defined]
        "de_escalate_form": DeEscalateForm(),
        "escalate_form": EscalateForm(),
    })
