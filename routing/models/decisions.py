from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.functional import cached_property

from routing.choices import Fallback
from routing.models.rules import RoutingRule
from tickets.models import Team, Ticket


class RoutingDecision(models.Model):
    """
    The ticket's current routing decision: which rule and strategy, every candidate agent
    with why they were skipped, the fallback used and a sentence for the agent. A re-route
    replaces it; the ASSIGNED events keep the history of owners.
    """

    ticket = models.OneToOneField(Ticket, on_delete=models.CASCADE, related_name="routing_decision")
    rule = models.ForeignKey(
        RoutingRule, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Kept as written when the decision was made, so a renamed or deleted rule still reads true.
    rule_name = models.CharField(max_length=200, blank=True)
    strategy = models.CharField(max_length=16, blank=True)
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    fallback = models.CharField(max_length=16, choices=Fallback.choices, blank=True)
    reason_code = models.CharField(max_length=64)
    explanation = models.TextField()
    # Every agent considered, stored compactly (routing.candidates.pack_candidates): people
    # read them through `candidates`.
    considered = models.JSONField(default=dict, blank=True, db_column="candidates")
    queued_until = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(default=timezone.now)
    # Completed transfers between teams; a re-route keeps it. Escalation rules test it
    # through the routing.transfers and routing.bounced facts (routing.facts).
    transfers = models.PositiveIntegerField(default=0, db_default=0)

    def __str__(self) -> str:
        return f"Routing of ticket {self.ticket_id}"

    # The columns as_api reads: API ticket lists load only these.
    API_FIELDS = ("rule_id", "rule_name", "strategy", "fallback", "explanation")

    @cached_property
    def candidates(self) -> list[dict[str, Any]]:
        """Every agent considered, each with their numbers and why they were skipped."""
        return unpack_candidates(self.considered)

    @property
    def fallback_used(self) -> bool:
        return bool(self.fallback)

    def as_api(self) -> dict[str, Any]:
        """Return the `routing` object of the ticket in the REST API (shared/API.md)."""
        rule = {"id": self.rule_id, "name": self.rule_name} if self.rule_name else None
        return {
            "rule": rule,
            "strategy": self.strategy,
            "fallback_used": self.fallback_used,
            "explanation": self.explanation,
        }


_NUMBERS = ("load", "capacity", "skill_score")


def unpack_candidates(stored: dict[str, Any] | list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Return the candidates one dict each, from the compact form (decisions before it: as is)."""
    if isinstance(stored, list):
        return stored
    reasons: dict[int, list[str]] = {}
    for skipped, indices in stored.get("skipped", ()):
        for index in indices:
            reasons[index] = skipped
    candidates = []
    for index, (user_id, name, team_id, *numbers) in enumerate(stored.get("agents", ())):
        skipped = reasons.get(index, [])
        candidates.append({"agent": {"id": user_id, "name": name}, "team": team_id,
                           "eligible": not skipped, "skipped": list(skipped),
                           **dict(zip(_NUMBERS, numbers, strict=True))})
    return candidates
