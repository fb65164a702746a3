"""The account-enrichment hook: a CRM or billing endpoint that tells triage about an account."""

from django.core.validators import MaxValueValidator, MinValueValidator, URLValidator
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from tickets.models import Organization


class AccountEnrichmentHook(models.Model):
    """
    An HTTP endpoint that receives a new ticket's requester and organisation as JSON and
    answers with facts about the account (plan, annual value, health, at-risk, renewal date).
    Only the first enabled hook is called.
    """

    name = models.CharField(max_length=100)
    url = models.URLField(max_length=500, validators=[URLValidator(schemes=["http", "https"])],
                          help_text="Receives a POST with a JSON body.")
    secret_header = models.CharField(
        max_length=100, blank=True, default="Authorization",
        help_text="The header that carries the secret, e.g. Authorization or X-Api-Key.",
    )
    secret_value = models.CharField(max_length=500, blank=True,
                                    help_text="Sent verbatim in that header.")
    timeout_seconds = models.FloatField(
        default=2.0, validators=[MinValueValidator(0.1), MaxValueValidator(10.0)],
        help_text="Give up after this long; intake never waits for the hook.",
    )
    cache_ttl_seconds = models.PositiveIntegerField(
        default=3600, help_text="An organisation's facts are fetched at most once in this time "
        "(0: every ticket).",
    )
    allow_private_address = models.BooleanField(
        default=False,
        help_text="Allow a private, loopback or link-local address (an internal CRM). "
        "Leave unticked for a hook on the internet.",
    )
    enabled = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)
    # The secret stays out of the history table, which more admins may read.
    history = HistoricalRecords(excluded_fields=["secret_value"])

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from triage.enrichment import validate_hook_url

        validate_hook_url(self)


class EnrichmentCall(models.Model):
    """One call of the hook for one organisation: what it answered and what was kept."""

    hook = models.ForeignKey(AccountEnrichmentHook, on_delete=models.CASCADE,
                             related_name="calls")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    ok = models.BooleanField(default=False)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)
    applied = models.JSONField(default=dict, blank=True)
    rejected = models.JSONField(default=dict, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["organization", "-created_at"], name="enrichment_org_recent"),
            models.Index(fields=["ok", "-created_at"], name="enrichment_ok_recent"),
        ]

    def __str__(self) -> str:
        outcome = "ok" if self.ok else f"failed: {self.error}"
        return f"{self.hook_id} for {self.organization_id}: {outcome}"
