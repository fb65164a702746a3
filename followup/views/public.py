"""
The customer's pages, reached only through signed links in their emails: their ticket (read,
reply, reopen) and the satisfaction survey. A link opens one ticket and nothing else.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.conf import settings as django_settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from followup.emails import survey_scores
from followup.forms import CustomerReplyForm, RatingForm
from followup.links import (
    CUSTOMER_SALT,
    SURVEY_SALT,
    LinkExpired,
    LinkInvalid,
    make_token,
    read_token,
)
from followup.models import FollowupSettings, SatisfactionRating
from followup.selectors import followup_settings
from followup.services.customer import may_reopen, reopen_by_customer, reply_from_ticket_page
from followup.services.satisfaction import record_rating
from tickets.choices import MessageKind, TicketStatus
from tickets.models import Attachment, Message, Ticket
from tickets.views.guards import take_submission_slot

PUBLIC_KINDS = (MessageKind.PUBLIC, MessageKind.SYSTEM)


class _Refused(Exception):
    def __init__(self, response: HttpResponse) -> None:
        self.response = response


def _link_page(request: HttpRequest, *, expired: bool) -> HttpResponse:
    return render(request, "followup/public/link_invalid.html", {"expired": expired},
                  status=410 if expired else 400)


def _linked_ticket(request: HttpRequest, token: str, *, salt: str, days: int) -> Ticket:
    try:
        target = read_token(token, salt=salt, max_age_days=days)
    except LinkExpired as error:
        raise _Refused(_link_page(request, expired=True)) from error
    except LinkInvalid as error:
        raise _Refused(_link_page(request, expired=False)) from error
    ticket = (
        Ticket.objects.select_related("requester", "organization").defer("search_vector")
        .filter(pk=target.ticket_id, requester_id=target.contact_id).first()
    )
    if ticket is None:  # deleted, or the requester changed: the link no longer fits
        raise _Refused(_link_page(request, expired=False))
    return ticket


def _throttled(request: HttpRequest) -> HttpResponse | None:
    wait = take_submission_slot(address=request.META.get("REMOTE_ADDR") or "unknown",
                                rate_text=django_settings.HELPDESK_CUSTOMER_POST_RATE,
                                scope="followup-customer")
    if wait is None:
        return None
    response = render(request, "followup/public/slow_down.html", {"minutes": max(1, wait // 60)},
                      status=429)
    response["Retry-After"] = str(wait)
    return response


def _customer_link(*, salt: str, days: Callable[[FollowupSettings], int]) -> Callable:
    """
    Open the one ticket a signed link names, or answer 400/410; posts are throttled. The view
    then receives the ticket and the follow-up settings after the token.
    """

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def open_link(request: HttpRequest, token: str, **kwargs: object) -> HttpResponse:
            settings = followup_settings()
            try:
                ticket = _linked_ticket(request, token, salt=salt, days=days(settings))
            except _Refused as refused:
                return refused.response
            if request.method == "POST" and (throttled := _throttled(request)) is not None:
                return throttled
            return view(request, token, ticket, settings, **kwargs)

        return open_link

    return decorate


def _customer_days(settings: FollowupSettings) -> int:
    return settings.customer_link_days


def _survey_days(settings: FollowupSettings) -> int:
    return settings.survey_link_days


def _ticket_page(
    request: HttpRequest, ticket: Ticket, token: str, settings: FollowupSettings,
    *, form: CustomerReplyForm | None = None, notice: str = "", status: int = 200,
) -> HttpResponse:
    messages = list(
        Message.objects.filter(ticket=ticket, kind__in=PUBLIC_KINDS)
        .select_related("author_user", "author_contact").order_by("created_at", "pk")
    )
    attachments = Attachment.objects.filter(
        message__in=[m.pk for m in messages]
    ).order_by("created_at")
    by_message: dict[int, list[Attachment]] = {}
    for attachment in attachments:
        by_message.setdefault(attachment.message_id, []).append(attachment)
    context = {
        "ticket": ticket, "token": token,
        "entries": [(message, by_message.get(message.pk, [])) for message in messages],
        "form": form or CustomerReplyForm(),
        "notice": notice,
        "may_reply": ticket.status != TicketStatus.CLOSED,
        "may_reopen": may_reopen(ticket),
        "survey_token": make_token(ticket=ticket, salt=SURVEY_SALT)
        if ticket.status in (TicketStatus.SOLVED, TicketStatus.CLOSED) else "",
        "days": settings.customer_link_days,
    }
    return render(request, "followup/public/ticket.html", context, status=status)


@never_cache
@require_GET
@_customer_link(salt=CUSTOMER_SALT, days=_customer_days)
def customer_ticket(
    request: HttpRequest, token: str, ticket: Ticket, settings: FollowupSettings,
) -> HttpResponse:
    """Show the customer their ticket: status, public replies, their attachments."""
    return _ticket_page(request, ticket, token, settings)


@never_cache
@require_POST
@_customer_link(salt=CUSTOMER_SALT, days=_customer_days)
def customer_reply(
    request: HttpRequest, token: str, ticket: Ticket, settings: FollowupSettings,
) -> HttpResponse:
    """Add the customer's reply; a solved ticket reopens through the reply's handlers."""
    if ticket.status == TicketStatus.CLOSED:
        return _ticket_page(request, ticket, token, settings, status=409,
                            notice="This ticket is closed. Reply to our last email to open a "
                            "new one.")
    form = CustomerReplyForm(request.POST)
    if not form.is_valid():
        return _ticket_page(request, ticket, token, settings, form=form, status=400)
    reply_from_ticket_page(ticket=ticket, body=form.cleaned_data["body"])
    return redirect("followup:customer-ticket", token=token)


@never_cache
@require_POST
@_customer_link(salt=CUSTOMER_SALT, days=_customer_days)
def customer_reopen(
    request: HttpRequest, token: str, ticket: Ticket, settings: FollowupSettings,
) -> HttpResponse:
    """Reopen a solved ticket; after it closed, the page says to write a new message."""
    if not may_reopen(ticket):
        return _ticket_page(request, ticket, token, settings, status=409,
                            notice="Only a solved ticket can be reopened.")
    reopen_by_customer(ticket=ticket, reason_code="customer_reopened",
                       reason="The customer reopened the ticket from its page.")
    return redirect("followup:customer-ticket", token=token)


def _survey_page(
    request: HttpRequest, ticket: Ticket, token: str, settings: FollowupSettings,
    *, chosen: int | None = None, form: RatingForm | None = None, status: int = 200,
) -> HttpResponse:
    rating = SatisfactionRating.objects.filter(ticket=ticket).first()
    tier = ticket.organization.tier if ticket.organization else None
    context = {
        "ticket": ticket, "token": token, "rating": rating, "chosen": chosen,
        "scores": survey_scores(settings.survey_scale),
        "good_bad": len(survey_scores(settings.survey_scale)) == 2,
        "ask_nps": tier in settings.nps_tiers, "form": form,
        "nps_range": range(11),
    }
    return render(request, "followup/public/survey.html", context, status=status)


@never_cache
@require_GET
@_customer_link(salt=SURVEY_SALT, days=_survey_days)
def rate(
    request: HttpRequest, token: str, ticket: Ticket, settings: FollowupSettings, score: int,
) -> HttpResponse:
    """
    The one-click link of a score: a page that submits it (static script, or one button
    without scripts). Mail scanners follow links, so a GET itself never records a rating.
    """
    if score not in survey_scores(settings.survey_scale):
        return _link_page(request, expired=False)
    return _survey_page(request, ticket, token, settings, chosen=score)


@never_cache
@require_http_methods(["GET", "POST"])
@_customer_link(salt=SURVEY_SALT, days=_survey_days)
def survey(
    request: HttpRequest, token: str, ticket: Ticket, settings: FollowupSettings,
) -> HttpResponse:
    """Show the survey with the current rating; take a rating, a comment, a recommendation."""
    if request.method == "GET":
        return _survey_page(request, ticket, token, settings)
    form = RatingForm(request.POST)
    if not form.is_valid() or form.cleaned_data["score"] not in survey_scores(
        settings.survey_scale
    ):
        return _survey_page(request, ticket, token, settings, form=form, status=400)
    data = form.cleaned_data
    record_rating(ticket=ticket, score=data["score"],
                  comment=data["comment"] if "comment" in request.POST else None,
                  nps=data["nps"] if ticket.organization and ticket.organization.tier in
                  settings.nps_tiers else None)
    return redirect("followup:survey", token=token)
