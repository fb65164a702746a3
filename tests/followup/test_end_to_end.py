"""
A real Celery worker process sends the pending reminder and the auto-close through a real
SMTP server: the test commits due steps, enqueues one sweep, and reads the inbox.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from followup.choices import StepState
from followup.models import FollowupRule, FollowupSettings, ScheduledStep
from followup.tasks import sweep_followups
from tests.followup.conftest import make_ticket
from tests.tickets.mail.worker import celery_worker, smtp_server, wait_until
from tickets.choices import EventKind, TicketStatus
from tickets.models import OutboundEmail, TicketEvent
from tickets.services.lifecycle import change_status

__all__ = ["celery_worker", "smtp_server"]  # fixtures, imported for pytest to find


def _backdate(ticket, hours: float) -> None:
    """Move the ticket's pending clock into the past, as if it had waited `hours`."""
    earlier = timezone.now() - timedelta(hours=hours)
    for step in ScheduledStep.objects.filter(ticket=ticket):
        waited = step.due_at - step.clock_start
        ScheduledStep.objects.filter(pk=step.pk).update(clock_start=earlier,
                                                        due_at=earlier + waited)


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_worker_sends_reminder_then_closes_through_smtp(celery_worker, smtp_server):
    inbox, _ = smtp_server
    FollowupSettings.objects.get_or_create()
    assert FollowupRule.objects.filter(trigger="pending", enabled=True).exists()

    # given: a pending ticket whose 48 hours have passed (but not 72)
    ticket = make_ticket(subject="Export fails")
    change_status(ticket=ticket, status=TicketStatus.PENDING, actor=None)
    _backdate(ticket, hours=49)

    # when: beat's sweep runs on the worker
    sweep_followups.delay()

    # then: the reminder arrives, in the ticket's thread, with the customer's link
    reminder = inbox.wait_for(lambda m: "still waiting" in m.get_content(), "the reminder")
    assert reminder["To"] == ticket.requester.email
    assert reminder["Subject"] == f"Re: [{ticket.reference}] Export fails"
    assert reminder["In-Reply-To"] == f"<first.{ticket.pk}@c>"
    assert "/support/tickets/" in reminder.get_content()

    # when: 73 hours have passed and beat sweeps again (twice, as a duplicate would)
    _backdate(ticket, hours=73)
    sweep_followups.delay()
    sweep_followups.delay()

    # then: the closing note arrives once and the ticket is closed
    inbox.wait_for(lambda m: "closed this ticket" in m.get_content(), "the closing note")
    wait_until(lambda: ticket.__class__.objects.get(pk=ticket.pk).status == "closed",
               "the ticket to close")
    wait_until(lambda: TicketEvent.objects.filter(ticket=ticket,
                                                  kind=EventKind.EMAIL_SENT).count() == 2,
               "both emails recorded as sent")
    assert len(inbox.messages) == 2
    assert set(ScheduledStep.objects.filter(ticket=ticket).values_list("state", flat=True)) \
        == {StepState.SENT}
    assert set(OutboundEmail.objects.filter(ticket=ticket).values_list("kind", "state")) == {
        ("reminder", "sent"), ("notice", "sent")}
