"""Each schedule through time: pending, clarification and solved, on calendar and business time."""

from datetime import timedelta

import pytest

from followup.choices import Step, StepReason, StepState, Trigger
from followup.models import FollowupRule, ScheduledStep
from followup.rules import followup_rules
from tests.followup.conftest import T0, make_ticket, sweep_and_send
from tickets.choices import EventKind, TicketStatus
from tickets.models import OutboundEmail
from tickets.services.lifecycle import change_status
from tickets.services.messages import add_customer_message

pytestmark = pytest.mark.django_db


def _emails(ticket, kind):
    return list(OutboundEmail.objects.filter(ticket=ticket, kind=kind).order_by("pk"))


def test_pending_ticket_is_reminded_at_48_hours_and_closed_at_72(clock, owner):
    # given: a ticket put to pending at T0 (the seeded rule: remind at 48 h, close at 72 h)
    ticket = make_ticket(assignee=owner)
    change_status(ticket=ticket, status=TicketStatus.PENDING, actor=owner)
    steps = {s.step: s for s in ScheduledStep.objects.filter(ticket=ticket)}
    assert {k: v.due_at for k, v in steps.items()} == {
        Step.REMINDER: T0 + timedelta(hours=48), Step.CLOSE: T0 + timedelta(hours=72)}
    assert ticket.events.filter(kind=EventKind.FOLLOWUP_SCHEDULED).count() == 1

    # when: 47 hours pass, then: nothing is due yet
    clock.after(hours=47, minutes=59)
    assert sweep_and_send() == {}

    # when: 48 hours pass, then: the reminder goes, once
    clock.after(hours=48, minutes=1)
    assert sweep_and_send() == {steps[Step.REMINDER].pk: StepState.SENT}
    reminder = _emails(ticket, OutboundEmail.Kind.REMINDER)
    assert len(reminder) == 1
    assert "still waiting for your answer" in reminder[0].body
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.PENDING

    # when: 72 hours pass, then: the ticket closes with a note that a reply reopens it
    clock.after(hours=72, minutes=1)
    assert sweep_and_send() == {steps[Step.CLOSE].pk: StepState.SENT}
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.CLOSED
    notice = _emails(ticket, OutboundEmail.Kind.NOTICE)
    assert len(notice) == 1
    assert "reply to this email" in notice[0].body
    closed = ticket.events.get(kind=EventKind.STATUS_CHANGED, after__status="closed")
    assert closed.reason_code == "followup_auto_close"
    sent = ticket.events.filter(kind=EventKind.FOLLOWUP_SENT).values_list("after", flat=True)
    assert sorted((e["step"], e["rule"]) for e in sent) == sorted(
        (s.step, s.rule_id) for s in steps.values())

    # and: later sweeps send nothing more
    clock.after(days=10)
    assert sweep_and_send() == {}
    assert OutboundEmail.objects.filter(ticket=ticket).count() == 2


def test_customer_reply_cancels_the_schedule_and_opens_the_ticket(clock, owner):
    # given: a pending ticket with its reminder and close scheduled
    ticket = make_ticket(assignee=owner)
    change_status(ticket=ticket, status=TicketStatus.PENDING, actor=owner)

    # when: the customer answers after a day
    clock.after(hours=24)
    add_customer_message(ticket=ticket, contact=ticket.requester, body="Here it is.")

    # then: the ticket is open again and nothing is left to send
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.OPEN
    assert set(ScheduledStep.objects.filter(ticket=ticket).values_list("state", "reason")) == {
        (StepState.CANCELLED, StepReason.STATE_CHANGED)}
    clock.after(days=5)
    assert sweep_and_send() == {}
    assert not OutboundEmail.objects.filter(ticket=ticket).exists()


def test_a_ticket_that_leaves_and_reenters_pending_is_chased_from_the_new_start(clock, owner):
    # given: pending at T0, open at T0+10h, pending again at T0+20h
    ticket = make_ticket(assignee=owner)
    change_status(ticket=ticket, status=TicketStatus.PENDING, actor=owner)
    clock.after(hours=10)
    change_status(ticket=ticket, status=TicketStatus.OPEN, actor=owner)
    clock.after(hours=20)
    change_status(ticket=ticket, status=TicketStatus.PENDING, actor=owner)

    # when: the first cycle's reminder time comes
    clock.after(hours=48, minutes=1)

    # then: nothing goes; the second cycle's reminder goes at T0+68h
    assert sweep_and_send() == {}
    clock.after(hours=68, minutes=1)
    sent = sweep_and_send()
    assert list(sent.values()) == [StepState.SENT]
    assert ScheduledStep.objects.get(pk=next(iter(sent))).clock_start == T0 + timedelta(hours=20)


def test_clarification_reminder_and_restart_when_triage_still_waits(clock, settings):
    # given: a ticket awaiting information since T0; triage (left out) keeps it waiting
    settings.HELPDESK_EVENT_HANDLERS = {
        **settings.HELPDESK_EVENT_HANDLERS,
        "customer_replied": ["followup.handlers.on_customer_replied"],
    }
    ticket = make_ticket(status=TicketStatus.NEW)
    change_status(ticket=ticket, status=TicketStatus.AWAITING_INFO, actor=None)
    (reminder,) = ScheduledStep.objects.filter(ticket=ticket)
    assert (reminder.step, reminder.due_at) == (Step.REMINDER, T0 + timedelta(hours=48))

    # when: the customer answers at T0+30h but the ticket still awaits information
    clock.after(hours=30)
    add_customer_message(ticket=ticket, contact=ticket.requester, body="Which details?")

    # then: the old reminder is cancelled and a new one counts from the reply
    reminder.refresh_from_db()
    assert (reminder.state, reminder.reason) == (StepState.CANCELLED, StepReason.CUSTOMER_REPLIED)
    fresh = ScheduledStep.objects.get(ticket=ticket, state=StepState.PENDING)
    assert fresh.due_at == T0 + timedelta(hours=78)
    clock.after(hours=78, minutes=1)
    assert sweep_and_send() == {fresh.pk: StepState.SENT}
    assert "details" in OutboundEmail.objects.get(ticket=ticket,
                                                  kind=OutboundEmail.Kind.REMINDER).body


def test_solved_ticket_closes_after_four_days(clock, owner, followup_settings):
    # given: a solved ticket (surveys off, so only the close is left)
    followup_settings.survey_enabled = False
    followup_settings.save()
    ticket = make_ticket(assignee=owner)
    change_status(ticket=ticket, status=TicketStatus.SOLVED, actor=owner)
    close = ScheduledStep.objects.get(ticket=ticket, step=Step.CLOSE)
    assert close.due_at == T0 + timedelta(days=4)

    # when: three days pass, then: still solved
    clock.after(days=3, hours=23)
    assert sweep_and_send() == {}

    # when: four days pass, then: closed
    clock.after(days=4, minutes=1)
    assert sweep_and_send() == {close.pk: StepState.SENT}
    ticket.refresh_from_db()
    assert (ticket.status, ticket.closed_at) == (TicketStatus.CLOSED, T0 + timedelta(days=4,
                                                                                     minutes=1))


def test_business_time_rule_waits_over_the_weekend(clock, owner):
    # given: the pending rule counted on business hours (Mon-Fri 09:00-17:00 London)
    from escalation.calendars import default_business_calendar

    FollowupRule.objects.filter(trigger=Trigger.PENDING).update(
        calendar=default_business_calendar(), reminder_after=timedelta(hours=16),
        close_after=timedelta(hours=24))
    followup_rules.publish()
    clock.after(days=3, hours=6)  # Thursday 16:00 UTC (16:00 London in March)
    ticket = make_ticket(assignee=owner)

    # when: the ticket goes pending on Thursday at 16:00
    change_status(ticket=ticket, status=TicketStatus.PENDING, actor=owner)

    # then: 16 business hours end Monday at 16:00, 24 on Tuesday at 16:00
    due = dict(ScheduledStep.objects.filter(ticket=ticket).values_list("step", "due_at"))
    assert due == {Step.REMINDER: T0 + timedelta(days=7, hours=6),
                   Step.CLOSE: T0 + timedelta(days=8, hours=6)}


def test_step_is_rechecked_at_send_time(clock, owner):
    # given: a reminder claimed by a sweep
    ticket = make_ticket(assignee=owner)
    change_status(ticket=ticket, status=TicketStatus.PENDING, actor=owner)
    clock.after(hours=49)
    from followup.services.sending import send_step
    from followup.services.sweep import sweep_due_steps

    (claimed,) = sweep_due_steps().claimed

    # when: the ticket moves on before the send task runs (as a raw update, no handler)
    from tickets.models import Ticket

    Ticket.objects.filter(pk=ticket.pk).update(status=TicketStatus.OPEN)

    # then: the send cancels it with a reason and emails nothing
    assert send_step(step_id=claimed) == StepState.CANCELLED
    step = ScheduledStep.objects.get(pk=claimed)
    assert (step.state, step.reason) == (StepState.CANCELLED, StepReason.STATE_CHANGED)
    assert not OutboundEmail.objects.filter(ticket=ticket).exists()
    assert ticket.events.filter(kind=EventKind.FOLLOWUP_CANCELLED).exists()


def test_stale_steps_are_cancelled_by_the_sweep_itself(clock, owner):
    # given: two due reminders, one of whose tickets moved on without its handler
    moved, waiting = make_ticket(assignee=owner), make_ticket(assignee=owner)
    for ticket in (moved, waiting):
        change_status(ticket=ticket, status=TicketStatus.PENDING, actor=owner)
    from tickets.models import Ticket

    Ticket.objects.filter(pk=moved.pk).update(status=TicketStatus.ON_HOLD)
    clock.after(hours=49)

    # when
    from followup.services.sweep import sweep_due_steps

    result = sweep_due_steps()

    # then
    assert result.cancelled == list(moved.followup_steps.filter(step=Step.REMINDER)
                                    .values_list("pk", flat=True))
    assert result.claimed == list(waiting.followup_steps.filter(step=Step.REMINDER)
                                  .values_list("pk", flat=True))
    assert moved.events.get(kind=EventKind.FOLLOWUP_CANCELLED).reason_code == "state_changed"
