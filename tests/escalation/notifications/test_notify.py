"""notify(): who is told, on which channels, and that telling twice changes nothing."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from escalation.notifications import tasks
from escalation.notifications.choices import ChannelKind, DeliveryState
from escalation.notifications.models import (
    ChannelPreference,
    Delivery,
    Notification,
    NotificationChannel,
)
from escalation.notifications.services import escalation_line, notify
from tests.tickets.factories import AgentFactory, ContactFactory, TeamFactory, TicketFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def enqueued(monkeypatch) -> list[int]:
    """Record the delivery ids handed to the broker instead of sending them."""
    ids: list[int] = []
    monkeypatch.setattr(tasks.deliver, "delay", ids.append)
    return ids


def _notify(recipients, *, key="sla:1:90", ticket=None, kind="escalation") -> None:
    notify(recipients=recipients, subject="P1 ESCALATION", body="Production API down",
           ticket=ticket, kind=kind, dedupe_key=key)


def test_a_repeated_notify_is_a_no_op(email_channel, enqueued, acme_ticket,
                                      django_capture_on_commit_callbacks):
    # given
    ana, bo = AgentFactory(), AgentFactory()

    # when: the same occurrence is notified twice (a retried task, a second sweep)
    with django_capture_on_commit_callbacks(execute=True):
        _notify([ana, bo], ticket=acme_ticket)
    with django_capture_on_commit_callbacks(execute=True) as second:
        _notify([ana, bo], ticket=acme_ticket)

    # then: one notification and one email per person, enqueued once
    assert sorted(Notification.objects.values_list("recipient__username", flat=True)) == sorted(
        [ana.username, bo.username])
    deliveries = Delivery.objects.all()
    assert sorted(d.address for d in deliveries) == sorted([ana.email, bo.email])
    assert {d.state for d in deliveries} == {DeliveryState.QUEUED}
    assert sorted(enqueued) == sorted(d.pk for d in deliveries)
    assert second == []


def test_deliveries_are_enqueued_only_when_the_callers_transaction_commits(
    email_channel, enqueued, django_capture_on_commit_callbacks
):
    # given
    ana = AgentFactory()

    # when
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        _notify([ana])
        # then: nothing is sent while the caller may still roll back
        assert enqueued == []
    assert enqueued == [Delivery.objects.get().pk]


def test_duplicates_and_inactive_people_in_recipients_are_told_once_or_not_at_all(
    email_channel, enqueued
):
    ana, gone = AgentFactory(), AgentFactory(is_active=False)

    _notify([ana, ana, gone])

    assert list(Notification.objects.values_list("recipient", flat=True)) == [ana.pk]


def test_preferences_choose_the_channels_a_person_gets(email_channel, enqueued):
    # given: SMS is opt-in; Ana opts out of email, Bo opts in to SMS with a number
    sms = NotificationChannel.objects.create(name="SMS", kind=ChannelKind.SMS,
                                             url="https://sms.example/send")
    ana, bo, cy = AgentFactory(), AgentFactory(), AgentFactory()
    ChannelPreference.objects.create(user=ana, channel=email_channel, enabled=False)
    ChannelPreference.objects.create(user=bo, channel=sms, address="+15550100")
    ChannelPreference.objects.create(user=cy, channel=sms, address="")  # no number, no SMS

    # when
    _notify([ana, bo, cy])

    # then: everyone has the in-app row; email by default; SMS where asked for with a number
    assert Notification.objects.count() == 3
    got = set(Delivery.objects.values_list("notification__recipient", "channel__kind", "address"))
    assert got == {
        (bo.pk, ChannelKind.EMAIL, bo.email), (cy.pk, ChannelKind.EMAIL, cy.email),
        (bo.pk, ChannelKind.SMS, "+15550100"),
    }


def test_a_webhook_room_gets_one_post_per_occurrence_however_many_are_told(
    webhook_channel, enqueued
):
    # given
    first, later = [AgentFactory(), AgentFactory()], AgentFactory()

    # when: two people, then a third person for the same occurrence
    _notify(first, key="escalation:7:1")
    _notify([later], key="escalation:7:1")

    # then
    assert Notification.objects.count() == 3
    assert Delivery.objects.filter(channel=webhook_channel).count() == 1


def test_channels_narrowed_by_kind_and_team(enqueued):
    # given
    member, outsider = AgentFactory(), AgentFactory()
    team = TeamFactory(members=[member])
    platform = NotificationChannel.objects.create(
        name="Platform room", kind=ChannelKind.WEBHOOK, url="https://chat.example/hook",
    )
    platform.teams.add(team)
    NotificationChannel.objects.create(name="Digest room", kind=ChannelKind.WEBHOOK,
                                       url="https://chat.example/digest", kinds=["digest"])

    # when: an escalation for someone outside the team, then for a member
    _notify([outsider], key="escalation:1")
    _notify([member], key="escalation:2")

    # then: only the member's occurrence reaches the team's room; the digest room gets none
    posted = list(Delivery.objects.filter(channel__kind=ChannelKind.WEBHOOK)
                  .values_list("channel__name", "notification__recipient"))
    assert posted == [("Platform room", member.pk)]


def test_escalation_line_carries_the_essentials():
    # given
    with time_machine.travel(datetime(2026, 11, 22, 14, 15, tzinfo=UTC), tick=False):
        ticket = TicketFactory(subject="Production API down", priority="P1",
                               organization=None, requester=ContactFactory(name="Ana Silva"))

    # when
    with time_machine.travel(datetime(2026, 11, 22, 15, 0, tzinfo=UTC), tick=False):
        line = escalation_line(ticket=ticket)

    # then
    assert line == (
        "P1 ESCALATION: Production API down for customer Ana Silva since 14:15 UTC. "
        f"View ticket: http://testserver/agent/tickets/{ticket.pk}/"
    )


def test_escalation_line_names_the_tier_and_organisation(acme_ticket):
    line = escalation_line(ticket=acme_ticket, headline="SLA BREACH",
                           since=datetime(2026, 11, 20, 9, 5, tzinfo=UTC))

    assert line.startswith("P1 SLA BREACH: Production API down for Enterprise customer "
                           "Acme Corp since 20 Nov 09:05 UTC. View ticket: http://testserver/")


def test_a_subject_with_line_breaks_is_kept_on_one_line(email_channel, enqueued):
    notify(recipients=[AgentFactory()], subject="P1 ESCALATION:\r\nBcc: everyone@example.com",
           body="down", kind="escalation", dedupe_key="k")

    assert Notification.objects.get().subject == "P1 ESCALATION: Bcc: everyone@example.com"


def test_notify_costs_the_same_queries_for_any_number_of_recipients(email_channel, enqueued):
    NotificationChannel.objects.create(name="Room", kind=ChannelKind.WEBHOOK,
                                       url="https://chat.example/hook")

    def queries_for(people: int) -> int:
        recipients = list(AgentFactory.create_batch(people))
        with CaptureQueriesContext(connection) as captured:
            _notify(recipients, key=f"count:{people}")
        assert Notification.objects.filter(dedupe_key=f"count:{people}").count() == people
        return len(captured)

    assert queries_for(2) == queries_for(25)
