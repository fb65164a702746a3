"""Who else has a ticket open: a small Redis entry per ticket, renewed by each viewer's poll."""

import time

from django.contrib.auth.models import AbstractBaseUser
from django.core.cache import cache

PRESENCE_TTL = 30  # seconds; viewers poll every 10, so one lost poll does not drop them


def _key(ticket_id: int) -> str:
    return f"presence:ticket:{ticket_id}"


def mark_viewing(*, ticket_id: int, user: AbstractBaseUser) -> list[str]:
    """Record the user as viewing the ticket now; return the names of the other viewers."""
    now = time.time()
    viewers: dict[str, tuple[str, float]] = cache.get(_key(ticket_id)) or {}
    name = user.get_full_name() or user.get_username()  # type: ignore[attr-defined]
    # Read-modify-write without a lock: a race loses one heartbeat, which the next poll restores.
    fresh = {uid: entry for uid, entry in viewers.items() if entry[1] > now}
    fresh[str(user.pk)] = (name, now + PRESENCE_TTL)
    cache.set(_key(ticket_id), fresh, timeout=PRESENCE_TTL)
    return sorted(entry[0] for uid, entry in fresh.items() if uid != str(user.pk))
