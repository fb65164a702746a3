"""The escalation dashboard (htmx polling) and the ticket panel's actions."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from escalation.escalations.choices import EscalationQuality
from escalation.escalations.forms import DeEscalateForm, EscalateForm, LabelForm
from escalation.escalations.models import Escalation
from escalation.escalations.permissions import (
    may_acknowledge,
    may_de_escalate,
    may_label,
    may_see_dashboard,
)
from escalation.escalations.selectors import (
    DASHBOARD_ROWS,
    ENDED_DAYS,
    ENDED_ROWS,
    counts_by_priority,
    open_escalations,
    recently_ended_escalations,
)
from escalation.escalations.services.labels import label_escalation
from escalation.escalations.services.records import acknowledge_escalation, de_escalate
from tickets.choices import Priority
from tickets.selectors import visible_tickets
from tickets.services.lifecycle import escalate_ticket

POLL_SECONDS = 30


@require_GET
@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """
    Open escalations for leads and managers (the table reloads itself every 30 s), and below
    them the recently ended ones, whose quality is judged once they are over.
    """
    if not may_see_dashboard(request.user):
        raise PermissionDenied
    now = timezone.now()
    counts = counts_by_priority(user=request.user)
    context = {
        "rows": list(open_escalations(user=request.user)[:DASHBOARD_ROWS]),
        # Not "counts": the queue navigation reads that name as its own badges.
        "priority_counts": [(p.value, p.label, counts.get(p.value, 0)) for p in Priority],
        "total": sum(counts.values()),
        "limit": DASHBOARD_ROWS,
        "now": now,
        "poll_seconds": POLL_SECONDS,
        "qualities": EscalationQuality.choices,
        "may_label": may_label(request.user),
    }
    if request.htmx and not request.htmx.boosted:  # type: ignore[attr-defined]
        return render(request, "escalations/dashboard.html#board", context)
    ended = recently_ended_escalations(user=request.user, now=now)[:ENDED_ROWS]
    context.update(ended=list(ended), ended_days=ENDED_DAYS, ended_limit=ENDED_ROWS)
    return render(request, "escalations/dashboard.html", context)


def _visible_escalation(request: HttpRequest, escalation_id: int) -> Escalation:
    # Escalations of tickets the user may not see are missing, not forbidden (no leak).
    return get_object_or_404(
        Escalation.objects.select_related("ticket"), pk=escalation_id,
        ticket__in=visible_tickets(user=request.user),  # type: ignore[arg-type]
    )


@require_POST
@login_required
def acknowledge(request: HttpRequest, escalation_id: int) -> HttpResponse:
    if not may_acknowledge(request.user):
        raise PermissionDenied
    escalation = _visible_escalation(request, escalation_id)
    acknowledge_escalation(escalation=escalation, actor=request.user)  # type: ignore[arg-type]
    messages.success(request, "Escalation acknowledged.")
    return redirect("tickets:ticket", ticket_id=escalation.ticket_id)


@require_POST
@login_required
def de_escalate_view(request: HttpRequest, escalation_id: int) -> HttpResponse:
    if not may_de_escalate(request.user):
        raise PermissionDenied
    escalation = _visible_escalation(request, escalation_id)
    form = DeEscalateForm(request.POST)
    if not form.is_valid():
        return HttpResponse("A reason is required to de-escalate.", status=400)
    de_escalate(escalation=escalation, actor=request.user,  # type: ignore[arg-type]
                reason=form.cleaned_data["reason"])
    messages.success(request, "De-escalated.")
    return redirect("tickets:ticket", ticket_id=escalation.ticket_id)


@require_POST
@login_required
def escalate(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """Escalate by hand through the spine's service; the ESCALATED handler records it."""
    if not request.user.has_perm("tickets.escalate_ticket"):
        raise PermissionDenied
    ticket = get_object_or_404(visible_tickets(user=request.user), pk=ticket_id)  # type: ignore[arg-type]
    form = EscalateForm(request.POST)
    if not form.is_valid():
        return HttpResponse("A reason is required to escalate.", status=400)
    escalate_ticket(ticket=ticket, actor=request.user,  # type: ignore[arg-type]
                    reason=form.cleaned_data["reason"])
    messages.success(request, "Escalated.")
    return redirect("tickets:ticket", ticket_id=ticket.pk)


@require_POST
@login_required
def label(request: HttpRequest, escalation_id: int) -> HttpResponse:
    """A lead or manager judges an escalation necessary, premature or late (changeable)."""
    if not may_label(request.user):
        raise PermissionDenied
    escalation = _visible_escalation(request, escalation_id)
    form = LabelForm(request.POST)
    if not form.is_valid():
        return HttpResponse("Choose necessary, premature or late.", status=400)
    label_escalation(escalation=escalation, quality=form.cleaned_data["quality"],
                     actor=request.user)  # type: ignore[arg-type]
    if not request.htmx:  # type: ignore[attr-defined]
        messages.success(request, "Escalation labelled.")
        return redirect("escalations:dashboard")
    escalation = Escalation.objects.select_related("label__labelled_by").get(pk=escalation.pk)
    return render(request, "escalations/dashboard.html#quality",
                  {"e": escalation, "qualities": EscalationQuality.choices, "may_label": True})
