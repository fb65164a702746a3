from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from routing.schedules import validate_schedule, validate_time_zone
from tickets.models import Team, TimeStampedModel


class TeamProfile(TimeStampedModel):
    """
    What routing adds to a team: business hours, a backup team, claim on reply, and the
    handoff contract that other teams must meet before they transfer a ticket here.
    """

    team = models.OneToOneField(Team, on_delete=models.CASCADE, related_name="routing_profile")
    time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_time_zone])
    business_hours = models.JSONField(
        default=dict, blank=True, validators=[validate_schedule],
        help_text='Weekly hours in the team\'s time zone, {"mon": [["09:00", "17:00"]]}; '
        "empty means always open.",
    )
    backup_team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        help_text="Gets the ticket when no agent of this team is eligible.",
    )
    claim_on_reply = models.BooleanField(
        default=False,
        help_text="The first agent of the team who replies publicly to an unassigned ticket "
        "owns it.",
    )
    catch_all = models.BooleanField(
        default=False, help_text="Owns the tickets that no routing rule matches."
    )
    required_fields = ArrayField(
        models.CharField(max_length=100), default=list, blank=True,
        help_text="Condition fields (ticket.product_area, organization.name, "
        "ticket.custom_fields.order_id, ...) a ticket must have before it is transferred here.",
    )
    must_accept = models.BooleanField(
        default=False, help_text="Transfers here wait until an agent of the team accepts them."
    )
    bounce_limit = models.PositiveSmallIntegerField(
        default=3, help_text="A ticket transferred more often than this is flagged as bouncing."
    )
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~Q(backup_team=F("team")), name="team_profile_backup_is_other"
            ),
            # Unmatched tickets need one owner, not whichever catch-all team comes first.
            models.UniqueConstraint(
                fields=["catch_all"], condition=Q(catch_all=True), name="one_catch_all_team"
            ),
        ]

    def __str__(self) -> str:
        return f"Routing of {self.team}"


class OnCallShift(models.Model):
    """Who answers a team's after-hours P1 tickets between two instants; overrides win."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="on_call_shifts")
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="on_call_shifts"
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    is_override = models.BooleanField(
        default=False, help_text="Replaces the regular rotation for its hours (swaps, sick days)."
    )
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["team", "starts_at"]
        indexes = [models.Index(fields=["team", "starts_at", "ends_at"], name="on_call_window")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="on_call_shift_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agent} on call for {self.team} from {self.starts_at:%Y-%m-%d %H:%M}"
