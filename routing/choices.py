"""Enumerations of routing; the values are stored and spoken by the API."""

from typing import Final

from django.db import models
from django.utils.translation import gettext_lazy as _


class Presence(models.TextChoices):
    AVAILABLE = "available", _("Available")
    AWAY = "away", _("Away")
    OFFLINE = "offline", _("Offline")


class Strategy(models.TextChoices):
    ROUND_ROBIN = "round_robin", _("Round robin")
    LEAST_LOADED = "least_loaded", _("Least loaded")
    MOST_SKILLED = "most_skilled", _("Most skilled")
    # No agent is chosen: the team owns the ticket and its agents pull from the queue.
    TEAM_QUEUE = "team_queue", _("Team queue")


class Fallback(models.TextChoices):
    NONE = "", _("None")
    NO_RULE = "no_rule", _("No rule matched")
    BACKUP_TEAM = "backup_team", _("Backup team")
    ON_CALL = "on_call", _("On-call agent (after hours)")
    AFTER_HOURS = "after_hours", _("Queued for the team's morning")
    AT_CAPACITY = "at_capacity", _("All agents at capacity: queued on the team")
    NO_AGENT = "no_agent", _("No eligible agent: queued on the team")


class HandoffState(models.TextChoices):
    PENDING = "pending", _("Pending acceptance")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")


class ReasonCode:
    """Reason codes of the ASSIGNED events that routing writes (TicketEvent.reason_code)."""

    ROUND_ROBIN: Final = "routed_round_robin"
    LEAST_LOADED: Final = "routed_least_loaded"
    MOST_SKILLED: Final = "routed_most_skilled"
    TEAM_QUEUE: Final = "queued_on_team"
    BACKUP_TEAM: Final = "routed_backup_team"
    ON_CALL: Final = "routed_on_call"
    AFTER_HOURS: Final = "queued_after_hours"
    AT_CAPACITY: Final = "queued_at_capacity"
    NO_AGENT: Final = "queued_no_agent"
    CLAIMED_ON_REPLY: Final = "claimed_on_reply"
    AGENT_AWAY: Final = "rerouted_agent_away"
    LEFT_TEAM: Final = "rerouted_left_team"
    HANDOFF_ACCEPTED: Final = "handoff_accepted"
    HANDOFF_DIRECT: Final = "handoff_transferred"


# Event kinds of handoffs, as the spine's EventKind lists them.
HANDOFF_REQUESTED: Final = "handoff_requested"
HANDOFF_REJECTED: Final = "handoff_rejected"
HANDOFF_ACCEPTED: Final = "handoff_accepted"
HANDOFF_TRANSFERRED: Final = "handoff_transferred"

# A ticket transferred between teams more often than this is flagged as bouncing, unless
# its team's profile sets its own limit.
DEFAULT_BOUNCE_LIMIT: Final = 3

PRIORITIES: Final = ("P1", "P2", "P3", "P4")
MIN_LEVEL: Final = 1
MAX_LEVEL: Final = 5
