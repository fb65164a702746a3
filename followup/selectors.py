"""Reads of the follow-up app: settings, the ticket panel's rows, an agent's check-ins."""

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet

from followup.choices import CheckInState
from followup.models import CheckIn, FollowupSettings, ScheduledStep
from tickets.models import Ticket


def followup_settings() -> FollowupSettings:
    """Return the settings row, or the defaults (unsaved) until an admin saves one."""
    return FollowupSettings.objects.order_by("pk").first() or FollowupSettings()


def ticket_steps(*, ticket: Ticket) -> QuerySet[ScheduledStep]:
    """Return the ticket's follow-ups, due order, with rule and canceller joined."""
    return (
        ScheduledStep.objects.filter(ticket=ticket)
        .select_related("rule", "cancelled_by")
        .order_by("due_at", "pk")
    )


def ticket_checkins(*, ticket: Ticket) -> QuerySet[CheckIn]:
    return CheckIn.objects.filter(ticket=ticket).select_related("owner").order_by("due_at")


def agent_checkins(*, user: AbstractBaseUser, state: str = CheckInState.OPEN) -> QuerySet[CheckIn]:
    """Return the user's check-ins in a state, soonest first, with list columns joined."""
    return (
        CheckIn.objects.filter(owner=user, state=state)
        .select_related("ticket", "ticket__requester", "ticket__organization", "rule")
        .order_by("due_at", "pk")
    )
