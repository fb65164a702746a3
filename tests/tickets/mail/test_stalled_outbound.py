"""Mail whose worker died mid-delivery, or whose task was lost, is delivered by the sweep."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from tests.tickets.factories import TicketFactory
from tickets.models import OutboundEmail
from tickets.services.outbound import (
    MAX_ATTEMPTS,
    queue_acknowledgement,
    recover_stalled_outbound,
)
from tickets.tasks import deliver_outbound_email

pytestmark = pytest.mark.django_db


def queued_mail(*, claimed_minutes_ago=None, attempts=0) -> OutboundEmail:
    outbound = queue_acknowledgement(ticket=TicketFactory())
    claimed = timezone.now() - timedelta(minutes=claimed_minutes_ago) if (
        claimed_minutes_ago is not None) else None
    OutboundEmail.objects.filter(pk=outbound.pk).update(sent_at=claimed, attempts=attempts)
    return outbound


def test_a_claim_abandoned_by_a_dead_worker_is_released_and_sent_once():
    # given: claimed 11 minutes ago by a worker that never finished
    outbound = queued_mail(claimed_minutes_ago=11, attempts=1)
    # when
    released = recover_stalled_outbound()
    deliver_outbound_email(outbound.pk)
    deliver_outbound_email(outbound.pk)  # a duplicate task sends nothing more
    # then
    assert released == [outbound.pk]
    outbound.refresh_from_db()
    assert (outbound.state, outbound.attempts) == (OutboundEmail.State.SENT, 2)
    assert len(mail.outbox) == 1


def test_recent_claims_and_fresh_rows_are_left_to_their_workers():
    # given
    in_flight = queued_mail(claimed_minutes_ago=2, attempts=1)
    fresh = queued_mail()
    # when
    released = recover_stalled_outbound()
    # then
    assert released == []
    in_flight.refresh_from_db()
    assert in_flight.sent_at is not None
    assert OutboundEmail.objects.get(pk=fresh.pk).sent_at is None


def test_a_row_whose_task_was_lost_is_delivered_after_five_minutes():
    # given: written, but its delivery task never reached a worker
    lost = queued_mail()
    # when
    with time_machine.travel(timezone.now() + timedelta(minutes=6)):
        released = recover_stalled_outbound()
    # then
    assert released == [lost.pk]


def test_a_row_past_its_attempts_is_marked_failed_not_retried():
    # given
    spent = queued_mail(claimed_minutes_ago=30, attempts=MAX_ATTEMPTS)
    # when
    released = recover_stalled_outbound()
    # then
    assert released == []
    spent.refresh_from_db()
    assert spent.state == OutboundEmail.State.FAILED
    assert mail.outbox == []
