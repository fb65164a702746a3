"""Replay the first response to a repeated create call; exactly one ticket per key."""

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.utils import timezone

from tickets.exceptions import IdempotencyConflict
from tickets.models import IdempotencyRecord

KEY_LIFETIME = timedelta(hours=24)


@dataclass
class StoredResponse:
    status_code: int
    body: dict[str, Any]
    headers: dict[str, str]
    replayed: bool = False


def request_fingerprint(data: Any) -> str:
    canonical = json.dumps(data, sort_keys=True, cls=DjangoJSONEncoder, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


@transaction.atomic
def run_once(
    *, owner: str, key: str, fingerprint: str, run: Callable[[], StoredResponse]
) -> StoredResponse:
    """
    Run `run` at most once per (owner, key) in 24 hours and store its response. A transaction
    advisory lock serialises concurrent calls with one key: the second waits for the first to
    commit, then finds its record.
    """
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [f"{owner}|{key}"])
    record = IdempotencyRecord.objects.filter(owner=owner, key=key).first()
    if record is not None and record.created_at >= timezone.now() - KEY_LIFETIME:
        if record.request_hash != fingerprint:
            raise IdempotencyConflict(
                "This Idempotency-Key was used with a different request body."
            )
        return StoredResponse(
            record.status_code, record.response_body, record.response_headers, replayed=True
        )
    if record is not None:
        record.delete()
    response = run()
    IdempotencyRecord.objects.create(
        owner=owner,
        key=key,
        request_hash=fingerprint,
        status_code=response.status_code,
        response_body=json.loads(json.dumps(response.body, cls=DjangoJSONEncoder)),
        response_headers=response.headers,
    )
    return response


def purge_expired_records(*, now: Any = None) -> int:
    cutoff = (now or timezone.now()) - KEY_LIFETIME
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=cutoff).delete()
    return deleted
