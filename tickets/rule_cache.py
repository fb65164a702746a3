"""
Rules held in memory per thread and reloaded only when a version token in Redis changes.

Every intake evaluates every enabled rule; reading them from the database each time would
cost queries per ticket, and a process-local copy alone would never see an admin's edit. An
edit first sets a provisional token, so until it commits every process reads the rules afresh
(nobody keeps rows that might roll back), then a final token, so each process reloads once.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from typing import Final, Generic, TypeVar

from django.core.cache import cache
from django.db import transaction
from django.db.models import Model
from django.db.models.signals import post_delete, post_save

PROVISIONAL: Final = "provisional:"
PROVISIONAL_TTL: Final = 60  # seconds; a rolled-back edit stops costing reloads after this

T = TypeVar("T")


class VersionedRules(Generic[T]):
    """A per-thread copy of whatever `load(version)` builds, kept until the token changes."""

    def __init__(self, name: str, load: Callable[[str], T]) -> None:
        self.key = f"{name}:version"
        self._load = load
        self._local = threading.local()

    def version(self) -> str:
        version = cache.get(self.key)
        if version is None:
            cache.add(self.key, uuid.uuid4().hex, timeout=None)
            version = cache.get(self.key)
        return str(version)

    def current(self) -> T:
        """Return the loaded rules, reading the database only when the token changed."""
        version = self.version()
        if version.startswith(PROVISIONAL):
            return self._load(version)
        held: tuple[str, T] | None = getattr(self._local, "held", None)
        if held is None or held[0] != version:
            held = (version, self._load(version))
            self._local.held = held
        return held[1]

    def publish(self) -> None:
        """Set a final token: every process reloads once, then keeps its copy."""
        cache.set(self.key, uuid.uuid4().hex, timeout=None)

    def invalidate(self) -> None:
        """Read rules afresh everywhere until the current transaction commits, then publish."""
        cache.set(self.key, PROVISIONAL + uuid.uuid4().hex, timeout=PROVISIONAL_TTL)
        transaction.on_commit(self.publish)

    def invalidate_on_change(self, *models: type[Model]) -> None:
        """
        Invalidate whenever a row of these models is saved or deleted, however it was edited.
        Signals rebuild a cache here and nothing else (STYLE.md allows exactly that); apps call
        this from AppConfig.ready().
        """
        call_on_change(self.invalidate, self.key, models)


def call_on_change(invalidate: Callable[[], None], name: str, models: tuple[type[Model], ...]
                   ) -> None:
    """Call `invalidate` whenever a row of these models is saved or deleted."""

    def on_change(**_signal: object) -> None:
        invalidate()

    for model in models:
        uid = f"{name}:{model._meta.label_lower}"
        # Held strongly: the receiver lives as long as the cache it invalidates.
        post_save.connect(on_change, sender=model, dispatch_uid=f"{uid}:save", weak=False)
        post_delete.connect(on_change, sender=model, dispatch_uid=f"{uid}:delete", weak=False)
