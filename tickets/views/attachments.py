"""Attachment downloads: only for people who may see the ticket, never rendered inline."""

from django.contrib.auth.decorators import login_required, permission_required
from django.http import FileResponse, HttpRequest
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_GET

from tickets.models import Attachment
from tickets.selectors import visible_tickets

# A sandboxed, script-free policy: even if a browser ignored the download disposition, an
# HTML or SVG file could run nothing and reach nothing.
DOWNLOAD_CSP = "sandbox; default-src 'none'; frame-ancestors 'none'"


@require_GET
@login_required
@permission_required("tickets.view_ticket", raise_exception=True)
def attachment_download(request: HttpRequest, attachment_id: int) -> FileResponse:
    """Send the file as a download; 404 when missing or on a ticket out of reach."""
    attachment = get_object_or_404(
        Attachment.objects.filter(ticket__in=visible_tickets(user=request.user)),  # type: ignore[arg-type]
        pk=attachment_id,
    )
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.filename,
        # The sniffed type is informative only; octet-stream keeps browsers from rendering it.
        content_type="application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = DOWNLOAD_CSP
    response["Cache-Control"] = "private, no-store"
    return response
