"""Agent pages of follow-up: the ticket panel's actions and the "My check-ins" list."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from followup.choices import CheckInState
from followup.forms import CancelStepForm, CloseCheckInForm, ResolutionSummaryForm
from followup.models import CheckIn, ScheduledStep
from followup.selectors import agent_checkins
from followup.services.scheduling import cancel_step
from followup.services.solving import close_checkin, save_resolution_summary
from tickets.models import Ticket
from tickets.selectors import visible_tickets


def _ticket(request: HttpRequest, ticket_id: int) -> Ticket:
    return get_object_or_404(visible_tickets(user=request.user).defer("search_vector"),
                             pk=ticket_id)


@require_POST
@login_required
@permission_required("tickets.work_ticket", raise_exception=True)
def summary_save(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """Keep the resolution summary that solving the ticket will send."""
    ticket = _ticket(request, ticket_id)
    form = ResolutionSummaryForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Summary not saved: each part may have at most 5000 characters.")
        return redirect("tickets:ticket", ticket_id=ticket.pk)
    save_resolution_summary(ticket=ticket, actor=request.user, **form.cleaned_data)
    messages.success(request, "Resolution summary saved; it is emailed when the ticket is solved.")
    return redirect("tickets:ticket", ticket_id=ticket.pk)


@require_POST
@login_required
@permission_required("tickets.work_ticket", raise_exception=True)
def step_cancel(request: HttpRequest, ticket_id: int, step_id: int) -> HttpResponse:
    """Call off one scheduled follow-up, with a reason."""
    ticket = _ticket(request, ticket_id)
    step = get_object_or_404(ScheduledStep.objects.select_related("ticket"), pk=step_id,
                             ticket=ticket)
    form = CancelStepForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Say why the follow-up is cancelled.")
        return redirect("tickets:ticket", ticket_id=ticket.pk)
    cancel_step(step=step, actor=request.user, reason=form.cleaned_data["reason"])
    messages.success(request, "Follow-up cancelled.")
    return redirect("tickets:ticket", ticket_id=ticket.pk)


@require_GET
@login_required
@permission_required("tickets.view_ticket", raise_exception=True)
def checkin_list(request: HttpRequest) -> HttpResponse:
    """The signed-in agent's open check-ins, due first, and the last ones closed."""
    context = {
        "open": list(agent_checkins(user=request.user)[:200]),
        "closed": list(agent_checkins(user=request.user, state=CheckInState.DONE)[:20])
        + list(agent_checkins(user=request.user, state=CheckInState.DISMISSED)[:20]),
        "form": CloseCheckInForm(),
    }
    return render(request, "followup/checkins.html", context)


@require_POST
@login_required
@permission_required("tickets.work_ticket", raise_exception=True)
def checkin_close(request: HttpRequest, checkin_id: int) -> HttpResponse:
    """Mark one of the agent's check-ins done or dismissed, with a note."""
    checkin = get_object_or_404(
        CheckIn.objects.filter(ticket__in=visible_tickets(user=request.user)),
        pk=checkin_id, owner=request.user,
    )
    form = CloseCheckInForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose done or dismissed and write a note.")
        return redirect("followup:checkins")
    close_checkin(checkin=checkin, actor=request.user, **form.cleaned_data)
    messages.success(request, "Check-in closed.")
    return redirect("followup:checkins")
