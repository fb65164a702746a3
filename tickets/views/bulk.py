"""Bulk actions on the rows an agent selected in a queue."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tickets.forms_agent import BulkActionForm, may_assign
from tickets.models import Ticket
from tickets.selectors import visible_tickets
from tickets.services.workspace import BulkOutcome, apply_bulk_action

MAX_BULK = 100


def _back(request: HttpRequest) -> HttpResponse:
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return redirect("tickets:queue", slug="mine")
    return redirect(target)


@require_POST
@login_required
@permission_required("tickets.work_ticket", raise_exception=True)
def queue_bulk(request: HttpRequest) -> HttpResponse:
    """Apply one action to the selected tickets through the services, then report each outcome."""
    form = BulkActionForm(request.POST)
    if not form.is_valid():
        errors = "; ".join(
            f"{form.fields[name].label or name}: {' '.join(msgs)}" if name != "__all__"
            else " ".join(msgs)
            for name, msgs in form.errors.items()
        )
        messages.error(request, _("Nothing changed. %(errors)s") % {"errors": errors})
        return _back(request)
    data = form.cleaned_data
    if data["action"].startswith("assign") and not may_assign(request.user):  # type: ignore[arg-type]
        messages.error(request, _("Your role cannot assign tickets."))
        return _back(request)
    ids = list(dict.fromkeys(data["ids"]))[:MAX_BULK]
    tickets = list(
        visible_tickets(user=request.user).filter(pk__in=ids).order_by("pk")  # type: ignore[arg-type]
    )
    outcome = apply_bulk_action(
        tickets=tickets, requested=len(ids), action=data["action"], value=data["value"],
        actor=request.user, reason=data["reason"],  # type: ignore[arg-type]
    )
    _report(request, outcome)
    return _back(request)


def _report(request: HttpRequest, outcome: BulkOutcome) -> None:
    if outcome.done:
        messages.success(request, _("Updated %(count)d tickets.") % {"count": len(outcome.done)})
    for ticket_id, detail in outcome.refused:
        reference = Ticket(pk=ticket_id).reference
        messages.warning(request, _("%(ref)s not changed: %(detail)s") % {
            "ref": reference, "detail": detail})
    if outcome.missing:
        messages.warning(request, _("%(count)d selected tickets were not found.") % {
            "count": outcome.missing})
