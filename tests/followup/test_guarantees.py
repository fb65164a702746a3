"""Exactly once under duplicate sweeps, retries and restarts; the daily cap per contact."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction

from followup.choices import Step, StepReason, StepState
from followup.models import ScheduledStep
from followup.services.sending import send_step
from followup.services.sweep import CLAIM_LEASE, sweep_due_steps
from tests.followup.conftest import make_ticket, sweep_and_send
from tests.tickets.factories import ContactFactory
from tickets.choices import EventKind, TicketStatus
from tickets.models import OutboundEmail
from tickets.services.lifecycle import change_status

pytestmark = pytest.mark.django_db


def _pending(owner, requester=None):
    ticket = make_ticket(assignee=owner, requester=requester)
    change_status(ticket=ticket, status=TicketStatus.PENDING, actor=owner)
    return ticket


def test_a_second_sweep_and_a_retried_send_add_nothing(clock, owner):
    # given: a due reminder, swept and sent
    ticket = _pending(owner)
    clock.after(hours=49)
    first = sweep_due_steps()
    (step_id,) = first.claimed
    assert send_step(step_id=step_id) == StepState.SENT

    # when: a duplicate sweep runs and the send task is redelivered
    second = sweep_due_steps()
    again = send_step(step_id=step_id)

    # then: one reminder, one FOLLOWUP_SENT event
    assert (second.claimed, again) == ([], "done")
    assert OutboundEmail.objects.filter(ticket=ticket, kind="reminder").count() == 1
    assert ticket.events.filter(kind=EventKind.FOLLOWUP_SENT).count() == 1


def test_a_claim_whose_worker_died_is_sent_once_after_the_lease(clock, owner):
    # given: a reminder claimed by a sweep whose send task was lost with its worker
    ticket = _pending(owner)
    clock.after(hours=49)
    (step_id,) = sweep_due_steps().claimed

    # when: a sweep runs within the lease, then: it leaves the claim alone
    clock.after(hours=49, seconds=CLAIM_LEASE.total_seconds() - 1)
    assert sweep_due_steps().reclaimed == []

    # when: a sweep runs after the lease, then: it re-enqueues the claim, sent exactly once
    clock.after(hours=49, seconds=CLAIM_LEASE.total_seconds() + 1)
    assert sweep_and_send() == {step_id: StepState.SENT}
    clock.after(hours=50)
    assert sweep_and_send() == {}
    assert OutboundEmail.objects.filter(ticket=ticket, kind="reminder").count() == 1


def test_the_database_refuses_a_second_row_for_one_step(owner):
    ticket = _pending(owner)
    step = ScheduledStep.objects.get(ticket=ticket, step=Step.REMINDER)
    step.pk = None
    with pytest.raises(IntegrityError), transaction.atomic():
        step.save()


def test_daily_cap_skips_reminders_beyond_it_but_never_a_close(clock, owner, followup_settings):
    # given: a cap of 2 and one contact with three pending tickets due at once
    followup_settings.daily_cap_per_contact = 2
    followup_settings.save()
    contact = ContactFactory()
    tickets = [_pending(owner, requester=contact) for _ in range(3)]
    other = _pending(owner)

    # when: the reminders are due
    clock.after(hours=49)
    sent = sweep_and_send()

    # then: two reminders go to the contact, the third is recorded as skipped; others unaffected
    reminders = ScheduledStep.objects.filter(step=Step.REMINDER, ticket__in=tickets)
    assert sorted(reminders.values_list("state", flat=True)) == [
        StepState.SENT, StepState.SENT, StepState.SKIPPED]
    skipped = reminders.get(state=StepState.SKIPPED)
    assert skipped.reason == StepReason.DAILY_CAP
    assert skipped.ticket.events.get(kind=EventKind.FOLLOWUP_CANCELLED).reason_code == "daily_cap"
    assert OutboundEmail.objects.filter(to=contact.email, kind="reminder").count() == 2
    assert ScheduledStep.objects.get(ticket=other, step=Step.REMINDER).pk in sent

    # when: the closes are due a day later, then: all three close, the cap notwithstanding
    clock.after(hours=73)
    sweep_and_send()
    for ticket in tickets:
        ticket.refresh_from_db()
    assert {t.status for t in tickets} == {TicketStatus.CLOSED}

    # and: the next day the contact gets reminders again
    fresh = _pending(owner, requester=contact)
    clock.after(hours=73 + 49)
    sweep_and_send()
    assert ScheduledStep.objects.get(ticket=fresh, step=Step.REMINDER).state == StepState.SENT


def test_agent_cancels_a_scheduled_follow_up_with_a_reason(clock, owner):
    from followup.services.scheduling import cancel_step

    ticket = _pending(owner)
    reminder = ScheduledStep.objects.get(ticket=ticket, step=Step.REMINDER)

    cancel_step(step=reminder, actor=owner, reason="Customer is on holiday")

    reminder.refresh_from_db()
    assert (reminder.state, reminder.reason, reminder.note, reminder.cancelled_by) == (
        StepState.CANCELLED, StepReason.AGENT_CANCELLED, "Customer is on holiday", owner)
    event = ticket.events.get(kind=EventKind.FOLLOWUP_CANCELLED)
    assert (event.actor, event.note) == (owner, "Customer is on holiday")
    clock.after(hours=49)
    assert sweep_and_send() == {}
    assert ScheduledStep.objects.filter(ticket=ticket, state="pending").count() == 1
    assert timedelta(hours=72) == (ScheduledStep.objects.get(ticket=ticket, state="pending")
                                   .due_at - reminder.clock_start)
