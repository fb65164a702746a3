"""Reads that matter for speed and access; every ticket lookup starts at visible_tickets."""

from collections.abc import Callable, Iterable
from functools import cache
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Prefetch, Q, QuerySet
from django.utils.module_loading import import_string

from tickets.choices import ApiScope
from tickets.models import ApiKey, Message, Ticket, TicketEvent


def visible_tickets(
    *, user: AbstractBaseUser | AnonymousUser, api_key: ApiKey | None = None
) -> QuerySet[Ticket]:
    """
    Return every ticket the caller may read. An intake-only key sees what it created; an
    integration key with `read` sees everything; people see their teams' tickets, their own,
    tickets no team owns yet and those downstream apps grant them (granted_ticket_ids),
    unless their role lets them see all.
    """
    if api_key is not None and api_key.is_integration:
        if api_key.has_scope(ApiScope.READ):
            return Ticket.objects.all()
        if api_key.has_scope(ApiScope.INTAKE):
            return Ticket.objects.filter(created_by_key=api_key)
        return Ticket.objects.none()
    if not user.is_authenticated or not user.has_perm("tickets.view_ticket"):
        return Ticket.objects.none()
    if user.has_perm("tickets.view_all_tickets"):
        return Ticket.objects.all()
    seen = Q(assignee=user) | Q(team__in=team_ids_of(user)) | Q(team__isnull=True)
    if granted := granted_ticket_ids(user):
        seen |= Q(pk__in=granted)
    return Ticket.objects.filter(seen)


def team_ids_of(user: AbstractBaseUser) -> list[int]:
    """The teams the user belongs to or leads, sorted; asked once per request."""
    # One page asks several times (the ticket, recent and similar tickets); the request's user
    # object keeps the answer, so a membership change shows from the next request on.
    if not hasattr(user, "_visible_team_ids"):
        member_of = user.teams.values_list("pk", flat=True)  # type: ignore[attr-defined]
        leads = user.led_teams.values_list("pk", flat=True)  # type: ignore[attr-defined]
        user._visible_team_ids = sorted(member_of.union(leads))  # type: ignore[attr-defined]
    return user._visible_team_ids  # type: ignore[attr-defined]


def granted_ticket_ids(user: AbstractBaseUser) -> list[int]:
    """
    The tickets downstream apps open to the user beyond their teams' (a transfer waiting for
    their team, a ticket they follow), from settings.HELPDESK_TICKET_GRANTS; asked once per
    request, in one query.
    """
    if not hasattr(user, "_granted_ticket_ids"):
        grants = [grant(user=user, team_ids=team_ids_of(user)) for grant in _grants()]
        ids = grants[0].union(*grants[1:]) if grants else []
        user._granted_ticket_ids = sorted(ids)  # type: ignore[attr-defined]
    return user._granted_ticket_ids  # type: ignore[attr-defined]


def forget_visibility(user: AbstractBaseUser) -> None:
    """Drop what the request remembered of the user's reach, after a change to it."""
    for name in ("_visible_team_ids", "_granted_ticket_ids"):
        if hasattr(user, name):  # through the request's lazy user, not its own __dict__
            delattr(user, name)


@cache
def _grants() -> tuple[Callable[..., QuerySet[Any]], ...]:
    return tuple(import_string(path) for path in settings.HELPDESK_TICKET_GRANTS)


def ticket_list(*, tickets: QuerySet[Ticket], api_only: bool = False) -> QuerySet[Ticket]:
    """
    Return the tickets with every column the list and detail views print, in a fixed number of
    queries. Downstream apps name their one-to-one rows (the current triage or routing
    decision) in settings.HELPDESK_TICKET_PREFETCH: they are fetched in one query each rather
    than joined, because every extra join multiplies the planner's work on the hot list query.
    With `api_only`, a row whose model names its `API_FIELDS` loads just those columns: a
    decision's explanation data (candidates, facts) can be a hundred times the API's object.
    """
    return (
        tickets.select_related("requester", "organization", "team", "assignee")
        .prefetch_related(
            *(_prefetch(name, api_only) for name in settings.HELPDESK_TICKET_PREFETCH)
        )
        .defer("search_vector")
    )


def _prefetch(name: str, api_only: bool) -> str | Prefetch:
    if not api_only:
        return name
    return Prefetch(name, queryset=api_rows(Ticket._meta.get_field(name)))


def api_rows(relation: Any) -> QuerySet[Any]:
    """
    The rows of one of the ticket's related models, with only the columns the API prints when
    the model names its `API_FIELDS` (and the column that links them to the ticket).
    """
    model = relation.related_model
    api_fields = getattr(model, "API_FIELDS", None)
    rows = model._default_manager.all()
    return rows.only(relation.field.name, *api_fields) if api_fields else rows


def ticket_timeline(*, ticket: Ticket, include_internal: bool) -> list[Message | TicketEvent]:
    """Return the ticket's messages and events, oldest first, in three queries."""
    messages = (
        Message.objects.filter(ticket=ticket)
        .select_related("author_user", "author_contact")
        .prefetch_related("attachments")
    )
    if not include_internal:
        messages = messages.exclude(kind="internal")
    events = TicketEvent.objects.filter(ticket=ticket).select_related("actor")
    return in_time_order(messages, events)


def in_time_order(
    messages: Iterable[Message], events: Iterable[TicketEvent]
) -> list[Message | TicketEvent]:
    """Merge a ticket's messages and events oldest first; a message precedes its own event."""
    entries: list[Message | TicketEvent] = [*messages, *events]
    entries.sort(key=lambda entry: (entry.created_at, isinstance(entry, TicketEvent), entry.pk))
    return entries


def known_message_ids(message_ids: list[str]) -> dict[str, int]:
    """Map the Message-IDs this desk stored or sent to their ticket ids, in two queries."""
    from tickets.models import OutboundEmail

    if not message_ids:
        return {}
    bare = [mid.strip("<>") for mid in message_ids]
    candidates = bare + [f"<{mid}>" for mid in bare]
    found: dict[str, int] = {}
    for mid, ticket_id in OutboundEmail.objects.filter(
        email_message_id__in=candidates
    ).values_list("email_message_id", "ticket_id"):
        found[mid.strip("<>")] = ticket_id
    for mid, ticket_id in Message.objects.filter(email_message_id__in=candidates).values_list(
        "email_message_id", "ticket_id"
    ):
        found.setdefault(mid.strip("<>"), ticket_id)
    return found
