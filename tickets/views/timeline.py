"""Shape the ticket's timeline for the page: the original request, then entries with labels."""

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model

from tickets.choices import EventKind, MessageKind, TicketStatus
from tickets.models import Attachment, Message, Team, Ticket, TicketEvent
from tickets.selectors import in_time_order


@dataclass(frozen=True)
class Change:
    """One field of an event, as the agent reads it: "Status: Open -> Pending"."""

    field: str
    before: str
    after: str


@dataclass(frozen=True)
class Entry:
    """A message, a note or an event of the timeline."""

    kind: str  # "message", "note", "system" or "event"
    item: Message | TicketEvent
    changes: tuple[Change, ...] = ()
    label: str = ""  # an event's kind, as the agent reads it
    files: tuple[Any, ...] = ()  # a message's attachments (see files_by_message)
    by: str = ""  # who wrote or did it: a contact, a user's name, or "System"


# Events name people and teams by id (handoffs too); the page shows their names.
USER_FIELDS = frozenset({"assignee", "from_agent", "requested_by", "decided_by"})
TEAM_FIELDS = frozenset({"team", "from_team", "to_team"})


def _label(field: str, value: Any, names: dict[str, dict[int, str]]) -> str:
    if value in (None, "", []):
        return "none"
    if field in USER_FIELDS:
        return names["users"].get(value, f"user {value}")
    if field in TEAM_FIELDS:
        return names["teams"].get(value, f"team {value}")
    if isinstance(value, bool):
        return "yes" if value else "no"
    if field == "status":
        try:
            return str(TicketStatus(value).label)
        except ValueError:
            return str(value)
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return str(value)


def _changes(event: TicketEvent, names: dict[str, dict[int, str]]) -> tuple[Change, ...]:
    if event.kind == EventKind.EMAIL_SENT:
        return (Change("to", "", str(event.after.get("to", ""))),)
    if event.kind in (EventKind.AGENT_REPLIED, EventKind.NOTE_ADDED, EventKind.CUSTOMER_REPLIED):
        return ()
    # The message and handoff ids are links between rows, not something the agent reads.
    fields = [name for name in {**event.before, **event.after}
              if name not in ("message", "handoff")]
    return tuple(
        Change(name.replace("_", " "), _label(name, event.before.get(name), names),
               _label(name, event.after.get(name), names))
        for name in fields
    )


# What the page prints of a person; a full user row per entry was a tenth of the page's time.
_PERSON = ("first_name", "last_name", "username")


def _names(entries: list[Message | TicketEvent]) -> dict[str, dict[int, str]]:
    """
    Look up every person and team the entries name (authors, actors, people and teams moved
    between), in two queries whatever their count: a few people write most entries, so one
    row each is read rather than a joined user row per entry.
    """
    user_ids: set[int | None] = set()
    team_ids: set[int] = set()
    for entry in entries:
        user_ids.add(entry.author_user_id if isinstance(entry, Message) else entry.actor_id)
    user_ids.discard(None)
    events = [entry for entry in entries if isinstance(entry, TicketEvent)]
    for event in events:
        for side in (event.before, event.after):
            user_ids.update(v for k, v in side.items() if k in USER_FIELDS and isinstance(v, int))
            team_ids.update(v for k, v in side.items() if k in TEAM_FIELDS and isinstance(v, int))
    users = {
        user.pk: user.get_full_name() or user.get_username()
        for user in get_user_model().objects.filter(pk__in=user_ids).only(*_PERSON)
    } if user_ids else {}
    teams = dict(Team.objects.filter(pk__in=team_ids).values_list("pk", "name")) if team_ids else {}
    return {"users": users, "teams": teams}


def page_timeline(*, ticket: Ticket) -> list[Message | TicketEvent]:
    """
    The ticket's messages and events, oldest first, in two queries and with only the columns
    the page prints; split_timeline names their authors. Files come from the ticket's
    attachment list (see files_by_message), not a prefetch, which clones a queryset per message.
    """
    messages = (
        Message.objects.filter(ticket=ticket).select_related("author_contact")
        .only("kind", "author_user", "author_contact", "body", "original_body", "original_html",
              "created_at", "author_contact__name", "author_contact__email")
    )
    events = TicketEvent.objects.filter(ticket=ticket).only(
        "kind", "actor", "before", "after", "reason_code", "note", "created_at")
    return in_time_order(messages, events)


def files_by_message(attachments: list[Attachment]) -> dict[int, tuple[Attachment, ...]]:
    """Group the ticket's attachments (already loaded for the page) by their message."""
    grouped: dict[int, list[Attachment]] = defaultdict(list)
    for attachment in attachments:
        if attachment.message_id is not None:
            grouped[attachment.message_id].append(attachment)
    return {message_id: tuple(files) for message_id, files in grouped.items()}


def _user(user_id: int | None, names: dict[str, dict[int, str]]) -> str:
    return "System" if user_id is None else names["users"].get(user_id, f"user {user_id}")


def _author(message: Message, names: dict[str, dict[int, str]]) -> str:
    contact = message.author_contact
    if contact is not None:
        return contact.name or contact.email
    return _user(message.author_user_id, names)


def split_timeline(
    ticket: Ticket,
    entries: list[Message | TicketEvent],
    files: dict[int, tuple[Attachment, ...]],
) -> tuple[Message | None, list[Entry]]:
    """Return the customer's original message (shown first and verbatim) and the rest."""
    original: Message | None = None
    for entry in entries:
        if isinstance(entry, Message) and entry.from_customer:
            original = entry
            break
    names = _names(entries)
    kinds = {MessageKind.PUBLIC: "message", MessageKind.INTERNAL: "note",
             MessageKind.SYSTEM: "system"}
    # get_kind_display would rebuild and hash all 30-odd lazily translated labels per entry
    # (a third of a 200-entry page's time); translating each label once per page is enough.
    labels = {value: str(label) for value, label in EventKind.choices}
    rest: list[Entry] = []
    for entry in entries:
        if entry is original:
            continue
        if isinstance(entry, Message):
            rest.append(Entry(kinds.get(entry.kind, "message"), entry,
                              files=files.get(entry.pk, ()), by=_author(entry, names)))
        elif entry.kind not in (EventKind.AGENT_REPLIED, EventKind.NOTE_ADDED,
                                EventKind.CUSTOMER_REPLIED):
            # A reply's own event would repeat the message shown just above it.
            rest.append(Entry("event", entry, _changes(entry, names),
                              labels.get(entry.kind, entry.kind), by=_user(entry.actor_id, names)))
    return original, rest
