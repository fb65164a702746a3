import hashlib

import puremagic
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile

from tickets.exceptions import DomainError
from tickets.models import Attachment, Message, Ticket

GENERIC_TYPE = "application/octet-stream"


class AttachmentTooLarge(DomainError):
    code = "attachment_too_large"
    status_code = 413


def sniff_content_type(head: bytes, filename: str) -> str:
    """Return the MIME type the bytes show; the client's claim is never trusted."""
    try:
        matches = puremagic.magic_string(head, filename)
    except (puremagic.PureError, ValueError):
        matches = []
    for match in matches:
        if match.mime_type:
            return match.mime_type
    if _looks_like_text(head):
        return "text/plain"
    return GENERIC_TYPE


def _looks_like_text(head: bytes) -> bool:
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return b"\x00" not in head


def save_attachment(
    *, ticket: Ticket, message: Message | None, filename: str, content: bytes | UploadedFile
) -> Attachment:
    """Store one file for the ticket, refusing it with AttachmentTooLarge past the limit."""
    data = content if isinstance(content, bytes) else content.read()
    limit = settings.HELPDESK_MAX_ATTACHMENT_SIZE
    if len(data) > limit:
        raise AttachmentTooLarge(f"{filename} is larger than {limit} bytes.")
    digest = hashlib.sha256(data).hexdigest()
    safe_name = _safe_filename(filename)
    attachment = Attachment(
        ticket=ticket,
        message=message,
        filename=safe_name,
        content_type=sniff_content_type(data[:4096], safe_name),
        size=len(data),
        sha256=digest,
    )
    attachment.file.save(safe_name, ContentFile(data), save=False)
    attachment.save()
    return attachment


def _safe_filename(filename: str) -> str:
    name = filename.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip(" .")
    return name[:200] or "attachment"
