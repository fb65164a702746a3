"""
API keys by hash, cached in Redis so a request skips the key's database read. Every write
that can end a key's validity (a save or delete of the key, a save of its user, the admin's
revoke action) forgets it at once; the time limit bounds what a bulk SQL update might leave.
"""

from functools import partial
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save

from tickets.models import ApiKey

CACHE_SECONDS = 60


def _cache_key(key_hash: str) -> str:
    return f"api-key:{key_hash}"


def active_key(key_hash: str) -> ApiKey | None:
    """Return the unrevoked key with this hash and its user, from the cache when there."""
    api_key = cache.get(_cache_key(key_hash))
    if api_key is None:
        api_key = (ApiKey.objects.select_related("user")
                   .filter(key_hash=key_hash, revoked_at__isnull=True).first())
        if api_key is not None:
            remember(api_key)
    return api_key


def remember(api_key: ApiKey) -> None:
    cache.set(_cache_key(api_key.key_hash), api_key, CACHE_SECONDS)


def forget(key_hashes: list[str]) -> None:
    """Forget now, and again at commit: a request between the two may have cached the old row."""
    keys = [_cache_key(key_hash) for key_hash in key_hashes]
    cache.delete_many(keys)
    transaction.on_commit(partial(cache.delete_many, keys))


def _forget_key(sender: Any, instance: ApiKey, **kwargs: Any) -> None:
    forget([instance.key_hash])


def _forget_user_keys(sender: Any, instance: Any, **kwargs: Any) -> None:
    # A sign-in saves only last_login, which every browser session does and no key depends on.
    if kwargs.get("update_fields") == frozenset({"last_login"}):
        return
    forget(list(ApiKey.objects.filter(user_id=instance.pk).values_list("key_hash", flat=True)))


def connect() -> None:
    """Called from the app's ready(): admin and worker processes forget keys too."""
    post_save.connect(_forget_key, sender=ApiKey, dispatch_uid="api-key-cache-save")
    post_delete.connect(_forget_key, sender=ApiKey, dispatch_uid="api-key-cache-delete")
    post_save.connect(_forget_user_keys, sender=settings.AUTH_USER_MODEL,
                      dispatch_uid="api-key-cache-user")
