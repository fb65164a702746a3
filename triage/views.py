"""Agent actions of triage on the ticket page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tickets.selectors import visible_tickets
from triage.forms import ParentIncidentForm
from triage.incidents import mark_parent_incident


@require_POST
@login_required
@permission_required("tickets.work_ticket", raise_exception=True)
def ticket_parent_incident(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """Mark the ticket as a parent incident that new matching tickets join, or unmark it."""
    ticket = get_object_or_404(visible_tickets(user=request.user).defer("search_vector"),  # type: ignore[arg-type]
                               pk=ticket_id)
    form = ParentIncidentForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest("; ".join(form.errors.get("reason", [])))
    is_parent = form.cleaned_data["is_parent"]
    mark_parent_incident(ticket=ticket, is_parent=is_parent, actor=request.user,  # type: ignore[arg-type]
                         reason=form.cleaned_data["reason"])
    messages.success(request, _("Marked as a parent incident: new tickets that read like it "
                                "will be linked to it.") if is_parent
                     else _("No longer a parent incident."))
    return redirect("tickets:ticket", ticket_id=ticket_id)
