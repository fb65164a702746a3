"""Ticket-page panels of triage, listed in settings.HELPDESK_TICKET_PANELS."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser

from tickets.models import Ticket
from tickets.panels import Panel
from triage.incidents import incident_summary


def incident_panel(*, ticket: Ticket, user: AbstractBaseUser) -> Panel:
    """The ticket's parent incident or its linked children, and the switch to mark it."""
    return Panel("triage/incident_panel.html", {
        **incident_summary(ticket=ticket),
        "ticket": ticket,
        "may_mark": user.has_perm("tickets.work_ticket"),
    })
