"""The follow-up panel of the ticket page (settings.HELPDESK_TICKET_PANELS)."""

from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ObjectDoesNotExist

from followup.forms import ResolutionSummaryForm
from followup.selectors import ticket_checkins, ticket_steps
from tickets.models import Ticket
from tickets.panels import Panel


def followup_panel(*, ticket: Ticket, user: AbstractBaseUser) -> Panel:
    """Resolution summary editor, scheduled follow-ups (cancellable), check-ins: 3 queries."""
    ones = (
        Ticket.objects.filter(pk=ticket.pk)
        .select_related("resolution_summary", "satisfaction").only(
            "pk", *(f"resolution_summary__{name}" for name in SUMMARY_FIELDS),
            "satisfaction__score", "satisfaction__nps", "satisfaction__comment",
        ).first()
    )
    summary = _related(ones, "resolution_summary")
    initial = {} if summary is None else {name: getattr(summary, name) for name in SUMMARY_FIELDS}
    return Panel("followup/_panel.html", {
        "ticket": ticket,
        "summary": summary,
        "summary_form": ResolutionSummaryForm(initial=initial, auto_id="followup-%s"),
        "steps": list(ticket_steps(ticket=ticket)),
        "checkins": list(ticket_checkins(ticket=ticket)),
        "rating": _related(ones, "satisfaction"),
        "may_work": user.has_perm("tickets.work_ticket"),
    })


SUMMARY_FIELDS = ("problem", "actions", "next_steps")


def _related(ticket: Ticket | None, name: str) -> Any:
    # A missing one-to-one row raises on access; the page shows "none" instead.
    try:
        return getattr(ticket, name) if ticket is not None else None
    except ObjectDoesNotExist:
        return None
