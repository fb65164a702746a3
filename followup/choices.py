"""Enumerations of the follow-up app; stored values are what events and the admin speak."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from tickets.choices import TicketStatus


class RuleKind(models.TextChoices):
    CHASE = "chase", _("Remind, then close")
    CHECKIN = "checkin", _("Check-in task after solve")


class Trigger(models.TextChoices):
    """The status a ticket enters that starts a rule's clock."""

    PENDING = TicketStatus.PENDING.value, _("Pending (waiting on the customer)")
    AWAITING_INFO = TicketStatus.AWAITING_INFO.value, _("Awaiting info (clarification)")
    SOLVED = TicketStatus.SOLVED.value, _("Solved")


class Step(models.TextChoices):
    REMINDER = "reminder", _("Reminder")
    CLOSE = "close", _("Auto-close")
    SURVEY = "survey", _("Satisfaction survey")


CHASE_STEPS = (Step.REMINDER.value, Step.CLOSE.value)


class StepState(models.TextChoices):
    PENDING = "pending", _("Scheduled")
    CLAIMED = "claimed", _("Sending")
    SENT = "sent", _("Sent")
    CANCELLED = "cancelled", _("Cancelled")
    SKIPPED = "skipped", _("Skipped")


class CheckInState(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")
    DISMISSED = "dismissed", _("Dismissed")


class SurveyScale(models.TextChoices):
    GOOD_BAD = "good_bad", _("Good / bad")
    FIVE = "five", _("1 to 5")


# Why a step was cancelled or skipped: stored codes, shown with their labels.
class StepReason(models.TextChoices):
    STATE_CHANGED = "state_changed", _("The ticket changed since it was scheduled")
    CUSTOMER_REPLIED = "customer_replied", _("The customer replied")
    AGENT_CANCELLED = "agent_cancelled", _("Cancelled by an agent")
    DAILY_CAP = "daily_cap", _("Daily follow-up cap for this contact reached")
    NOT_SAMPLED = "not_sampled", _("Not in the survey sample")
    RECENTLY_SURVEYED = "recently_surveyed", _("Contact surveyed recently")
    EXCLUDED = "excluded", _("Spam, merged or internal ticket")
    SURVEYS_OFF = "surveys_off", _("Surveys are switched off")
