"""
Read unseen mail from an IMAP folder and hand each message to a handler.

A message is flagged \\Seen only after its handler returned, that is after the handler's
transaction committed; a crash in between makes the next poll read it again, which is safe
because the inbound service drops a Message-ID it already stored. No Django imports here.
"""

import logging
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import unquote, urlsplit

from imapclient import IMAPClient

from tickets.mail.parse import MalformedEmail

logger = logging.getLogger(__name__)

SEEN = b"\\Seen"
# BODY.PEEK leaves \Seen alone; fetching RFC822 or BODY[] would set it before the mail is stored.
FETCH_ITEM = b"BODY.PEEK[]"
FETCHED_KEY = b"BODY[]"
FETCH_BATCH = 25  # bounds the memory of one FETCH: attachments make messages megabytes each
POLL_LIMIT = 500  # bounds one task run; the task enqueues itself again while mail is waiting
CONNECT_TIMEOUT = 30.0


class MailboxClient(Protocol):
    """The four IMAPClient calls the poller uses (with use_uid=True, ids are UIDs)."""

    def select_folder(self, folder: str, readonly: bool = False) -> Any: ...

    def search(self, criteria: Any = "ALL", charset: str | None = None) -> Sequence[int]: ...

    def fetch(self, messages: Sequence[int], data: Sequence[bytes]) -> dict[int, dict[bytes, Any]]:
        ...

    def add_flags(self, messages: Sequence[int], flags: Sequence[bytes]) -> Any: ...


@dataclass(frozen=True)
class MailboxSettings:
    """Where the mailbox is, read from an imap:// or imaps:// URL."""

    host: str
    port: int
    ssl: bool
    username: str
    password: str
    folder: str


@dataclass
class PollReport:
    """What one poll did; more_waiting says the limit stopped it before the folder was empty."""

    processed: int = 0
    failed: int = 0
    malformed: int = 0
    more_waiting: bool = False


def parse_imap_url(url: str) -> MailboxSettings:
    """Return the settings in a URL such as imaps://user:pass@host:993/INBOX."""
    parts = urlsplit(url)
    if parts.scheme not in {"imap", "imaps"} or not parts.hostname:
        raise ValueError("HELPDESK_IMAP_URL must look like imaps://user:pass@host:993/INBOX.")
    ssl = parts.scheme == "imaps"
    return MailboxSettings(
        host=parts.hostname,
        port=parts.port or (993 if ssl else 143),
        ssl=ssl,
        username=unquote(parts.username or ""),
        password=unquote(parts.password or ""),
        folder=unquote(parts.path.lstrip("/")) or "INBOX",
    )


def poll_mailbox(
    *,
    client: MailboxClient,
    folder: str,
    handle: Callable[[bytes], object],
    limit: int = POLL_LIMIT,
    batch_size: int = FETCH_BATCH,
) -> PollReport:
    """Hand each unseen message of `folder` to `handle`, oldest first; flag it \\Seen after."""
    client.select_folder(folder)
    unseen = sorted(client.search(["UNSEEN"]))
    report = PollReport(more_waiting=len(unseen) > limit)
    for start in range(0, min(len(unseen), limit), batch_size):
        batch = unseen[start : min(start + batch_size, limit)]
        fetched = client.fetch(batch, [FETCH_ITEM])
        for uid in batch:
            raw = fetched.get(uid, {}).get(FETCHED_KEY)
            if raw is not None:  # expunged by someone else since the search
                _handle_one(client, uid, bytes(raw), handle, report)
    return report


def _handle_one(
    client: MailboxClient,
    uid: int,
    raw: bytes,
    handle: Callable[[bytes], object],
    report: PollReport,
) -> None:
    try:
        handle(raw)
    except MalformedEmail:
        # It will never parse: flag it, or every poll would read it again, forever.
        logger.warning("IMAP message %s is malformed; flagged \\Seen and skipped.", uid)
        report.malformed += 1
    except Exception:
        # Left unseen so the next poll retries it; one bad message must not stop the others.
        logger.exception("IMAP message %s failed; it stays unseen for the next poll.", uid)
        report.failed += 1
        return
    else:
        report.processed += 1
    client.add_flags([uid], [SEEN])


@contextmanager
def open_mailbox(mailbox: MailboxSettings) -> Iterator[IMAPClient]:
    """Yield a logged-in IMAPClient that speaks in UIDs; log out on the way out."""
    client = IMAPClient(
        mailbox.host, port=mailbox.port, ssl=mailbox.ssl, use_uid=True, timeout=CONNECT_TIMEOUT
    )
    try:
        client.login(mailbox.username, mailbox.password)
        yield client
    finally:
        try:
            client.logout()
        except Exception:  # the connection may already be gone; nothing left to clean up
            logger.debug("IMAP logout failed", exc_info=True)


def poll_imap_url(url: str, *, handle: Callable[[bytes], object]) -> PollReport:
    """Connect to the mailbox named by `url`, poll it once and disconnect."""
    mailbox = parse_imap_url(url)
    with open_mailbox(mailbox) as client:
        return poll_mailbox(client=client, folder=mailbox.folder, handle=handle)
