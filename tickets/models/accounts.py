from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.db.models.functions import Lower
from simple_history.models import HistoricalRecords

from tickets.choices import Tier
from tickets.models.base import TimeStampedModel


class Organization(TimeStampedModel):
    """A customer account; its tier is the segment that SLAs and routing read."""

    name = models.CharField(max_length=200)
    external_id = models.CharField(max_length=100, null=True, blank=True, unique=True)
    email_domains = ArrayField(models.CharField(max_length=253), default=list, blank=True)
    tier = models.CharField(max_length=16, choices=Tier.choices, default=Tier.SELF_SERVE)
    plan = models.CharField(max_length=100, blank=True)
    annual_value = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    region = models.CharField(max_length=50, blank=True)
    time_zone = models.CharField(max_length=64, blank=True)
    health_score = models.PositiveSmallIntegerField(null=True, blank=True)
    at_risk = models.BooleanField(default=False)
    renewal_date = models.DateField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["name"]),
            # Intake matches a requester's organisation by email domain on every new ticket.
            GinIndex(fields=["email_domains"], name="org_email_domains"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(tier__in=Tier.values), name="org_tier_known"),
            models.CheckConstraint(
                condition=models.Q(health_score__isnull=True) | models.Q(health_score__lte=100),
                name="org_health_score_percent",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Contact(TimeStampedModel):
    """A person who asks for help; one row per email address, whatever its case."""

    email = models.EmailField(max_length=254)
    name = models.CharField(max_length=200, blank=True)
    phone = models.CharField(max_length=50, blank=True)
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.SET_NULL, related_name="contacts"
    )
    language = models.CharField(max_length=16, blank=True)
    time_zone = models.CharField(max_length=64, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(Lower("email"), name="contact_email_ci_unique")]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>" if self.name else self.email

    @property
    def first_name(self) -> str:
        return self.name.split()[0] if self.name.strip() else ""


class Team(TimeStampedModel):
    """A queue of agents that owns tickets; routing adds schedules, skills and fallbacks."""

    name = models.CharField(max_length=100, unique=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="teams", blank=True
    )
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="led_teams",
    )
    history = HistoricalRecords()

    def __str__(self) -> str:
        return self.name


class Category(models.Model):
    """A ticket category; the slug is what the API speaks."""

    slug = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=100)
    description = models.TextField(blank=True)
    active = models.BooleanField(default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "categories"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
