"""The .eml samples, rewritten to thread onto tickets of the test database."""

import re
from pathlib import Path

from django.conf import settings

from tickets.mail.threading import make_message_id
from tickets.models import Ticket

SAMPLES = Path(__file__).parent / "samples"
# The samples answer ticket 42 with an id signed by another secret; tests swap in real ones.
SAMPLE_SIGNED_ID = b"hd.42.17b895a212bd.c6c5cd65d7beea08@help.example.com"
SAMPLE_TOKEN = b"[HD-42]"


def sample(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


def signed_id(ticket: Ticket) -> str:
    """Return a Message-ID, without brackets, as the desk's outgoing mail for `ticket` has."""
    message_id = make_message_id(
        ticket_id=ticket.pk, domain="help.example.com", secret=settings.SECRET_KEY
    )
    return message_id.strip("<>")


def answering(name: str, ticket: Ticket) -> bytes:
    """Return sample `name` answering `ticket`: signed ids and subject token point at it."""
    raw = sample(name).replace(SAMPLE_SIGNED_ID, signed_id(ticket).encode())
    return raw.replace(SAMPLE_TOKEN, f"[{ticket.reference}]".encode())


def without_header(raw: bytes, name: str) -> bytes:
    """Return `raw` without header `name`, continuation lines included."""
    pattern = rb"^" + re.escape(name.encode()) + rb":.*\n(?:[ \t].*\n)*"
    return re.sub(pattern, b"", raw, count=1, flags=re.MULTILINE | re.IGNORECASE)


def compose(
    *,
    sender: str,
    subject: str,
    body: str = "Hello, any news?\n",
    message_id: str = "",
    headers: str = "",
) -> bytes:
    """Return a small plain-text email."""
    lines = [f"From: {sender}", "To: support@help.example.com", f"Subject: {subject}"]
    if message_id:
        lines.append(f"Message-ID: <{message_id}>")
    lines += [line for line in headers.splitlines() if line]
    lines += ["MIME-Version: 1.0", "Content-Type: text/plain; charset=utf-8"]
    return ("\n".join(lines) + "\n\n" + body).encode()
