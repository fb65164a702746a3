from django.db import models

from tickets.conditions import condition_validator, explain


class Rule(models.Model):
    """
    Abstract base of every admin-edited rule: a condition, an order, an on/off switch,
    a one-sentence explanation and a counter of how often it fired.
    """

    name = models.CharField(max_length=200)
    explanation = models.CharField(
        max_length=500, help_text="One sentence that tells an agent why this rule fired."
    )
    condition = models.JSONField(default=dict, blank=True, validators=[condition_validator])
    order = models.PositiveIntegerField(default=100)
    enabled = models.BooleanField(default=False)
    fired_count = models.PositiveBigIntegerField(default=0, editable=False)

    class Meta:
        abstract = True
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def condition_text(self) -> str:
        return explain(self.condition)

    def record_fired(self) -> None:
        type(self).record_fired_many([self.pk])

    @classmethod
    def record_fired_many(cls, rule_ids: list[int]) -> None:
        """Count fires in Redis; a beat task adds them to fired_count (tickets.rule_counters)."""
        from tickets.rule_counters import count_fired

        count_fired(model_label=cls._meta.label_lower, rule_ids=rule_ids)
