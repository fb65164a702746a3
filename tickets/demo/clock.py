"""Backdate a demo ticket's history so two months of work do not all happen in one minute."""

import random
from datetime import datetime, timedelta

from django.utils import timezone

from tickets.choices import EventKind, MessageKind, TicketStatus
from tickets.models import Message, Ticket, TicketEvent


class Clock:
    """
    The services stamp every row with the real time. The clock notes, at each step, the real
    time and the story's time; `finish` then maps every row written before a mark to that
    mark's story time and rewrites it with a bulk update (which skips auto_now), so the cost is
    a few queries per ticket rather than a few per step.
    """

    def __init__(self, *, ticket: Ticket, start: datetime, now: datetime, rng: random.Random):
        self.ticket = ticket
        self.at = start
        self.now = now
        self.rng = rng
        self._marks: list[tuple[datetime, datetime]] = []
        self.stamp()

    def step(self, *, minutes: tuple[int, int]) -> None:
        """Let some minutes pass, never past now; what was written since the last mark
        happened at the new time."""
        later = self.at + timedelta(minutes=self.rng.randint(*minutes))
        self.at = min(later, self.now - timedelta(seconds=30))
        self.stamp()

    def stamp(self) -> None:
        """Date everything written since the last mark at the story's current time."""
        self._marks.append((timezone.now(), self.at))

    def story_time(self, written_at: datetime) -> datetime:
        for real, story in self._marks:
            if written_at <= real:
                return story
        return self.at

    def finish(self) -> None:
        """Rewrite the ticket's rows to story time and derive the ticket's own times."""
        self.stamp()
        events = self._rewrite(TicketEvent)
        messages = self._rewrite(Message)
        first_reply = min(
            (m.created_at for m in messages
             if m.kind == MessageKind.PUBLIC and m.author_user_id is not None),
            default=None,
        )
        fields = {
            "created_at": self._marks[0][1],
            "updated_at": max(e.created_at for e in events),
            "first_response_at": first_reply,
        }
        status = Ticket.objects.values_list("status", flat=True).get(pk=self.ticket.pk)
        if status in (TicketStatus.SOLVED, TicketStatus.CLOSED):
            fields["solved_at"] = _last_move_to(events, TicketStatus.SOLVED)
        if status == TicketStatus.CLOSED:
            fields["closed_at"] = _last_move_to(events, TicketStatus.CLOSED)
        Ticket.objects.filter(pk=self.ticket.pk).update(**fields)

    def _rewrite(self, model: type[TicketEvent] | type[Message]) -> list:
        rows = list(model.objects.filter(ticket=self.ticket).order_by("pk"))
        for row in rows:
            row.created_at = self.story_time(row.created_at)
        model.objects.bulk_update(rows, ["created_at"])
        return rows


def _last_move_to(events: list[TicketEvent], status: str) -> datetime | None:
    return max(
        (e.created_at for e in events
         if e.kind == EventKind.STATUS_CHANGED and e.after.get("status") == status),
        default=None,
    )
