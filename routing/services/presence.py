"""Agent presence: set by the agent, kept alive by activity, expired by a sweep."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Final

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from routing.choices import Presence, ReasonCode
from routing.models import AgentProfile
from routing.services.reroute import enqueue_reroute, orphaned_assignments

PRESENCE_TIMEOUT: Final = timedelta(minutes=15)
SWEEP_BATCH: Final = 500  # bounds lock time; the beat task re-enqueues itself while full


@transaction.atomic
def set_presence(*, agent: Any, presence: str, actor: Any | None) -> AgentProfile:
    """
    Set the agent's presence. Leaving `available` sends their unanswered tickets back to
    routing (in a worker, after commit).
    """
    if presence not in Presence.values:
        raise ValueError(f"unknown presence {presence!r}")
    profile, _ = AgentProfile.objects.select_for_update().get_or_create(user=agent)
    before = profile.presence
    profile.presence = presence
    if presence == Presence.AVAILABLE:
        profile.last_seen_at = timezone.now()
    profile.save(update_fields=["presence", "last_seen_at", "updated_at"])
    if before == Presence.AVAILABLE and presence != Presence.AVAILABLE:
        enqueue_reroute(agent_id=agent.pk, reason_code=ReasonCode.AGENT_AWAY)
    return profile


def touch_presence(*, agent: Any) -> None:
    """Record that the agent is active now (the agent UI calls this on activity)."""
    AgentProfile.objects.filter(user=agent).update(last_seen_at=timezone.now())


@transaction.atomic
def expire_idle_presence(*, now: datetime) -> list[int]:
    """Mark available agents idle past PRESENCE_TIMEOUT as away; return their user ids."""
    idle = Q(last_seen_at__lt=now - PRESENCE_TIMEOUT) | Q(last_seen_at__isnull=True)
    ids = list(
        AgentProfile.objects.select_for_update(skip_locked=True)
        .filter(idle, presence=Presence.AVAILABLE)
        .order_by("last_seen_at")
        .values_list("user_id", flat=True)[:SWEEP_BATCH]
    )
    AgentProfile.objects.filter(user_id__in=ids).update(presence=Presence.AWAY, updated_at=now)
    for agent_id in ids:
        enqueue_reroute(agent_id=agent_id, reason_code=ReasonCode.AGENT_AWAY)
    return ids


def enqueue_orphaned_reroutes() -> int:
    """Enqueue a re-route for each agent who left a team that still has their tickets."""
    pairs = orphaned_assignments(limit=SWEEP_BATCH)
    for agent_id, team_id in pairs:
        enqueue_reroute(agent_id=agent_id, reason_code=ReasonCode.LEFT_TEAM, team_id=team_id)
    return len(pairs)
