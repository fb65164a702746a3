from datetime import timedelta

from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from simple_history.models import HistoricalRecords

from followup.choices import SurveyScale
from tickets.choices import Tier


class FollowupSettings(models.Model):
    """The admin's knobs for follow-up; one row, read with defaults until an admin saves one."""

    daily_cap_per_contact = models.PositiveSmallIntegerField(
        default=3, help_text="At most this many reminders and surveys per contact per day; "
        "more are recorded as skipped. Closing notes always go out.",
    )
    survey_enabled = models.BooleanField(default=True)
    survey_sample_percent = models.PositiveSmallIntegerField(
        default=100, validators=[MaxValueValidator(100)],
        help_text="Share of solved tickets that get a survey, chosen by a stable hash of the "
        "ticket id.",
    )
    survey_cooldown_days = models.PositiveSmallIntegerField(
        default=30, help_text="No survey to a contact surveyed within this many days."
    )
    survey_delay = models.DurationField(
        default=timedelta(hours=1), help_text="How long after solve the survey goes out."
    )
    survey_scale = models.CharField(
        max_length=16, choices=SurveyScale.choices, default=SurveyScale.GOOD_BAD
    )
    survey_link_days = models.PositiveSmallIntegerField(
        default=14, validators=[MinValueValidator(1)],
        help_text="Rating links work this many days; a rating can be changed until then.",
    )
    low_rating_at_most = models.PositiveSmallIntegerField(
        default=2, validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text="A rating this low or lower (1-5; bad counts as 1) notifies the team lead.",
    )
    nps_tiers = ArrayField(
        models.CharField(max_length=16, choices=Tier.choices), default=list, blank=True,
        help_text="Organisation tiers whose survey also asks the 0-10 recommendation question.",
    )
    customer_link_days = models.PositiveSmallIntegerField(
        default=30, validators=[MinValueValidator(1)],
        help_text="How long the ticket link in customer emails works.",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "follow-up settings"

    def __str__(self) -> str:
        return "Follow-up settings"
