"""A real Celery worker runs the escalation sweep: each ticket escalates once, mail goes out."""

from datetime import timedelta

import pytest
from django.utils import timezone

from escalation.escalations.models import Escalation
from escalation.escalations.tasks import sweep as sweep_task
from tests.escalation.policies.conftest import leaf
from tests.tickets.factories import TicketFactory
from tests.tickets.mail.worker import wait_until
from tickets.choices import EventKind, TicketStatus
from tickets.models import OutboundEmail, TicketEvent


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_worker_sweep_escalates_each_ticket_once_and_mails_the_customer(sla_worker, policy):
    policy(leaf("sla.breached", "equals", True), notify_assignee=False, notify_team_lead=False,
           customer_update=True, promised_response_minutes=60)
    due = timezone.now() - timedelta(minutes=5)
    tickets = [TicketFactory(status=TicketStatus.OPEN, sla_due_at=due) for _ in range(3)]
    sla_worker.start()

    sweep_task.delay()
    sweep_task.delay()  # beat again, or a redelivered message: nothing doubles

    def all_mailed() -> bool:
        return OutboundEmail.objects.filter(kind=OutboundEmail.Kind.ESCALATION_UPDATE,
                                            state=OutboundEmail.State.SENT).count() == 3

    wait_until(all_mailed, "every customer update to be sent")
    assert sorted(Escalation.objects.values_list("ticket_id", flat=True)) == sorted(
        t.pk for t in tickets)
    assert TicketEvent.objects.filter(kind=EventKind.ESCALATED).count() == 3
    assert OutboundEmail.objects.filter(kind=OutboundEmail.Kind.ESCALATION_UPDATE).count() == 3
