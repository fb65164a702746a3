"""Filters of the agent UI: SLA countdowns, safe Markdown and tier badges."""

from datetime import datetime, timedelta
from functools import cache

from django import template
from django.utils import timezone
from django.utils.safestring import SafeString

from tickets.rendering import render_markdown, sanitise_html

register = template.Library()


def _format_span(delta: timedelta) -> str:
    minutes = int(abs(delta.total_seconds()) // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days}d {hours}h"
    if hours:
        return f"{hours}h {mins:02d}m"
    return f"{mins}m"


@register.filter
def sla_left(due: datetime | None) -> str:
    """Return "2h 05m", or "overdue 12m" once the due time has passed."""
    if due is None:
        return "-"
    delta = due - timezone.now()
    return _format_span(delta) if delta.total_seconds() >= 0 else f"overdue {_format_span(delta)}"


@register.filter
def sla_state(due: datetime | None) -> str:
    """Return the CSS state of a countdown: none, ok, soon (within the hour) or overdue."""
    if due is None:
        return "none"
    seconds = (due - timezone.now()).total_seconds()
    if seconds < 0:
        return "overdue"
    return "soon" if seconds <= 3600 else "ok"


@register.filter
def markdown_safe(text: str) -> SafeString:
    return render_markdown(text or "")


@register.filter
def html_safe(html: str) -> SafeString:
    return sanitise_html(html or "")


@register.filter
def person(user: object) -> str:
    """Return a user's full name, or the username, or "System" for no user."""
    if user is None:
        return "System"
    full = user.get_full_name()  # type: ignore[attr-defined]
    return full or user.get_username()  # type: ignore[attr-defined]


@cache
def _choice_labels(model: type, field_name: str) -> dict[object, object]:
    return dict(model._meta.get_field(field_name).flatchoices)  # type: ignore[attr-defined]


@register.filter
def display(obj: object, field_name: str) -> str:
    """
    `obj.get_<field>_display()` for list rows: Django's version rebuilds and hashes every
    lazily translated label of the field on each call (a third of a queue page's time);
    here the labels are looked up once per process and only the shown one is translated.
    """
    value = getattr(obj, field_name)
    try:
        label = _choice_labels(type(obj), field_name).get(value, value)
    except TypeError:  # an unhashable value has no label
        label = value
    return "" if label is None else str(label)


@register.filter
def get_item(mapping: dict, key: object) -> object:
    return mapping.get(key) if isinstance(mapping, dict) else None


@register.inclusion_tag("tickets/agent/_nav.html", takes_context=True)
def workspace_nav(context: template.Context) -> dict[str, object]:
    """Render the queues the signed-in user may open, with counts where the page has them."""
    from tickets.queues import queues_for

    request = context.get("request")
    if request is None or not request.user.has_perm("tickets.view_ticket"):
        return {"queues": []}
    queue = context.get("queue")
    return {
        "queues": queues_for(request.user),
        "counts": context.get("counts"),
        "current": getattr(queue, "slug", ""),
    }
