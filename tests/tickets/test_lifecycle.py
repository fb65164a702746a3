import pytest

from tests.tickets.factories import TicketFactory
from tickets.choices import TRANSITIONS, EventKind, TicketStatus
from tickets.exceptions import InvalidTransition
from tickets.models import Ticket, TicketEvent
from tickets.services.lifecycle import change_status, lock_ticket
from tickets.transitions import ensure_transition


def test_every_status_has_a_row():
    assert set(TRANSITIONS) == set(TicketStatus)


@pytest.mark.parametrize("current", list(TicketStatus))
@pytest.mark.parametrize("target", list(TicketStatus))
def test_ensure_transition_follows_the_table(current, target):
    if target in TRANSITIONS[current]:
        ensure_transition(current, target)
    else:
        with pytest.raises(InvalidTransition):
            ensure_transition(current, target)


@pytest.mark.django_db
def test_change_status_sets_timestamps_and_one_event_each(settings):
    settings.HELPDESK_EVENT_HANDLERS = {}  # the spine's own events; handlers add their own
    ticket = TicketFactory(status=TicketStatus.OPEN)
    ticket = change_status(ticket=ticket, status=TicketStatus.SOLVED, actor=None, reason="done")
    assert ticket.solved_at is not None
    ticket = change_status(ticket=ticket, status=TicketStatus.CLOSED, actor=None)
    assert ticket.closed_at is not None
    kinds = list(TicketEvent.objects.filter(ticket=ticket).values_list("kind", flat=True))
    assert kinds == [EventKind.STATUS_CHANGED, EventKind.STATUS_CHANGED]


@pytest.mark.django_db
def test_illegal_transition_changes_nothing():
    ticket = TicketFactory(status=TicketStatus.OPEN)
    with pytest.raises(InvalidTransition):
        change_status(ticket=ticket, status=TicketStatus.NEW, actor=None)
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.OPEN
    assert not TicketEvent.objects.filter(ticket=ticket).exists()


@pytest.mark.django_db
def test_the_locking_read_gives_the_ticket_as_the_orm_reads_it():
    # given a ticket with JSON, list and date fields
    ticket = TicketFactory(custom_fields={"po_number": "PO-7", "seats": 12}, tags=["vip"])
    # when it is read under the lock, then every field equals the ORM's reading
    locked = lock_ticket(ticket)
    read = Ticket.objects.get(pk=ticket.pk)
    fields = [f.attname for f in Ticket._meta.concrete_fields]
    assert {name: getattr(locked, name) for name in fields} == {
        name: getattr(read, name) for name in fields}
    assert locked.custom_fields == {"po_number": "PO-7", "seats": 12}
    assert not locked._state.adding


@pytest.mark.django_db
def test_the_locking_read_of_a_deleted_ticket_raises_does_not_exist():
    ticket = TicketFactory()
    Ticket.objects.filter(pk=ticket.pk).delete()
    with pytest.raises(Ticket.DoesNotExist):
        lock_ticket(ticket)
