from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from routing.choices import MAX_LEVEL, MIN_LEVEL, PRIORITIES, Presence
from routing.schedules import validate_schedule, validate_time_zone
from tickets.models import TimeStampedModel

LEVELS = [MinValueValidator(MIN_LEVEL), MaxValueValidator(MAX_LEVEL)]


def validate_priority_weights(value: object) -> None:
    """Accept {"P1": 3, "P2": 2} style weights: known priorities, positive whole numbers."""
    from django.core.exceptions import ValidationError

    if not isinstance(value, dict):
        raise ValidationError('Give an object such as {"P1": 3, "P2": 2}.')
    for key, weight in value.items():
        if key not in PRIORITIES or not isinstance(weight, int) or weight < 1:
            raise ValidationError(
                f"{key!r}: {weight!r} is not a priority with a weight of 1 or more."
            )


class Skill(models.Model):
    """Something an agent is good at (billing, API, security, ...); admins keep the list."""

    slug = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=100)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class AgentProfile(TimeStampedModel):
    """What routing knows about an agent: skills, languages, hours, capacity and presence."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="agent_profile"
    )
    skills = models.ManyToManyField(Skill, through="AgentSkill", blank=True, related_name="+")
    languages = ArrayField(
        models.CharField(max_length=16), default=list, blank=True,
        help_text="Language codes the agent answers in (en, de, ...); empty means any.",
    )
    region = models.CharField(max_length=50, blank=True)
    time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_time_zone])
    working_hours = models.JSONField(
        default=dict, blank=True, validators=[validate_schedule],
        help_text='Weekly hours in the agent\'s time zone, {"mon": [["09:00", "17:00"]]}; '
        "empty means always.",
    )
    capacity = models.PositiveSmallIntegerField(
        default=10, help_text="Most open assigned tickets (weighted) routing gives the agent."
    )
    priority_weights = models.JSONField(
        default=dict, blank=True, validators=[validate_priority_weights],
        help_text='How much an open ticket of each priority counts, {"P1": 3}; 1 if absent.',
    )
    presence = models.CharField(max_length=16, choices=Presence.choices, default=Presence.OFFLINE)
    last_seen_at = models.DateTimeField(null=True, blank=True)
    # Round robin hands the next ticket to whoever waited longest since their last one.
    last_assigned_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["presence", "last_seen_at"], name="agent_presence_seen")]
        constraints = [
            models.CheckConstraint(
                condition=Q(presence__in=Presence.values), name="agent_presence_known"
            ),
        ]

    def __str__(self) -> str:
        return str(self.user)

    def weight(self, priority: str) -> int:
        """Return how much one open ticket of this priority counts against capacity."""
        return int(self.priority_weights.get(priority, 1))


class AgentSkill(models.Model):
    """An agent's proficiency in one skill, from 1 (learning) to 5 (expert)."""

    profile = models.ForeignKey(AgentProfile, on_delete=models.CASCADE, related_name="skill_levels")
    skill = models.ForeignKey(Skill, on_delete=models.CASCADE, related_name="agent_levels")
    level = models.PositiveSmallIntegerField(validators=LEVELS)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["profile", "skill"], name="agent_skill_once"),
            models.CheckConstraint(
                condition=Q(level__gte=MIN_LEVEL, level__lte=MAX_LEVEL), name="agent_skill_level"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.skill} {self.level}"
