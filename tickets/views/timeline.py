"""Shape the ticket's timeline for the page: the original request, then entries with labels."""

from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model

from tickets.choices import EventKind, MessageKind, TicketStatus
from tickets.models import Message, Team, Ticket, TicketEvent


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
    files: tuple[Any, ...] = ()  # a message's attachments (prefetched)


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


def _names(events: list[TicketEvent]) -> dict[str, dict[int, str]]:
    """Look up every person and team the events name, in two queries whatever their count."""
    user_ids: set[int] = set()
    team_ids: set[int] = set()
    for event in events:
        for side in (event.before, event.after):
            user_ids.update(v for k, v in side.items() if k in USER_FIELDS and isinstance(v, int))
            team_ids.update(v for k, v in side.items() if k in TEAM_FIELDS and isinstance(v, int))
    users = {
        user.pk: user.get_full_name() or user.get_username()
        for user in get_user_model().objects.filter(pk__in=user_ids)
    } if user_ids else {}
    teams = dict(Team.objects.filter(pk__in=team_ids).values_list("pk", "name")) if team_ids else {}
    return {"users": users, "teams": teams}


def split_timeline(
    ticket: Ticket, entries: list[Message | TicketEvent]
) -> tuple[Message | None, list[Entry]]:
    """Return the customer's original message (shown first and verbatim) and the rest."""
    original: Message | None = None
    for entry in entries:
        if isinstance(entry, Message) and entry.from_customer:
            original = entry
            break
    events = [entry for entry in entries if isinstance(entry, TicketEvent)]
    names = _names(events)
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
                              files=tuple(entry.attachments.all())))
        elif entry.kind not in (EventKind.AGENT_REPLIED, EventKind.NOTE_ADDED,
                                EventKind.CUSTOMER_REPLIED):
            # A reply's own event would repeat the message shown just above it.
            rest.append(Entry("event", entry, _changes(entry, names),
                              labels.get(entry.kind, entry.kind)))
    return original, rest
