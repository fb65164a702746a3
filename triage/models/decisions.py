"""What triage decided, per run, and what agents changed afterwards."""

from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from tickets.models import Message, Ticket
from tickets.models.tickets import REFERENCE_PREFIX


class TriageSettings(models.Model):
    """The admin's knobs for triage; one row, created with defaults on first use."""

    confidence_threshold = models.FloatField(
        default=0.6, validators=[MinValueValidator(0.0), MaxValueValidator(1.0)],
        help_text="Below this confidence a ticket goes to manual review instead of a guess.",
    )
    awaiting_info_timeout_hours = models.PositiveIntegerField(
        default=72, help_text="After this long without an answer, triage goes on with a note.",
    )
    similar_days = models.PositiveIntegerField(
        default=30, help_text="How far back similar open tickets are searched.",
    )
    parent_incident_min_rank = models.FloatField(
        default=0.15, validators=[MinValueValidator(0.0), MaxValueValidator(1.0)],
        help_text="How closely a new ticket must read like an open parent incident (full-text "
        "rank, 0 to 1) to be linked to it as a child.",
    )
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "triage settings"

    def __str__(self) -> str:
        return "Triage settings"


class TriageDecision(models.Model):
    """
    One triage run on a ticket. Every run is kept; the newest also points at its ticket
    through ``current_for``, the one-to-one that the API joins as ``ticket.triage_decision``.
    """

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="triage_decisions")
    current_for = models.OneToOneField(
        Ticket, null=True, blank=True, on_delete=models.CASCADE, related_name="triage_decision",
    )
    trigger = models.CharField(max_length=32, default="intake")
    # Who decided the category: "rules", "classifier", "caller", or "review" (nobody).
    source = models.CharField(max_length=16, blank=True)
    normalised_subject = models.CharField(max_length=255, blank=True)
    normalised_text = models.TextField(blank=True)
    detected_language = models.CharField(max_length=16, blank=True)
    category = models.CharField(max_length=50, blank=True)
    severity = models.CharField(max_length=16, blank=True)
    priority = models.CharField(max_length=2, blank=True)
    tags = models.JSONField(default=list, blank=True)
    extracted = models.JSONField(default=dict, blank=True)
    confidence = models.FloatField(default=0.0)
    needs_review = models.BooleanField(default=False)
    missing_fields = models.JSONField(default=list, blank=True)
    sentiment = models.FloatField(null=True, blank=True)
    # [{"id", "name", "explanation", "category", "weight"}], in the order they fired.
    rules = models.JSONField(default=list, blank=True)
    # {"category": score}, the candidates an agent sees when the ticket needs review.
    candidates = models.JSONField(default=dict, blank=True)
    classifier = models.JSONField(default=dict, blank=True)
    explanation = models.TextField(blank=True)
    # Key sentences of a long description, in their original order; the text stays verbatim.
    summary = models.JSONField(default=list, blank=True)
    parent_incident = models.ForeignKey(
        Ticket, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
    )
    parent_incident_score = models.FloatField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["ticket", "-created_at"], name="triage_decision_ticket"),
            models.Index(fields=["needs_review"], name="triage_needs_review",
                         condition=models.Q(needs_review=True, current_for__isnull=False)),
        ]

    def __str__(self) -> str:
        return f"triage of {self.ticket_id}: {self.category or 'review'}"

    # The columns as_api reads: API ticket lists load only these.
    API_FIELDS = ("category", "confidence", "needs_review", "missing_fields", "sentiment", "rules",
                  "parent_incident", "parent_incident_score")

    def as_api(self) -> dict[str, Any]:
        """Return the ``triage`` object of shared/API.md."""
        return {
            "category": self.category or None,
            "confidence": round(self.confidence, 2),
            "needs_review": self.needs_review,
            "missing_fields": list(self.missing_fields),
            "sentiment": None if self.sentiment is None else round(self.sentiment, 2),
            "rules": [
                {"id": rule["id"], "name": rule["name"], "explanation": rule["explanation"]}
                for rule in self.rules
            ],
            "parent_incident": self._parent_incident_api(),
        }

    def _parent_incident_api(self) -> dict[str, Any] | None:
        if self.parent_incident_id is None:
            return None
        return {"id": self.parent_incident_id,
                "reference": f"{REFERENCE_PREFIX}-{self.parent_incident_id}",
                "score": self.parent_incident_score}


class MessageSentiment(models.Model):
    """The sentiment of one customer message, so the ticket's trend can be followed."""

    message = models.OneToOneField(Message, on_delete=models.CASCADE, related_name="+")
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="+")
    score = models.FloatField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["ticket", "created_at"], name="sentiment_ticket_time")]

    def __str__(self) -> str:
        return f"{self.score:+.2f} on message {self.message_id}"


class TriageOverride(models.Model):
    """An agent changed a value triage had set: the signal the classifier learns from."""

    decision = models.ForeignKey(
        TriageDecision, null=True, on_delete=models.SET_NULL, related_name="overrides",
    )
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="+")
    field = models.CharField(max_length=16)
    before = models.CharField(max_length=50, blank=True)
    after = models.CharField(max_length=50, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["field", "created_at"], name="override_field_time")]

    def __str__(self) -> str:
        return f"{self.field}: {self.before} -> {self.after} on {self.ticket_id}"


class SimilarTicket(models.Model):
    """An open ticket that reads like this one, with its full-text rank."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="+")
    similar = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="+")
    score = models.FloatField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["ticket", "similar"], name="similar_ticket_once"),
        ]
        ordering = ["-score"]

    def __str__(self) -> str:
        return f"{self.ticket_id} ~ {self.similar_id} ({self.score:.2f})"


class ClassifierModel(models.Model):
    """
    A trained TF-IDF + linear classifier, stored as plain weights so that the web process
    scores tickets without importing scikit-learn; only the newest active one is used.
    """

    trained_at = models.DateTimeField(default=timezone.now)
    size = models.PositiveIntegerField(help_text="Training examples.")
    cv_accuracy = models.FloatField(null=True, blank=True)
    weights = models.JSONField(help_text="vocabulary, idf, classes, coef, intercept")
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["-trained_at"]

    def __str__(self) -> str:
        return f"classifier of {self.trained_at:%Y-%m-%d %H:%M} ({self.size} examples)"
