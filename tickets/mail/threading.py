"""
Find the ticket an inbound email belongs to.

Outgoing mail carries a signed Message-ID that names its ticket, so a customer's reply threads
without a database lookup and nobody can steer a reply into another ticket by forging an id.
"""

import hashlib
import hmac
import re
import secrets
from collections.abc import Callable

from tickets.mail.parse import InboundEmail

# Replies that quote a huge References header must not turn into a huge lookup.
MAX_THREAD_CANDIDATES = 100

_NONCE_BYTES = 6
_SIGNATURE_LENGTH = 16
# Derives a key used only here, so the same secret may sign other things without collisions.
_KEY_SALT = b"helpdesk.tickets.mail.message-id"
_SIGNED_ID_RE = re.compile(
    rf"hd\.(?P<ticket>[1-9][0-9]{{0,18}})\.(?P<nonce>[0-9a-f]{{{_NONCE_BYTES * 2}}})"
    rf"\.(?P<signature>[0-9a-f]{{{_SIGNATURE_LENGTH}}})@[^@\s<>]+",
    re.IGNORECASE,
)
_DOMAIN_RE = re.compile(r"[A-Za-z0-9.-]+")

KnownMessageIds = Callable[[list[str]], dict[str, int]]


def make_message_id(*, ticket_id: int, domain: str, secret: str) -> str:
    """
    Return a new Message-ID, with angle brackets, that names `ticket_id` and is signed.

    The domain is left out of the signature, so ids keep verifying after a change of host name.
    """
    key = _key(secret)
    if ticket_id < 1:
        raise ValueError("ticket_id must be a positive integer.")
    if not _DOMAIN_RE.fullmatch(domain):
        raise ValueError("domain must be a host name such as help.example.com.")
    nonce = secrets.token_hex(_NONCE_BYTES)
    return f"<hd.{ticket_id}.{nonce}.{_signature(key, ticket_id, nonce)}@{domain}>"


def ticket_id_from_message_id(message_id: str, *, secret: str) -> int | None:
    """Return the ticket named by one of our signed Message-IDs, or None if it does not verify."""
    key = _key(secret)
    match = _SIGNED_ID_RE.fullmatch(message_id.strip().removeprefix("<").removesuffix(">"))
    if match is None:
        return None
    ticket_id = int(match["ticket"])
    expected = _signature(key, ticket_id, match["nonce"].lower())
    if not hmac.compare_digest(expected, match["signature"].lower()):
        return None
    return ticket_id


def ticket_id_from_subject(subject: str, *, prefix: str = "HD") -> int | None:
    """Return the ticket id of the first "[HD-123]" token in `subject`, or None."""
    pattern = rf"\[{re.escape(prefix)}-0*([1-9][0-9]{{0,18}})\]"
    match = re.search(pattern, subject, re.IGNORECASE)
    return int(match[1]) if match else None


def thread_candidates(email: InboundEmail) -> list[str]:
    """
    Return the Message-IDs to look up, most direct parent first.

    In-Reply-To comes first, then References newest first (the reverse of header order),
    without duplicates and capped at MAX_THREAD_CANDIDATES.
    """
    ordered = [*email.in_reply_to, *reversed(email.references)]
    unique = dict.fromkeys(message_id for message_id in ordered if message_id)
    return list(unique)[:MAX_THREAD_CANDIDATES]


def resolve_ticket_id(
    email: InboundEmail,
    *,
    secret: str,
    prefix: str = "HD",
    known_message_ids: KnownMessageIds | None = None,
) -> int | None:
    """
    Return the id of the ticket `email` replies to, or None for a new request.

    Try, in this order, and stop at the first hit:
    1. our signed Message-IDs among the thread candidates (see thread_candidates), in order;
    2. `known_message_ids(candidates)`, one lookup mapping stored Message-IDs (without
       brackets) to ticket ids; the first candidate it knows wins;
    3. the "[HD-123]" token in the subject.
    Signed ids come first because they cannot be forged. A subject token can be typed by anyone:
    check that the sender may write to that ticket before appending to it.
    """
    _key(secret)  # fail loudly on a missing secret even when no candidate looks signed
    candidates = thread_candidates(email)
    for message_id in candidates:
        ticket_id = ticket_id_from_message_id(message_id, secret=secret)
        if ticket_id is not None:
            return ticket_id
    if known_message_ids is not None and candidates:
        known = known_message_ids(candidates)
        ticket_id = next((known[c] for c in candidates if c in known), None)
        if ticket_id is not None:
            return ticket_id
    return ticket_id_from_subject(email.subject, prefix=prefix)


def _key(secret: str) -> bytes:
    if not secret:
        raise ValueError("An empty secret would let anyone forge Message-IDs.")
    return hashlib.sha256(_KEY_SALT + secret.encode()).digest()


def _signature(key: bytes, ticket_id: int, nonce: str) -> str:
    message = f"{ticket_id}.{nonce}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:_SIGNATURE_LENGTH]
