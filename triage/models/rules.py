"""Admin-edited triage configuration: rules, extractors and required fields."""

import re

from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from simple_history.models import HistoricalRecords

from tickets.choices import Channel, Priority, Severity
from tickets.models import Category
from tickets.models.rules import Rule

_FIELD_KEY = re.compile(r"[a-z][a-z0-9_]{0,99}")


def regex_validator(value: str) -> None:
    """Reject a pattern Python cannot compile, quoting the compiler's reason."""
    try:
        re.compile(value)
    except re.error as error:
        raise ValidationError(
            "Invalid regular expression: %(reason)s", code="invalid_regex",
            params={"reason": str(error)},
        ) from None


def field_key_validator(value: str) -> None:
    if not _FIELD_KEY.fullmatch(value):
        raise ValidationError(
            "Use a lowercase name of letters, digits and underscores, e.g. order_id.",
            code="invalid_field_key",
        )


class TriageRule(Rule):
    """
    A classification rule: when its condition holds, it votes for a category with its weight
    and may set severity, priority and tags. Conditions usually test ``triage.text``.
    """

    weight = models.FloatField(
        default=0.8,
        validators=[MinValueValidator(0.0), MaxValueValidator(1.0)],
        help_text="How sure this rule alone makes triage of its category, from 0 to 1.",
    )
    category = models.ForeignKey(
        Category, to_field="slug", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", help_text="Leave empty for a rule that only tags or sets severity.",
    )
    severity = models.CharField(max_length=16, choices=Severity.choices, blank=True)
    priority = models.CharField(max_length=2, choices=Priority.choices, blank=True)
    tags = ArrayField(models.CharField(max_length=50), default=list, blank=True)
    history = HistoricalRecords()

    class Meta(Rule.Meta):
        constraints = [
            models.CheckConstraint(
                condition=models.Q(weight__gte=0) & models.Q(weight__lte=1),
                name="triage_rule_weight_unit",
            ),
        ]


class PriorityRule(Rule):
    """
    Set priority (and optionally severity) once the category is known: the first enabled
    rule in order whose condition holds wins; its condition may test ``ticket.category``.
    """

    priority = models.CharField(max_length=2, choices=Priority.choices)
    severity = models.CharField(max_length=16, choices=Severity.choices, blank=True)
    history = HistoricalRecords()


class Extractor(models.Model):
    """A named regex that copies the first match into a custom field the ticket lacks."""

    name = models.CharField(max_length=100)
    pattern = models.CharField(
        max_length=500, validators=[regex_validator],
        help_text="Python regex, case-insensitive; group 1 is stored when present, else the match.",
    )
    field = models.CharField(max_length=100, validators=[field_key_validator],
                             help_text="The custom field it fills, e.g. order_id.")
    order = models.PositiveIntegerField(default=100)
    enabled = models.BooleanField(default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.name


class RequiredField(models.Model):
    """
    A field a ticket of a category (and channel) needs before it can be worked: when it is
    missing, the ticket waits in awaiting_info and the customer is asked for it.
    """

    category = models.ForeignKey(
        Category, to_field="slug", null=True, blank=True, on_delete=models.CASCADE,
        related_name="+", help_text="Empty: every category.",
    )
    channel = models.CharField(max_length=16, choices=Channel.choices, blank=True,
                               help_text="Empty: every channel.")
    field = models.CharField(
        max_length=100, validators=[field_key_validator],
        help_text="A custom field name, or product_area.",
    )
    question = models.CharField(
        max_length=300, help_text="How the clarification request asks for it, in one line.",
    )
    enabled = models.BooleanField(default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["category_id", "field"]

    def __str__(self) -> str:
        return f"{self.category_id or 'any'}/{self.channel or 'any'}: {self.field}"
