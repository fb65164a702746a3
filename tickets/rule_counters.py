"""
How often each rule fired, counted in Redis and written to the rule rows by a beat task.

Every intake fires the same few rules; an UPDATE per fire would make concurrent intakes queue
on those rows' locks. A Redis HINCRBY costs nothing and never blocks, and the sweep applies the
totals with one UPDATE per rule.
"""

from collections import defaultdict
from collections.abc import Iterable

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import F
from redis import Redis


def _client() -> Redis:
    return cache._cache.get_client(write=True)  # type: ignore[attr-defined]


def _key() -> str:
    return f"{settings.CACHES['default'].get('KEY_PREFIX', '')}:rule-fired"


def count_fired(*, model_label: str, rule_ids: Iterable[int]) -> None:
    """Add one to each rule's fired counter; `model_label` is like "triage.triagerule"."""
    pipe = _client().pipeline(transaction=False)
    for rule_id in rule_ids:
        pipe.hincrby(_key(), f"{model_label}:{rule_id}", 1)
    pipe.execute()


def flush_fired_counts() -> int:
    """Move the counted fires into the rule rows; return how many rules were updated."""
    client, key = _client(), _key()
    draining = f"{key}:draining"
    # RENAME is atomic: fires counted from here on go to a fresh hash, none are lost.
    try:
        client.rename(key, draining)
    except Exception as error:  # redis raises ResponseError when there is nothing to drain
        if "no such key" in str(error).lower():
            return 0
        raise
    totals: dict[str, dict[int, int]] = defaultdict(dict)
    for field, count in client.hgetall(draining).items():
        label, rule_id = field.decode().rsplit(":", 1)
        totals[label][int(rule_id)] = int(count)
    with transaction.atomic():
        for label, counts in totals.items():
            model = apps.get_model(label)
            for rule_id, count in counts.items():
                model.objects.filter(pk=rule_id).update(fired_count=F("fired_count") + count)
    client.delete(draining)
    return sum(len(counts) for counts in totals.values())
