"""
Turn raw RFC 822 bytes into an InboundEmail that the tickets app can store.

Pure Python on purpose: no Django imports, so it can be tested and reused anywhere.
Every string handed out is safe for PostgreSQL text columns (no NUL, no lone surrogates).
"""

import codecs
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage, Message
from email.parser import BytesParser
from email.utils import collapse_rfc2231_value, parsedate_to_datetime

import html2text
from mailparser_reply import EmailMessage as ReplyThread

DEFAULT_FILENAME = "attachment"
MAX_FILENAME_LENGTH = 200
# RFC 5322 caps a line at 998 characters, so a longer id is garbage, not an id.
MAX_MESSAGE_ID_LENGTH = 998
# The stdlib header parser is superlinear: a 700 KB subject takes close to a minute.
MAX_HEADER_LENGTH = 16_384
# The reply is at the top; bounding the input keeps the parser's regexes fast on huge threads.
MAX_REPLY_SCAN = 100_000

_ADDRESS_RE = re.compile(r"[^\s<>()\[\],;:\"@]+@[^\s<>()\[\],;:\"@]+")
_MESSAGE_ID_RE = re.compile(r"<([^<>\s]+)>")
_PATH_SEPARATOR_RE = re.compile(r"[/\\]")
_FILENAME_EDGES_RE = re.compile(r"^[\s.]+|\s+$")
# Browsers decode these labels as windows-1252, and so do senders who mislabel their mail.
_CHARSET_OVERRIDES = {"iso8859-1": "cp1252"}

_AUTOREPLY_HEADERS = (
    "X-Autoreply",
    "X-Autorespond",
    "X-Autoresponder",
    "X-Autoreply-From",
    "X-Mail-Autoreply",
)
_BULK_PRECEDENCES = frozenset({"bulk", "junk", "list", "auto_reply"})
_SUPPRESSED_RESPONSES = frozenset({"all", "oof"})
_BOUNCE_SENDERS = frozenset({"mailer-daemon", "postmaster"})


class MalformedEmail(ValueError):
    """Raised when a message has no usable From address."""


@dataclass(frozen=True)
class ParsedAttachment:
    """A file carried by an email, with a filename that is safe to store."""

    filename: str
    content_type: str
    content: bytes


@dataclass(frozen=True, kw_only=True)
class InboundEmail:
    """
    An email as the help desk needs it: who wrote it, what they wrote, how it threads.

    Message ids carry no angle brackets. Addresses are lower-cased.
    """

    message_id: str = ""
    in_reply_to: list[str] = field(default_factory=list)
    references: list[str] = field(default_factory=list)
    subject: str = ""
    from_email: str
    from_name: str = ""
    to: list[str] = field(default_factory=list)
    cc: list[str] = field(default_factory=list)
    date: datetime | None = None
    text: str = ""
    html: str = ""
    reply_text: str = ""
    attachments: list[ParsedAttachment] = field(default_factory=list)
    auto_submitted_reason: str | None = None

    @property
    def is_automated(self) -> bool:
        """Return True when a machine sent this message, so it must not open or update a ticket."""
        return self.auto_submitted_reason is not None


def parse_email(raw: bytes) -> InboundEmail:
    """
    Parse raw RFC 822 bytes into an InboundEmail.

    Never raise on bad charsets, dates or MIME structure; raise MalformedEmail only when
    no From address can be found at all, or the MIME nesting is too deep to parse.
    """
    try:
        msg = BytesParser(policy=policy.default).parsebytes(raw)
    except RecursionError as error:  # only a MIME nesting bomb gets this deep
        raise MalformedEmail("The message is nested too deeply to parse.") from error
    assert isinstance(msg, EmailMessage)  # policy.default always builds EmailMessage
    from_name, from_email = _sender(msg)
    plain_part = _body_part(msg, "plain")
    html_part = _body_part(msg, "html")
    html = _decode_part(html_part)
    text = _decode_part(plain_part)
    if not text.strip() and html:
        text = html_to_text(html)
    return InboundEmail(
        message_id=next(iter(_message_ids(msg, "Message-ID")), ""),
        in_reply_to=_message_ids(msg, "In-Reply-To"),
        references=_message_ids(msg, "References"),
        subject=_header(msg, "Subject"),
        from_email=from_email,
        from_name=from_name,
        to=[address for _, address in _addresses(msg, "To")],
        cc=[address for _, address in _addresses(msg, "Cc")],
        date=_date(msg),
        text=text,
        html=html,
        reply_text=extract_reply(text),
        attachments=_attachments(msg, skip=(plain_part, html_part)),
        auto_submitted_reason=_automation_reason(msg, from_email=from_email),
    )


def html_to_text(html: str) -> str:
    """Return readable plain text (light Markdown) for an HTML body."""
    converter = html2text.HTML2Text()
    converter.body_width = 0  # keep paragraphs on one line so quote detection sees whole lines
    converter.ignore_images = True
    converter.unicode_snob = True  # keep "é" instead of an ASCII approximation
    return converter.handle(html).strip()


def extract_reply(text: str) -> str:
    """Return the newest reply in `text`, without quoted history or signature; else `text`."""
    # keep_hyphen_lists: otherwise a "- item" line is taken for a signature and cuts the reply.
    thread = ReplyThread(text=text[:MAX_REPLY_SCAN], languages=["en"], keep_hyphen_lists=True)
    replies = thread.read().replies
    newest = replies[0].body.strip() if replies else ""
    return newest or text


def sanitize_filename(name: str | None) -> str:
    """Return a bare file name without paths or control characters, at most 200 characters."""
    cleaned = _PATH_SEPARATOR_RE.split(_unsurrogate(name or ""))[-1]
    # Category C covers control, format (e.g. right-to-left override) and surrogate characters.
    cleaned = "".join(ch for ch in cleaned if not unicodedata.category(ch).startswith("C"))
    cleaned = _FILENAME_EDGES_RE.sub("", unicodedata.normalize("NFC", cleaned))
    return _truncate_filename(cleaned) if cleaned else DEFAULT_FILENAME


def decode_bytes(data: bytes, charset: str | None) -> str:
    """Decode `data` with its declared charset, else UTF-8, else latin-1; never raise."""
    for codec in _codecs_to_try(charset):
        try:
            return data.decode(codec)
        except (LookupError, ValueError):  # LookupError: a non-text codec such as "base64"
            continue
    return data.decode("latin-1", errors="replace")


def _automation_reason(msg: Message, *, from_email: str) -> str | None:
    """Return why a machine sent `msg` (no ticket, no reply may follow), or None for a person."""
    # Bounces come first: they also carry Auto-Submitted, and callers may want to tell them apart.
    return (
        _bounce(msg, from_email)
        or _auto_submitted(msg)
        or _suppressed_auto_response(msg)
        or _autoreply_header(msg)
        or _bulk_precedence(msg)
        or _list_id(msg)
        or _null_return_path(msg)
    )


def _auto_submitted(msg: Message) -> str | None:
    value = _header(msg, "Auto-Submitted").split(";")[0].strip().lower()
    return f"Auto-Submitted: {value}" if value and value != "no" else None


def _suppressed_auto_response(msg: Message) -> str | None:
    value = _header(msg, "X-Auto-Response-Suppress")
    tokens = {token.strip().lower() for token in value.split(",")}
    return f"X-Auto-Response-Suppress: {value}" if tokens & _SUPPRESSED_RESPONSES else None


def _autoreply_header(msg: Message) -> str | None:
    present = (name for name in _AUTOREPLY_HEADERS if name in msg)
    return next((f"{name} present" for name in present), None)


def _bulk_precedence(msg: Message) -> str | None:
    value = next(iter(_header(msg, "Precedence").lower().split()), "")
    return f"Precedence: {value}" if value in _BULK_PRECEDENCES else None


def _list_id(msg: Message) -> str | None:
    return "List-Id present" if "List-Id" in msg else None


def _bounce(msg: Message, from_email: str) -> str | None:
    local_part = from_email.partition("@")[0]
    if local_part in _BOUNCE_SENDERS:
        return f"bounce from {local_part}"
    if msg.get_content_type() == "multipart/report":
        report_type = collapse_rfc2231_value(msg.get_param("report-type") or "unknown")
        report_type = _clean_header(report_type).lower()
        return f"bounce: multipart/report; report-type={report_type}"
    return None


def _null_return_path(msg: Message) -> str | None:
    # RFC 3834 and RFC 5321 send delivery reports and auto-replies from the null sender.
    return "Return-Path: <> (null sender)" if _header(msg, "Return-Path") == "<>" else None


def _sender(msg: Message) -> tuple[str, str]:
    for name, address in _addresses(msg, "From"):
        return name, address
    raise MalformedEmail("The message has no usable From address.")


def _addresses(msg: Message, name: str) -> list[tuple[str, str]]:
    """Return (display name, lower-cased address) pairs from every `name` header."""
    parsed = [pair for value in _header_values(msg, name) for pair in _parsed_addresses(value)]
    if parsed:
        return parsed
    # The stdlib parser gives up on sloppy headers such as "John Doe john@example.com".
    raw_values = (_clean_header(value) for value in _raw_header_values(msg, name))
    return [("", address.lower()) for value in raw_values for address in _ADDRESS_RE.findall(value)]


def _parsed_addresses(value: str) -> list[tuple[str, str]]:
    pairs = [
        (_clean_header(address.display_name), _clean_header(address.addr_spec).lower())
        for address in getattr(value, "addresses", ())
    ]
    return [(name, address) for name, address in pairs if _ADDRESS_RE.fullmatch(address)]


def _message_ids(msg: Message, name: str) -> list[str]:
    """Return the ids in the first Message-ID, In-Reply-To or References header, unbracketed."""
    # Read raw: ids need no decoding, and a long References header must keep its newest ids.
    raw_values = _raw_header_values(msg, name)
    value = _clean_header(raw_values[0]) if raw_values else ""
    ids = _MESSAGE_ID_RE.findall(value)
    if not ids:  # some clients drop the brackets
        ids = [token.strip("<>") for token in value.split() if "@" in token]
    return [message_id for message_id in ids if len(message_id) <= MAX_MESSAGE_ID_LENGTH]


def _date(msg: Message) -> datetime | None:
    values = _header_values(msg, "Date")
    if not values:
        return None
    parsed = getattr(values[0], "datetime", None) or _parse_date(str(values[0]))
    if parsed is None:
        return None
    # "-0000" means UTC with the sender's zone unknown; the stdlib returns it naive.
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _parse_date(value: str) -> datetime | None:
    try:
        return parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def _header(msg: Message, name: str) -> str:
    """Return the first `name` header, decoded and on one line, or ""."""
    values = _header_values(msg, name)
    return _clean_header(str(values[0])) if values else ""


def _header_values(msg: Message, name: str) -> list[str]:
    """Return every `name` header as parsed by the policy, reading at most 16 KB of each."""
    raw_values = _raw_header_values(msg, name)
    try:
        return [msg.policy.header_fetch_parse(name, raw[:MAX_HEADER_LENGTH]) for raw in raw_values]
    except Exception:  # the stdlib header parser still crashes on some hostile input
        return raw_values


def _raw_header_values(msg: Message, name: str) -> list[str]:
    return [str(value) for key, value in msg.raw_items() if key.lower() == name.lower()]


def _body_part(msg: EmailMessage, subtype: str) -> Message | None:
    # The stdlib walk recurses, and crashes on a multipart whose boundary is missing.
    try:
        return msg.get_body(preferencelist=(subtype,))
    except (AttributeError, IndexError, TypeError, RecursionError):
        return next(
            (
                part
                for part in _leaf_parts(msg)
                if part.get_content_type() == f"text/{subtype}"
                and part.get_content_disposition() != "attachment"
            ),
            None,
        )


def _attachments(msg: Message, *, skip: tuple[Message | None, ...]) -> list[ParsedAttachment]:
    return [
        ParsedAttachment(
            filename=sanitize_filename(part.get_filename()),
            content_type=part.get_content_type(),
            content=_payload_bytes(part),
        )
        for part in _leaf_parts(msg)
        if not any(part is body for body in skip) and _is_attachment(part)
    ]


def _leaf_parts(msg: Message) -> Iterator[Message]:
    """Yield every non-multipart part in document order, without recursion."""
    stack = [msg]
    while stack:
        part = stack.pop()
        if part.get_content_maintype() == "multipart" and part.is_multipart():
            stack.extend(reversed(part.get_payload()))
        else:
            yield part


def _is_attachment(part: Message) -> bool:
    # Inline parts count only when named: unnamed ones are signature logos or list footers.
    return bool(part.get_filename()) or part.get_content_disposition() == "attachment"


def _payload_bytes(part: Message) -> bytes:
    payload = part.get_payload(decode=True)
    if isinstance(payload, bytes):
        return payload
    # message/rfc822 and friends hold parsed messages: keep them as .eml bytes.
    return b"".join(sub.as_bytes(policy=policy.compat32) for sub in part.get_payload())


def _decode_part(part: Message | None) -> str:
    if part is None:
        return ""
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return ""
    return _clean_body(decode_bytes(payload, part.get_content_charset()))


def _codecs_to_try(charset: str | None) -> list[str]:
    if not charset:
        return ["utf-8"]
    try:
        declared = codecs.lookup(charset).name
    except (LookupError, ValueError):
        return ["utf-8"]
    return list(dict.fromkeys([_CHARSET_OVERRIDES.get(declared, declared), "utf-8"]))


def _truncate_filename(name: str) -> str:
    if len(name) <= MAX_FILENAME_LENGTH:
        return name
    stem, dot, extension = name.rpartition(".")
    if stem and dot and len(extension) <= 16:
        return stem[: MAX_FILENAME_LENGTH - len(extension) - 1] + dot + extension
    return name[:MAX_FILENAME_LENGTH]


def _clean_header(value: str) -> str:
    """Return `value` on one line, without control characters or lone surrogates."""
    value = "".join(" " if unicodedata.category(ch) == "Cc" else ch for ch in _unsurrogate(value))
    return " ".join(value.split())


def _clean_body(value: str) -> str:
    # PostgreSQL rejects NUL in text columns.
    return value.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")


def _unsurrogate(value: str) -> str:
    """Return `value` with raw 8-bit bytes (kept by the parser as surrogates) decoded as UTF-8."""
    try:
        raw = value.encode("utf-8", errors="surrogateescape")
    except UnicodeEncodeError:  # a surrogate that did not come from a raw byte
        raw = value.encode("utf-8", errors="replace")
    return raw.decode("utf-8", errors="replace")
