"""Agent actions of routing: presence, transfers between teams, accept or reject, follow."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from routing.forms import FollowForm, PresenceForm, RejectForm, TransferForm
from routing.models import AgentProfile, Handoff
from routing.selectors import decidable_handoffs, may_decide, reachable_handoffs
from routing.services.followers import follow_ticket, unfollow_ticket
from routing.services.handoffs import (
    TransferRefused,
    accept_handoff,
    reject_handoff,
    request_transfer,
)
from routing.services.presence import set_presence, touch_presence
from tickets.exceptions import DomainError
from tickets.selectors import forget_visibility, visible_tickets

work_required = permission_required("tickets.work_ticket", raise_exception=True)


def _presence_fragment(request: HttpRequest) -> HttpResponse:
    presence = (AgentProfile.objects.filter(user=request.user)
                .values_list("presence", flat=True).first())
    waiting = decidable_handoffs(user=request.user).count()
    return render(request, "routing/_presence.html", {
        "presence": presence or "offline", "choices": PresenceForm.base_fields["presence"].choices,
        "waiting": waiting,
    })


@require_http_methods(["GET", "POST"])
@login_required
def presence_switch(request: HttpRequest) -> HttpResponse:
    """The signed-in agent's presence in the top bar (htmx), and the switch that sets it."""
    if not request.user.has_perm("tickets.work_ticket"):
        if request.method == "GET":
            return HttpResponse("")  # managers without a desk see no switch
        return HttpResponse(status=403)
    if request.method == "POST":
        form = PresenceForm(request.POST)
        if not form.is_valid():
            return HttpResponse(_("Unknown presence."), status=400)
        set_presence(agent=request.user, presence=form.cleaned_data["presence"],
                     actor=request.user)
        if not getattr(request, "htmx", False):
            return redirect(request.POST.get("next") or "tickets:workspace")
    else:
        # Every page an agent opens loads this switch: that is the activity which keeps an
        # available agent from being marked away by the idle sweep.
        touch_presence(agent=request.user)
    return _presence_fragment(request)


def _back_to_ticket(request: HttpRequest, ticket_id: int) -> HttpResponse:
    # After a transfer the sender sees the ticket only as a follower, or no longer (a lead
    # who let go of it): send them to their desk then.
    forget_visibility(request.user)  # type: ignore[arg-type]
    if visible_tickets(user=request.user).filter(pk=ticket_id).exists():  # type: ignore[arg-type]
        return redirect("tickets:ticket", ticket_id=ticket_id)
    return redirect("routing:handoffs")


@require_POST
@login_required
@work_required
def ticket_transfer(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """Hand the ticket to another team; a refusal lists the fields its contract needs."""
    ticket = get_object_or_404(visible_tickets(user=request.user), pk=ticket_id)  # type: ignore[arg-type]
    form = TransferForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
        return redirect("tickets:ticket", ticket_id=ticket_id)
    team = form.cleaned_data["to_team"]
    try:
        handoff = request_transfer(ticket=ticket, actor=request.user, to_team=team,
                                   note=form.cleaned_data["note"],
                                   customer_message=form.cleaned_data["customer_message"])
    except TransferRefused as refused:
        messages.error(request, _("Transfer to %(team)s refused: the ticket lacks %(fields)s.")
                       % {"team": team.name, "fields": ", ".join(refused.missing)})
        return redirect("tickets:ticket", ticket_id=ticket_id)
    except DomainError as error:
        messages.error(request, error.detail)
        return redirect("tickets:ticket", ticket_id=ticket_id)
    if handoff.state == "pending":
        messages.success(request, _("Sent to %(team)s; it waits for them to accept.")
                         % {"team": team.name})
    else:
        messages.success(request, _("Transferred to %(team)s. You follow the ticket.")
                         % {"team": team.name})
    return _back_to_ticket(request, ticket_id)


def _decidable(request: HttpRequest, handoff_id: int) -> Handoff:
    """Return the handoff: 404 out of reach, 403 when it is not for the user's team."""
    tickets = visible_tickets(user=request.user)  # type: ignore[arg-type]
    handoff = get_object_or_404(reachable_handoffs(user=request.user, tickets=tickets),
                                pk=handoff_id)
    if not may_decide(handoff=handoff, user=request.user):
        raise PermissionDenied(_("Only the receiving team may decide this transfer."))
    return handoff


@require_POST
@login_required
@work_required
def handoff_accept(request: HttpRequest, handoff_id: int) -> HttpResponse:
    """Accept a transfer for my team: the team, and I, own the ticket."""
    handoff = _decidable(request, handoff_id)
    try:
        accept_handoff(handoff=handoff, actor=request.user)
    except DomainError as error:
        messages.error(request, error.detail)
        return redirect("routing:handoffs")
    messages.success(request, _("Accepted: the ticket is yours."))
    return redirect("tickets:ticket", ticket_id=handoff.ticket_id)


@require_POST
@login_required
@work_required
def handoff_reject(request: HttpRequest, handoff_id: int) -> HttpResponse:
    """Send a transfer back to its sender, saying why."""
    handoff = _decidable(request, handoff_id)
    form = RejectForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors["reason"]))
        return _back_to_ticket(request, handoff.ticket_id)
    try:
        reject_handoff(handoff=handoff, actor=request.user, reason=form.cleaned_data["reason"])
    except DomainError as error:
        messages.error(request, error.detail)
        return redirect("routing:handoffs")
    messages.success(request, _("Rejected; the sender is told why."))
    return _back_to_ticket(request, handoff.ticket_id)


@require_GET
@login_required
@work_required
def handoff_list(request: HttpRequest) -> HttpResponse:
    """The transfers waiting for my teams, with the note and what each ticket is about."""
    handoffs: list[Any] = list(decidable_handoffs(user=request.user)[:200])
    return render(request, "routing/handoffs.html", {"handoffs": handoffs})


@require_POST
@login_required
@work_required
def ticket_follow(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """Follow the ticket (be told of its updates) or stop following it."""
    ticket = get_object_or_404(visible_tickets(user=request.user), pk=ticket_id)  # type: ignore[arg-type]
    form = FollowForm(request.POST)
    form.is_valid()
    if form.cleaned_data.get("follow"):
        follow_ticket(ticket=ticket, user=request.user)
        messages.success(request, _("You follow this ticket."))
    else:
        unfollow_ticket(ticket=ticket, user=request.user)
        messages.success(request, _("You no longer follow this ticket."))
    return redirect("tickets:ticket", ticket_id=ticket_id)
