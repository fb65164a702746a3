from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from followup.choices import SurveyScale
from tickets.models import Contact, Ticket


class ResolutionSummary(models.Model):
    """What the agent tells the customer on solve: the problem, the fix, what comes next."""

    ticket = models.OneToOneField(
        Ticket, on_delete=models.CASCADE, related_name="resolution_summary"
    )
    problem = models.TextField(blank=True, help_text="What was wrong.")
    actions = models.TextField(blank=True, help_text="What was done.")
    next_steps = models.TextField(blank=True, help_text="Next steps or how to prevent it.")
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Resolution of {self.ticket_id}"

    @property
    def is_blank(self) -> bool:
        return not (self.problem.strip() or self.actions.strip() or self.next_steps.strip())


class SatisfactionRating(models.Model):
    """The customer's rating of one ticket (1-5; good is 5, bad is 1), changeable by link."""

    ticket = models.OneToOneField(Ticket, on_delete=models.CASCADE, related_name="satisfaction")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="+")
    scale = models.CharField(max_length=16, choices=SurveyScale.choices)
    score = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comment = models.TextField(blank=True)
    nps = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(10)]
    )
    rated_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["rated_at"], name="followup_rating_time")]
        constraints = [
            models.CheckConstraint(condition=models.Q(score__gte=1, score__lte=5),
                                   name="followup_rating_score_range"),
            models.CheckConstraint(
                condition=models.Q(nps__isnull=True) | models.Q(nps__lte=10),
                name="followup_rating_nps_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.score}/5 on {self.ticket_id}"
