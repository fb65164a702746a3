import hashlib
import secrets

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils import timezone

from tickets.choices import ApiScope

KEY_PREFIX_LENGTH = 8


def hash_key(raw_key: str) -> str:
    # Keys are long random strings, so one round of SHA-256 is enough and keeps auth fast.
    return hashlib.sha256(raw_key.encode()).hexdigest()


def generate_raw_key() -> str:
    return secrets.token_urlsafe(32)


class ApiKey(models.Model):
    """A token for `Authorization: Token <key>`; only its hash is stored."""

    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=KEY_PREFIX_LENGTH, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    scopes = ArrayField(models.CharField(max_length=16, choices=ApiScope.choices))
    # Integration keys act through a service user with no groups; agent keys use the agent.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_keys"
    )
    is_integration = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "API key"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes


class IdempotencyRecord(models.Model):
    """The first response to a create call, replayed when the same key comes again."""

    owner = models.CharField(max_length=100)  # "key:<id>" or "user:<id>"
    key = models.CharField(max_length=255)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    response_body = models.JSONField()
    response_headers = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["owner", "key"], name="idempotency_owner_key_unique")
        ]

    def __str__(self) -> str:
        return f"{self.owner} {self.key}"
