import json
from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.functional import cached_property

from routing.choices import Fallback
from routing.models.rules import RoutingRule
from tickets.models import Team, Ticket


class PackedJSONField(models.TextField):
    """
    JSON kept as compact text: written and read whole, never queried inside, so PostgreSQL
    need not parse it into jsonb on every routing decision (the larger part of its write).
    """

    def from_db_value(self, value: str | None, *_args: Any) -> Any:
        return None if value is None else json.loads(value)

    def to_python(self, value: Any) -> Any:
        return json.loads(value) if isinstance(value, str) else value

    def get_prep_value(self, value: Any) -> str | None:
        if value is None:
            return None
        # Packed candidates carry their text, built from fragments kept per team.
        encoded = getattr(value, "json", None)
        return encoded if isinstance(encoded, str) else json.dumps(value, separators=(",", ":"))


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
    considered = PackedJSONField(default=dict, blank=True, db_column="candidates")
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
        from routing.selectors import agent_names

        stored = self.considered
        ids = stored.get("ids", ()) if isinstance(stored, dict) else ()
        return unpack_candidates(stored, agent_names(ids) if ids else {})

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


def _skip_reasons(stored: dict[str, Any]) -> dict[int, list[str]]:
    return {index: skipped for skipped, indices in stored.get("skipped", ())
            for index in indices}


def _one_dict(user_id: int, name: str, team_id: int, skipped: list[str],
              numbers: Iterable[int]) -> dict[str, Any]:
    return {"agent": {"id": user_id, "name": name}, "team": team_id,
            "eligible": not skipped, "skipped": list(skipped),
            **dict(zip(_NUMBERS, numbers, strict=True))}


def _expanded(runs: list[list[int]]) -> list[int]:
    return [value for value, count in runs for _ in range(count)]


def unpack_candidates(
    stored: dict[str, Any] | list[dict[str, Any]], names: Mapping[int, str]
) -> list[dict[str, Any]]:
    """
    Return the candidates one dict each from what the decision stored: columns of numbers
    (routing.candidates.pack_candidates), with the agents' names from `names`; decisions
    stored before keep their form (a row per agent with the name, or a dict per agent).
    """
    if isinstance(stored, list):
        return stored
    if "ids" not in stored and "agents" not in stored:
        return []  # a decision that considered nobody
    reasons = _skip_reasons(stored)
    if "agents" in stored:
        return [_one_dict(user_id, name, team_id, reasons.get(index, []), numbers)
                for index, (user_id, name, team_id, *numbers) in enumerate(stored["agents"])]
    teams, capacities = (_expanded(stored["teams"]), _expanded(stored["capacity"]))
    columns = zip(stored["ids"], teams, stored["load"], capacities, stored["skill_score"],
                  strict=True)
    return [_one_dict(user_id, names.get(user_id, f"user {user_id}"), team_id,
                      reasons.get(index, []), numbers)
            for index, (user_id, team_id, *numbers) in enumerate(columns)]
