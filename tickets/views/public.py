"""The public "Submit a request" pages: a plain HTML form in front of the intake service."""

from typing import Any

from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from tickets.choices import Channel
from tickets.forms import SupportRequestForm
from tickets.models import Ticket
from tickets.services.attachments import AttachmentTooLarge
from tickets.services.intake import NewTicket, create_ticket
from tickets.views.guards import (
    PENDING,
    claim_form_token,
    client_address,
    form_token_outcome,
    new_form_token,
    read_form_token,
    release_form_token,
    settle_form_token,
    take_submission_slot,
    wait_for_outcome,
)

CONFIRMATION_SALT = "tickets.public.submitted"
CONFIRMATION_MAX_AGE = 24 * 60 * 60
FORM_TEMPLATE = "tickets/public/request_form.html"


@never_cache
@require_http_methods(["GET", "POST"])
def request_new(request: HttpRequest) -> HttpResponse:
    """Show the form, or take a submitted one."""
    if request.method == "POST":
        return _submit(request)
    return _render_form(request, SupportRequestForm(), new_form_token())


def _submit(request: HttpRequest) -> HttpResponse:
    form = SupportRequestForm(request.POST, request.FILES)
    if form.is_spam():
        # Bots learn nothing: they land where people do, minus the reference.
        return redirect("tickets:request-received")
    posted_token = request.POST.get("form_token", "")
    nonce = read_form_token(posted_token)
    if nonce is not None and form_token_outcome(nonce) is not None:
        return _show_outcome(request, form, posted_token, nonce)
    if not form.is_valid():
        return _render_form(request, form, posted_token if nonce else new_form_token())
    if nonce is None:
        form.add_error(None, _("This form has expired. Check your details and send it again."))
        return _render_form(request, form, new_form_token())
    retry_after = take_submission_slot(address=client_address(request))
    if retry_after is not None:
        return _too_many_requests(request, form, posted_token, retry_after)
    if not claim_form_token(nonce):
        return _show_outcome(request, form, posted_token, nonce)
    return _create(request, form, nonce, posted_token)


def _create(
    request: HttpRequest, form: SupportRequestForm, nonce: str, posted_token: str
) -> HttpResponse:
    try:
        ticket, _ctx = create_ticket(
            request=_new_ticket(form.cleaned_data), payload=_payload(form.cleaned_data)
        )
    except AttachmentTooLarge as error:
        release_form_token(nonce)
        form.add_error("attachments", str(error))
        return _render_form(request, form, posted_token)
    except BaseException:
        release_form_token(nonce)
        raise
    confirmation = signing.dumps(ticket.pk, salt=CONFIRMATION_SALT)
    settle_form_token(nonce, confirmation)
    return redirect("tickets:request-submitted", token=confirmation)


def _new_ticket(data: dict[str, Any]) -> NewTicket:
    return NewTicket(
        subject=data["subject"],
        description=data["description"],
        requester_email=data["email"],
        requester_name=data["name"],
        requester_phone=data["phone"],
        organization_name=data["organization"],
        channel=Channel.WEB_FORM,
        product_area=data["product_area"],
        impact=list(data["impact"]),
        # Anyone can type any name, so intake does not create an organisation from it (it matches
        # by email domain); the typed name is kept for agents to see.
        custom_fields={"organization_name": data["organization"]} if data["organization"] else {},
        attachments=[(upload.name or "attachment", upload) for upload in data["attachments"]],
    )


def _payload(data: dict[str, Any]) -> dict[str, Any]:
    """Return the submission in the API's request shape, which pipeline stages read."""
    return {
        "subject": data["subject"],
        "description": data["description"],
        "requester": {"email": data["email"], "name": data["name"], "phone": data["phone"]},
        "organization": {"name": data["organization"]},
        "channel": Channel.WEB_FORM.value,
        "product_area": data["product_area"],
        "impact": list(data["impact"]),
    }


def _show_outcome(
    request: HttpRequest, form: SupportRequestForm, posted_token: str, nonce: str
) -> HttpResponse:
    """Send a repeated submission to the page its first copy produced."""
    outcome = wait_for_outcome(nonce)
    if outcome == PENDING:
        # The first copy is still being saved; its acknowledgement email carries the reference.
        return redirect("tickets:request-received")
    if outcome is None:
        form.add_error(None, _("Your request was not sent. Please send it again."))
        return _render_form(request, form, posted_token)
    return redirect("tickets:request-submitted", token=outcome)


def _render_form(
    request: HttpRequest,
    form: SupportRequestForm,
    form_token: str,
    *,
    notice: str = "",
    status: int = 200,
) -> HttpResponse:
    context = {"form": form, "form_token": form_token, "notice": notice}
    return render(request, FORM_TEMPLATE, context, status=status)


def _too_many_requests(
    request: HttpRequest, form: SupportRequestForm, form_token: str, retry_after: int
) -> HttpResponse:
    minutes = max(1, round(retry_after / 60))
    notice = _(
        "You have sent several requests in a short time. Your details are still below: "
        "please wait about %(minutes)d minutes, then send the form again."
    ) % {"minutes": minutes}
    response = _render_form(request, form, form_token, notice=notice, status=429)
    response["Retry-After"] = str(retry_after)
    return response


@require_GET
def request_submitted(request: HttpRequest, token: str) -> HttpResponse:
    """Confirm a submission to the person who made it; the signed token is the only key."""
    try:
        ticket_id = signing.loads(token, salt=CONFIRMATION_SALT, max_age=CONFIRMATION_MAX_AGE)
    except signing.BadSignature:
        return _link_invalid(request)
    ticket = (
        Ticket.objects.select_related("requester")
        .only("id", "subject", "requester__email")
        .filter(pk=ticket_id)
        .first()
        if isinstance(ticket_id, int)
        else None
    )
    if ticket is None:
        return _link_invalid(request)
    context = {"ticket": ticket, "masked_email": mask_email(ticket.requester.email)}
    return render(request, "tickets/public/submitted.html", context)


@require_GET
def request_received(request: HttpRequest) -> HttpResponse:
    """Confirm a submission without naming a ticket."""
    return render(request, "tickets/public/received.html")


def _link_invalid(request: HttpRequest) -> HttpResponse:
    return render(request, "tickets/public/link_invalid.html", status=404)


def mask_email(address: str) -> str:
    """Return the address with most of its local part hidden: a***@example.com."""
    local, _at, domain = address.partition("@")
    return f"{local[:1]}***@{domain}" if domain else "***"
