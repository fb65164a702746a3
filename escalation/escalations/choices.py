"""Enumerations of escalation policies; the values are stored, the labels shown."""

from typing import Final

from django.db import models
from django.utils.translation import gettext_lazy as _


class DeEscalateWhen(models.TextChoices):
    RESOLVED = "resolved", _("Ticket solved or closed")
    PRIORITY_LOWERED = "priority_lowered", _("Priority lowered below the escalated one")
    UPDATE_SENT = "update_sent", _("An agent sent the customer a public reply")
    MANUAL = "manual", _("Only by hand (a lead or manager)")


class EscalationTrigger(models.TextChoices):
    POLICY = "policy", _("Policy")
    MANUAL = "manual", _("By hand")


class EscalationQuality(models.TextChoices):
    """A lead's or manager's judgement of an escalation, afterwards."""

    NECESSARY = "necessary", _("Necessary")
    PREMATURE = "premature", _("Premature")
    LATE = "late", _("Late")


DEFAULT_NOTIFICATION_KIND: Final = "escalation"
DEFAULT_CUSTOMER_TEMPLATE: Final = (
    "Hello,\n\nWe've escalated your issue to $owner. You can expect a response within "
    "$within.\n\nYour reference is $reference ($subject)."
)
# The placeholders an admin may use in the customer update (string.Template: no attributes).
CUSTOMER_PLACEHOLDERS: Final = ("owner", "within", "reference", "subject")
# "Talk to a human" and its cousins, matched in the customer's latest message.
HUMAN_REQUEST_PATTERN: Final = (
    r"\b(?:(?:talk|speak|chat)\s+(?:to|with)\s+(?:a\s+|an\s+|your\s+|the\s+)?"
    r"(?:real\s+|actual\s+|live\s+)?(?:human|person|people|someone|somebody|agent)"
    r"|(?:real|actual|live)\s+(?:human|person)"
    r"|manager|supervisor)\b"
)
# A drop of this much between the customer's last two messages counts as falling sentiment.
SENTIMENT_FALL: Final = 0.3
REOPEN_WINDOW_HOURS: Final = 24
