"""
Account enrichment: ask an admin-configured endpoint (a CRM, billing) about a new ticket's
account and merge the facts it returns into the Organization, where triage and routing read them.

Always called from a Celery task after the intake has committed, never inside a request: the
endpoint may be slow or down, and a ticket must not wait for it. Answers are cached in Redis
per organisation for the hook's TTL, so a busy account costs one call per TTL.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Final
from urllib.parse import urlsplit

import requests
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from rest_framework import serializers

from tickets.models import Organization, Ticket
from tickets.safe_http import UnsafeUrl, check_url, is_public
from triage.models import AccountEnrichmentHook, EnrichmentCall

MAX_RESPONSE_BYTES: Final = 64 * 1024
# A failing endpoint is left alone this long, so a burst of tickets does not hammer it.
FAILURE_BACKOFF_SECONDS: Final = 60
FACT_FIELDS: Final = ("plan", "annual_value", "health_score", "at_risk", "renewal_date")


class EnrichmentFailed(Exception):
    """The hook could not be called or answered something unusable."""

    def __init__(self, message: str, *, status_code: int | None = None) -> None:
        super().__init__(message)
        self.status_code = status_code


class AccountFacts(serializers.Serializer[Any]):
    """The facts a hook may return; other keys are ignored, wrong types rejected one by one."""

    plan = serializers.CharField(max_length=100, allow_blank=True, required=False)
    annual_value = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0,
                                            required=False, allow_null=True)
    health_score = serializers.IntegerField(min_value=0, max_value=100, required=False,
                                            allow_null=True)
    at_risk = serializers.BooleanField(required=False)
    renewal_date = serializers.DateField(required=False, allow_null=True)


def check_address(url: str, *, allow_private: bool) -> None:
    """Refuse a URL whose host resolves to a private, loopback or link-local address."""
    try:
        check_url(url, allow_private=allow_private)
    except UnsafeUrl as error:
        raise EnrichmentFailed(str(error)) from None


def hook_payload(ticket: Ticket) -> dict[str, Any]:
    """Return the JSON the hook receives: the requester and the organisation."""
    requester, organization = ticket.requester, ticket.organization
    return {
        "ticket": {"id": ticket.pk, "reference": ticket.reference},
        "requester": {"id": requester.pk, "email": requester.email, "name": requester.name},
        "organization": None if organization is None else {
            "id": organization.pk, "name": organization.name,
            "external_id": organization.external_id, "tier": organization.tier,
            "email_domains": list(organization.email_domains),
        },
    }


def call_hook(hook: AccountEnrichmentHook, payload: dict[str, Any]) -> dict[str, Any]:
    """POST the payload and return the JSON object it answers; raise EnrichmentFailed."""
    check_address(hook.url, allow_private=hook.allow_private_address)
    headers = {"Accept": "application/json"}
    if hook.secret_header and hook.secret_value:
        headers[hook.secret_header] = hook.secret_value
    try:
        # No redirects: one could lead to an address the check above refused.
        response = requests.post(hook.url, json=payload, headers=headers, stream=True,
                                 timeout=hook.timeout_seconds, allow_redirects=False)
        with response:
            body = response.raw.read(MAX_RESPONSE_BYTES + 1, decode_content=True)
    except requests.RequestException as error:
        raise EnrichmentFailed(f"{type(error).__name__}: {error}"[:500]) from None
    if response.status_code != 200:
        raise EnrichmentFailed(f"HTTP {response.status_code}", status_code=response.status_code)
    if len(body) > MAX_RESPONSE_BYTES:
        raise EnrichmentFailed("The answer is larger than 64 KiB.", status_code=200)
    try:
        facts = json.loads(body)
    except ValueError:
        raise EnrichmentFailed("The answer is not JSON.", status_code=200) from None
    if not isinstance(facts, dict):
        raise EnrichmentFailed("The answer is not a JSON object.", status_code=200)
    return facts


@dataclass(frozen=True)
class Merged:
    applied: dict[str, Any]
    rejected: dict[str, list[str]]


@transaction.atomic
def merge_account_facts(*, organization: Organization, facts: dict[str, Any]) -> Merged:
    """Validate the known facts and write the valid ones to the organisation; ignore the rest."""
    known = {name: facts[name] for name in FACT_FIELDS if name in facts}
    rejected: dict[str, list[str]] = {}
    valid: dict[str, Any] = {}
    for name, value in known.items():
        check = AccountFacts(data={name: value})
        if check.is_valid():
            valid[name] = check.validated_data[name]
        else:
            rejected[name] = [str(message) for message in check.errors[name]]
    if valid:
        Organization.objects.filter(pk=organization.pk).update(**valid, updated_at=timezone.now())
    applied = {name: _json_value(value) for name, value in valid.items()}
    return Merged(applied=applied, rejected=rejected)


def _json_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    return value.isoformat() if isinstance(value, date) else value


def cache_key(*, hook_id: int, organization_id: int) -> str:
    return f"triage:enrichment:{hook_id}:{organization_id}"


def enrich_account(*, hook_id: int, ticket_id: int) -> EnrichmentCall | None:
    """
    Call the hook for the ticket's organisation unless its answer is cached; record the call.
    Return None when nothing was called (hook disabled, no organisation, cached).
    """
    hook = AccountEnrichmentHook.objects.filter(pk=hook_id, enabled=True).first()
    ticket = (Ticket.objects.select_related("requester", "organization")
              .defer("search_vector").filter(pk=ticket_id).first())
    if hook is None or ticket is None or ticket.organization is None:
        return None
    key = cache_key(hook_id=hook.pk, organization_id=ticket.organization_id)
    # add() is atomic: of two tickets of one account at once, only one calls the hook.
    if not cache.add(key, "calling", timeout=int(hook.timeout_seconds) + 60):
        return None
    started = time.monotonic()
    try:
        facts = call_hook(hook, hook_payload(ticket))
    except EnrichmentFailed as error:
        cache.set(key, "failed", timeout=min(FAILURE_BACKOFF_SECONDS, hook.cache_ttl_seconds))
        return EnrichmentCall.objects.create(
            hook=hook, organization=ticket.organization, ok=False, status_code=error.status_code,
            error=str(error)[:500], duration_ms=_since(started),
        )
    merged = merge_account_facts(organization=ticket.organization, facts=facts)
    cache.set(key, merged.applied, timeout=hook.cache_ttl_seconds)
    return EnrichmentCall.objects.create(
        hook=hook, organization=ticket.organization, ok=True, status_code=200,
        applied=merged.applied, rejected=merged.rejected, duration_ms=_since(started),
    )


def _since(started: float) -> int:
    return int((time.monotonic() - started) * 1000)


def validate_hook_url(hook: AccountEnrichmentHook) -> None:
    """Refuse, on save, a literal private address or localhost unless the admin allowed it."""
    host = urlsplit(hook.url).hostname or ""
    if hook.allow_private_address:
        return
    try:
        public = is_public(host)
    except ValueError:  # a name, resolved when called
        public = host != "localhost" and not host.endswith(".localhost")
    if not public:
        raise ValidationError({"url": "This is a private or loopback address; tick 'allow "
                                      "private address' to call an internal system."})
