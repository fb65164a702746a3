"""The bell and the inbox page; a person only ever reaches their own notifications."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from escalation.notifications.models import Notification
from escalation.notifications.selectors import UNREAD_CAP, inbox, unread_count
from escalation.notifications.services.inbox import mark_all_read, mark_read

PAGE_SIZE = 50


@require_GET
@login_required
def notification_bell(request: HttpRequest) -> HttpResponse:
    """Return the bell's unread count; the nav polls it every 30 s."""
    return render(request, "notifications/_bell.html",
                  {"unread": unread_count(recipient=request.user), "cap": UNREAD_CAP})


@require_GET
@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(inbox(recipient=request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "notifications/list.html", {
        "page": page, "unread": unread_count(recipient=request.user), "cap": UNREAD_CAP,
    })


@require_POST
@login_required
def notification_read(request: HttpRequest, notification_id: int) -> HttpResponse:
    """Mark one read; "open" also goes on to its ticket. Another person's is a 404."""
    notification = get_object_or_404(Notification, pk=notification_id, recipient=request.user)
    mark_read(notification=notification, now=timezone.now())
    if "open" in request.POST and notification.ticket_id is not None:
        return redirect("tickets:ticket", ticket_id=notification.ticket_id)
    return redirect(reverse("notifications:list"))


@require_POST
@login_required
def notification_read_all(request: HttpRequest) -> HttpResponse:
    mark_all_read(recipient=request.user, now=timezone.now())
    return redirect("notifications:list")
