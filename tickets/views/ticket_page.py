"""The ticket page: timeline, context panel, reply with macros, edits guarded by the ETag."""

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from tickets.exceptions import DomainError, StaleWrite
from tickets.forms_agent import ReplyForm, TicketPropertiesForm, may_assign
from tickets.models import Macro, Ticket
from tickets.panels import ticket_panels
from tickets.queues import recent_tickets, similar_open_tickets, suggested_articles
from tickets.selectors import ticket_list, visible_tickets
from tickets.services.assignment import UNCHANGED
from tickets.services.lifecycle import change_status
from tickets.services.workspace import TicketChanges, apply_ticket_changes, send_agent_reply
from tickets.views.presence import mark_viewing
from tickets.views.timeline import files_by_message, page_timeline, split_timeline

TEMPLATE = "tickets/agent/ticket.html"
# The one-to-one rows the page reads (see _decision). The SLA rows that lists prefetch for the
# API are read by the SLA panel itself; prefetching them here loaded them twice.
PAGE_PREFETCH = frozenset({"triage_decision", "routing_decision"})


def visible_ticket(request: HttpRequest, ticket_id: int) -> Ticket:
    """Return the ticket with its panel columns joined; 404 when missing or out of reach."""
    tickets = ticket_list(tickets=visible_tickets(user=request.user))  # type: ignore[arg-type]
    wanted = [name for name in settings.HELPDESK_TICKET_PREFETCH if name in PAGE_PREFETCH]
    return get_object_or_404(tickets.prefetch_related(None).prefetch_related(*wanted),
                             pk=ticket_id)


def _decision(ticket: Ticket, name: str) -> dict[str, Any] | None:
    # Downstream apps add `<name>_decision` one-to-one rows; the page shows their API shape.
    decision = getattr(ticket, f"{name}_decision", None)
    return decision.as_api() if hasattr(decision, "as_api") else None


def _render_page(
    request: HttpRequest,
    ticket: Ticket,
    *,
    reply_form: ReplyForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    attachments = list(ticket.attachments.order_by("created_at", "pk"))
    files = files_by_message(attachments)
    original, entries = split_timeline(ticket, page_timeline(ticket=ticket), files)
    context = {
        "ticket": ticket,
        "original": original,
        "original_files": files.get(original.pk, ()) if original else (),
        "entries": entries,
        "attachments": attachments,
        "reply_form": reply_form or ReplyForm(ticket=ticket, initial={"etag": ticket.etag}),
        "properties_form": TicketPropertiesForm(ticket=ticket),
        "macros": list(Macro.objects.filter(active=True).only("pk", "name")),
        "articles": suggested_articles(ticket=ticket),
        "recent": recent_tickets(user=user, ticket=ticket),  # type: ignore[arg-type]
        "similar": similar_open_tickets(user=user, ticket=ticket),  # type: ignore[arg-type]
        "triage": _decision(ticket, "triage"),
        "routing": _decision(ticket, "routing"),
        "others": mark_viewing(ticket_id=ticket.pk, user=user),  # type: ignore[arg-type]
        "may_assign": may_assign(user),  # type: ignore[arg-type]
        "now": timezone.now(),
        "panels": ticket_panels(ticket=ticket, user=user),  # type: ignore[arg-type]
    }
    return render(request, TEMPLATE, context, status=status)


@require_GET
@login_required
@permission_required("tickets.view_ticket", raise_exception=True)
def ticket_detail(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """Show the whole story of one ticket and the tools to work it."""
    return _render_page(request, visible_ticket(request, ticket_id))


@require_POST
@login_required
@permission_required("tickets.work_ticket", raise_exception=True)
def ticket_reply(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """Send a reply or note; a stale page keeps the draft and says what happened."""
    ticket = visible_ticket(request, ticket_id)
    form = ReplyForm(request.POST, request.FILES, ticket=ticket)
    if not form.is_valid():
        return _render_page(request, ticket, reply_form=form, status=400)
    data = form.cleaned_data
    try:
        send_agent_reply(
            ticket=ticket, author=request.user, body=data["body"],  # type: ignore[arg-type]
            public=data["public"], expected_etag=data["etag"], macro=data["macro"],
            attachments=[(file.name, file) for file in data["attachments"]],
        )
    except StaleWrite:
        return _stale_reply(request, ticket_id, form)
    if data["then_status"]:
        try:
            change_status(ticket=ticket, status=data["then_status"], actor=request.user,  # type: ignore[arg-type]
                          reason="set with reply")
        except DomainError as error:
            messages.warning(request, error.detail)
    messages.success(request, _("Reply sent.") if data["public"] else _("Note added."))
    return redirect("tickets:ticket", ticket_id=ticket_id)


def _stale_reply(request: HttpRequest, ticket_id: int, form: ReplyForm) -> HttpResponse:
    fresh = visible_ticket(request, ticket_id)
    # A browser cannot be handed files back, so the kept draft is the text; files go again.
    kept = {name: value for name, value in form.cleaned_data.items() if name != "attachments"}
    draft = {**kept, "etag": fresh.etag, "public": "1" if form.cleaned_data[
        "public"] else "0", "macro": getattr(form.cleaned_data["macro"], "pk", "")}
    messages.error(request, _(
        "This ticket changed after you opened it (see the latest entries below), so your "
        "message was not sent. Your draft is kept: read the update, then send again."
    ))
    return _render_page(request, fresh, reply_form=ReplyForm(ticket=fresh, initial=draft),
                        status=409)


@require_POST
@login_required
@permission_required("tickets.work_ticket", raise_exception=True)
def ticket_update(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """Change status, priority, category, team and assignee; refuse a stale page."""
    ticket = visible_ticket(request, ticket_id)
    form = TicketPropertiesForm(request.POST, ticket=ticket)
    if not form.is_valid():
        messages.error(request, _("Nothing changed: %(errors)s") % {
            "errors": "; ".join(f"{name}: {' '.join(errs)}" for name, errs in form.errors.items())
        })
        return _render_page(request, ticket, status=400)
    data = form.cleaned_data
    assigning = (data["assignee"] and data["assignee"].pk) != ticket.assignee_id or (
        data["team"] and data["team"].pk) != ticket.team_id
    if assigning and not may_assign(request.user):  # type: ignore[arg-type]
        messages.error(request, _("Your role cannot assign tickets."))
        return redirect("tickets:ticket", ticket_id=ticket_id)
    changes = TicketChanges(
        status=data["status"], priority=data["priority"],
        category=data["category"].slug if data["category"] else "",
        assignee=data["assignee"] if assigning else UNCHANGED,
        team=data["team"] if assigning else UNCHANGED,
    )
    try:
        apply_ticket_changes(ticket=ticket, changes=changes, actor=request.user,  # type: ignore[arg-type]
                             reason=data["reason"], expected_etag=data["etag"])
    except StaleWrite as error:
        messages.error(request, error.detail)
        return _render_page(request, visible_ticket(request, ticket_id), status=409)
    except DomainError as error:
        messages.error(request, error.detail)
        return _render_page(request, visible_ticket(request, ticket_id), status=400)
    messages.success(request, _("Ticket updated."))
    return redirect("tickets:ticket", ticket_id=ticket_id)


@require_POST
@login_required
@permission_required("tickets.assign_ticket", raise_exception=True)
def ticket_assign_me(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """Take the ticket, keeping its team when the agent belongs to it."""
    ticket = visible_ticket(request, ticket_id)
    team = ticket.team
    if team is not None and not team.members.filter(pk=request.user.pk).exists():
        team = None
    changes = TicketChanges(assignee=request.user, team=team)
    try:
        apply_ticket_changes(ticket=ticket, changes=changes, actor=request.user,  # type: ignore[arg-type]
                             reason="assigned to self", expected_etag=request.POST.get("etag", ""))
    except DomainError as error:
        messages.error(request, error.detail)
    else:
        messages.success(request, _("Assigned to you."))
    return redirect("tickets:ticket", ticket_id=ticket_id)


@require_GET
@login_required
@permission_required("tickets.view_ticket", raise_exception=True)
def ticket_presence(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """Renew the viewer's presence; say who else is here and whether the ticket changed."""
    ticket = get_object_or_404(
        visible_tickets(user=request.user).only("pk", "updated_at"), pk=ticket_id  # type: ignore[arg-type]
    )
    context = {
        "ticket": ticket,
        "others": mark_viewing(ticket_id=ticket.pk, user=request.user),  # type: ignore[arg-type]
        "changed": request.GET.get("etag", ticket.etag) != ticket.etag,
        "opened_etag": request.GET.get("etag", ""),
    }
    return render(request, f"{TEMPLATE}#presence", context)
