from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import models
from simple_history.models import HistoricalRecords

from followup.choices import RuleKind, Trigger
from tickets.models.rules import Rule


class FollowupRule(Rule):
    """
    What happens after a ticket enters a status: a chase rule reminds the customer and then
    closes the ticket; a check-in rule (on solve) gives the owner a task some days later.
    Per trigger and kind, the first enabled rule (by order) whose condition holds applies.
    """

    kind = models.CharField(max_length=16, choices=RuleKind.choices, default=RuleKind.CHASE)
    trigger = models.CharField(max_length=16, choices=Trigger.choices)
    calendar = models.ForeignKey(
        "escalation.BusinessCalendar", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", help_text="Count the waits in this calendar's business time; "
        "empty means calendar time (every hour counts).",
    )
    reminder_after = models.DurationField(
        null=True, blank=True, help_text="Remind the customer after this long; empty: never."
    )
    reminder_text = models.TextField(blank=True)
    close_after = models.DurationField(
        null=True, blank=True, help_text="Close the ticket after this long; empty: never."
    )
    close_text = models.TextField(
        blank=True, help_text="Emailed when the ticket closes; say that a reply reopens it."
    )
    checkin_after = models.DurationField(null=True, blank=True)
    checkin_note = models.CharField(max_length=500, blank=True)
    history = HistoricalRecords()

    class Meta(Rule.Meta):
        indexes = [models.Index(fields=["trigger", "kind", "enabled"], name="followup_rule_pick")]

    def clean(self) -> None:
        super().clean()
        if self.kind == RuleKind.CHECKIN:
            if self.trigger != Trigger.SOLVED:
                raise ValidationError({"trigger": "Check-ins start when a ticket is solved."})
            if not self.checkin_after:
                raise ValidationError({"checkin_after": "Say how long after solve."})
            return
        if not self.reminder_after and not self.close_after:
            raise ValidationError("A chase rule needs a reminder, a close, or both.")
        if self.reminder_after and not self.reminder_text.strip():
            raise ValidationError({"reminder_text": "Write the reminder."})
        if self.close_after and not self.close_text.strip():
            raise ValidationError({"close_text": "Write the closing note."})
        if self.reminder_after and self.close_after and self.close_after <= self.reminder_after:
            raise ValidationError({"close_after": "Close after the reminder, not before."})
        for name in ("reminder_after", "close_after"):
            value = getattr(self, name)
            if value is not None and value <= timedelta(0):
                raise ValidationError({name: "Give a positive duration."})
