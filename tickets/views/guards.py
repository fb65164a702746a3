"""Abuse guards of the public form: a rate limit per address and one-time form tokens."""

import ipaddress
import math
import re
import secrets
import time
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.http import HttpRequest

FORM_TOKEN_SALT = "tickets.public.form-token"
FORM_TOKEN_MAX_AGE = 24 * 60 * 60
# A claimed token holds this until the ticket exists, then the confirmation token. The claim
# expires on its own, so a worker that dies mid-submission does not block the token for a day.
PENDING = "pending"
PENDING_TIMEOUT = 120
# How long a repeated submission waits for its first copy, which usually takes well under a second.
DUPLICATE_WAIT_SECONDS = 5.0
_RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*([smhd])\s*$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def client_address(request: HttpRequest) -> str:
    """
    Return the address rate limits count against. Behind HELPDESK_TRUSTED_PROXIES reverse
    proxies, REMOTE_ADDR is the nearest proxy, so the client is the address the outermost
    trusted proxy appended to X-Forwarded-For; entries left of it are the client's own claim
    and never trusted. A missing or malformed header falls back to REMOTE_ADDR.
    """
    remote = request.META.get("REMOTE_ADDR") or "unknown"
    hops = settings.HELPDESK_TRUSTED_PROXIES
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    if hops <= 0 or len(forwarded) < hops or not forwarded[0]:
        return remote
    candidate = forwarded[-hops]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote


@dataclass(frozen=True)
class Rate:
    """At most `count` submissions per `period` seconds."""

    count: int
    period: int


def parse_rate(text: str) -> Rate:
    """Parse "5/10m" (five per ten minutes); units are s, m, h and d."""
    match = _RATE.match(text)
    if match is None:
        raise ValueError(f"Rate {text!r} is not like '5/10m'.")
    count, amount, unit = match.groups()
    return Rate(int(count), int(amount or 1) * _UNIT_SECONDS[unit])


def take_submission_slot(
    *, address: str, rate_text: str | None = None, scope: str = "webform"
) -> int | None:
    """
    Count one submission from the address; return None, or the seconds to wait when over.
    Other public pages pass their own rate ("5/10m") and scope; the default is the form's.

    A fixed window keyed by its start time: `add` creates the counter with its expiry and
    `incr` is atomic in Redis, so concurrent requests never lose a count.
    """
    rate = parse_rate(rate_text or settings.HELPDESK_WEB_FORM_RATE)
    now = time.time()
    window = int(now // rate.period)
    key = f"{scope}:rate:{address}:{window}"
    cache.add(key, 0, timeout=rate.period + 1)
    try:
        used = cache.incr(key)
    except ValueError:  # expired between add and incr: a fresh window
        cache.add(key, 1, timeout=rate.period + 1)
        used = 1
    if used <= rate.count:
        return None
    return max(1, math.ceil((window + 1) * rate.period - now))


def new_form_token() -> str:
    """Return a signed, random token that marks one rendering of the form."""
    return signing.dumps(secrets.token_urlsafe(16), salt=FORM_TOKEN_SALT)


def read_form_token(token: str) -> str | None:
    """Return the token's nonce, or None when it is missing, forged or older than a day."""
    if not token:
        return None
    try:
        nonce = signing.loads(token, salt=FORM_TOKEN_SALT, max_age=FORM_TOKEN_MAX_AGE)
    except signing.BadSignature:
        return None
    return nonce if isinstance(nonce, str) else None


def _token_key(nonce: str) -> str:
    return f"webform:token:{nonce}"


def claim_form_token(nonce: str) -> bool:
    """Claim the token for one submission; False when another submission already has it."""
    return bool(cache.add(_token_key(nonce), PENDING, timeout=PENDING_TIMEOUT))


def form_token_outcome(nonce: str) -> str | None:
    """Return what a claimed token led to: PENDING, a confirmation token, or None."""
    value = cache.get(_token_key(nonce))
    return value if isinstance(value, str) else None


def settle_form_token(nonce: str, outcome: str) -> None:
    """Record the confirmation token, so a repeat of the submission shows the same page."""
    cache.set(_token_key(nonce), outcome, timeout=FORM_TOKEN_MAX_AGE)


def release_form_token(nonce: str) -> None:
    """Free the token after a failed submission, so the person can send the form again."""
    cache.delete(_token_key(nonce))


def wait_for_outcome(nonce: str, *, step: float = 0.1) -> str | None:
    """Wait for a concurrent submission with this token to finish; return its outcome."""
    deadline = time.monotonic() + DUPLICATE_WAIT_SECONDS
    while True:
        outcome = form_token_outcome(nonce)
        if outcome != PENDING or time.monotonic() >= deadline:
            return outcome
        time.sleep(step)
