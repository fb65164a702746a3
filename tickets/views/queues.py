"""The queue pages: one view for every queue, the shared TicketFilter, htmx row refreshes."""

from typing import Any

from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from tickets.choices import Channel, Priority, TicketStatus
from tickets.filters import TicketFilter
from tickets.forms_agent import BULK_ACTIONS, agent_users, may_assign
from tickets.models import Category, Team
from tickets.queues import QUEUES_BY_SLUG, Queue, queue_counts, queue_tickets, queues_for
from tickets.views.paging import queue_page

PAGE_SIZE = 25
TEMPLATE = "tickets/agent/queue.html"
# The filter fields the queue form offers; the API accepts more, from the same FilterSet.
FILTER_FIELDS = ("q", "status", "priority", "category", "team", "assignee", "channel", "tag")


def _queue_or_404(request: HttpRequest, slug: str) -> Queue:
    queue = QUEUES_BY_SLUG.get(slug)
    if queue is None or queue not in queues_for(request.user):  # type: ignore[arg-type]
        raise Http404
    return queue


def _filter_params(request: HttpRequest) -> QueryDict:
    """Return the query without empty values: an "Any" choice in the form means no filter."""
    params = QueryDict(mutable=True)
    for name, values in request.GET.lists():
        kept = [value for value in values if value.strip()]
        if kept:
            params.setlist(name, kept)
    return params


def _filter_query(params: QueryDict) -> str:
    """Return the active filters as a query string, for pagination and polling links."""
    params = params.copy()
    params.pop("page", None)
    return params.urlencode()


@require_GET
@login_required
@permission_required("tickets.view_ticket", raise_exception=True)
def queue_list(request: HttpRequest, slug: str) -> HttpResponse:
    """Show one queue; an htmx poll gets only the rows, so checked boxes stay checked."""
    queue = _queue_or_404(request, slug)
    now = timezone.now()
    params = _filter_params(request)
    filterset = TicketFilter(
        params, queryset=queue_tickets(user=request.user, queue=queue, now=now)  # type: ignore[arg-type]
    )
    page = queue_page(filterset.qs, request.GET.get("page"), PAGE_SIZE)
    context: dict[str, Any] = {
        "queue": queue, "page": page, "tickets": page.object_list,
        "filter_query": _filter_query(params), "now": now,
    }
    if request.htmx and not request.htmx.boosted:  # type: ignore[attr-defined]
        return render(request, f"{TEMPLATE}#rows", context)
    nav = queues_for(request.user)  # type: ignore[arg-type]
    context.update({
        "filter": filterset,
        "active": {name: params.get(name, "") for name in FILTER_FIELDS},
        "counts": queue_counts(user=request.user, queues=nav, now=now),  # type: ignore[arg-type]
        "options": _filter_options(),
        "bulk_actions": BULK_ACTIONS,
        "may_assign": may_assign(request.user),  # type: ignore[arg-type]
    })
    return render(request, TEMPLATE, context)


def _filter_options() -> dict[str, Any]:
    return {
        "status": TicketStatus.choices,
        "priority": Priority.choices,
        "channel": Channel.choices,
        "categories": list(Category.objects.filter(active=True).values_list("slug", "name")),
        "teams": list(Team.objects.order_by("name").values_list("pk", "name")),
        "agents": [
            (user.pk, user.get_full_name() or user.get_username())
            for user in agent_users().only("pk", "username", "first_name", "last_name")
        ],
    }


@require_GET
@login_required
def workspace_home(request: HttpRequest) -> HttpResponse:
    return redirect("tickets:queue", slug="mine")


@require_GET
@login_required
@permission_required("tickets.view_ticket", raise_exception=True)
def queue_next(request: HttpRequest) -> HttpResponse:
    """Open the most urgent ticket in My open tickets after the one the agent is on."""
    current = request.GET.get("after", "")
    tickets = queue_tickets(
        user=request.user, queue=QUEUES_BY_SLUG["mine"], now=timezone.now()  # type: ignore[arg-type]
    )
    if current.isdigit():
        tickets = tickets.exclude(pk=int(current))
    # Only the id is read: the list's joined columns and prefetches are dropped.
    ticket = tickets.select_related(None).prefetch_related(None).only("pk").first()
    if ticket is None:
        return redirect("tickets:queue", slug="mine")
    return redirect("tickets:ticket", ticket_id=ticket.pk)
