from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from routing.choices import MAX_LEVEL, MIN_LEVEL, Strategy
from routing.models.agents import Skill
from tickets.models import Team
from tickets.models.rules import Rule


class RoutingRule(Rule):
    """Send matching tickets to a team, to agents with the required skills, by a strategy."""

    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="+")
    strategy = models.CharField(
        max_length=16, choices=Strategy.choices, default=Strategy.LEAST_LOADED
    )
    history = HistoricalRecords()

    class Meta(Rule.Meta):
        constraints = [
            models.CheckConstraint(
                condition=Q(strategy__in=Strategy.values), name="routing_rule_strategy_known"
            ),
        ]


class RoutingRuleSkill(models.Model):
    """A skill that agents need, at a minimum level, to get the rule's tickets."""

    rule = models.ForeignKey(RoutingRule, on_delete=models.CASCADE, related_name="required_skills")
    skill = models.ForeignKey(Skill, on_delete=models.PROTECT, related_name="+")
    min_level = models.PositiveSmallIntegerField(
        default=1, validators=[MinValueValidator(MIN_LEVEL), MaxValueValidator(MAX_LEVEL)]
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["rule", "skill"], name="routing_rule_skill_once"),
            models.CheckConstraint(
                condition=Q(min_level__gte=MIN_LEVEL, min_level__lte=MAX_LEVEL),
                name="routing_rule_skill_level",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.skill} >= {self.min_level}"
