"""Manager summaries on hand-built data: the daily digest and the escalation-rate alert."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from escalation.notifications.models import Notification
from escalation.notifications.services.summaries import (
    check_escalation_rate,
    digest_sections,
    escalation_rates,
    send_manager_digest,
)
from tests.tickets.factories import AgentFactory, ManagerFactory, TicketFactory
from tickets.choices import EventKind, TicketStatus
from tickets.models import TicketEvent

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 11, 22, 14, 30, tzinfo=UTC)
HOUR, DAY = timedelta(hours=1), timedelta(days=1)


@pytest.fixture
def managers(db):
    AgentFactory()  # not a manager: gets no summary
    return [ManagerFactory(), ManagerFactory()]


def escalated(ago: timedelta, *, priority: str = "P1", ticket=None) -> TicketEvent:
    ticket = ticket or TicketFactory(priority=priority, status=TicketStatus.OPEN)
    return TicketEvent.objects.create(ticket=ticket, kind=EventKind.ESCALATED,
                                      created_at=NOW - ago)


def test_the_digest_lists_what_managers_must_look_at(managers):
    # given: escalations in and out of the last 24 hours and of P1/P2
    p1 = escalated(3 * HOUR, priority="P1").ticket
    p2 = escalated(20 * HOUR, priority="P2").ticket
    p3 = escalated(2 * HOUR, priority="P3").ticket
    old = escalated(30 * HOUR, priority="P1").ticket
    # escalated tickets past their expected resolution, and ones that are not
    overdue = TicketFactory(status=TicketStatus.OPEN, escalated_at=NOW - DAY,
                            sla_due_at=NOW - HOUR)
    TicketFactory(status=TicketStatus.OPEN, escalated_at=NOW - DAY, sla_due_at=NOW + HOUR)
    TicketFactory(status=TicketStatus.OPEN, sla_due_at=NOW - HOUR)  # never escalated
    TicketFactory(status=TicketStatus.SOLVED, escalated_at=NOW - DAY, sla_due_at=NOW - HOUR)
    # bounced tickets
    bounced = TicketFactory(status=TicketStatus.OPEN, reassignments=3)
    TicketFactory(status=TicketStatus.OPEN, reassignments=2)
    TicketFactory(status=TicketStatus.SOLVED, reassignments=5)

    # when
    with time_machine.travel(NOW, tick=False):
        send_manager_digest(now=NOW)

    # then: one digest per manager, naming exactly the tickets that belong in it
    digests = Notification.objects.filter(kind="digest")
    assert sorted(d.recipient_id for d in digests) == sorted(m.pk for m in managers)
    digest = digests.first()
    assert digest.subject == ("Escalation digest for 2026-11-22: 2 escalations, 1 overdue, "
                              "1 bounced")
    assert digest.dedupe_key == "digest:2026-11-22"
    for ticket in (p1, p2, overdue, bounced):
        assert f"{ticket.reference} [" in digest.body
    for ticket in (p3, old):
        assert f"{ticket.reference} [" not in digest.body
    assert f"http://testserver/agent/tickets/{p1.pk}/" in digest.body


def test_the_digest_goes_out_once_a_day(managers):
    with time_machine.travel(NOW, tick=False):
        send_manager_digest(now=NOW)
        send_manager_digest(now=NOW + HOUR)

    assert Notification.objects.filter(kind="digest").count() == len(managers)


@pytest.mark.parametrize("tickets", [2, 30])  # 30 is past DIGEST_SECTION_LIMIT
def test_the_digest_reads_a_fixed_number_of_queries(tickets, django_assert_num_queries):
    for _ in range(tickets):
        ticket = TicketFactory(status=TicketStatus.OPEN, priority="P2", escalated_at=NOW - DAY,
                               sla_due_at=NOW - HOUR, reassignments=4)
        escalated(HOUR, ticket=ticket)

    with django_assert_num_queries(3):  # one per section, its total counted alongside
        sections = digest_sections(now=NOW)

    assert [s.total for s in sections] == [tickets] * 3


def two_a_day_last_week() -> None:
    """Two escalations a day, 6 h into each of the 7 days before the last one."""
    for days in range(1, 8):
        escalated(days * DAY + 6 * HOUR)
        escalated(days * DAY + 6 * HOUR)


def test_baselines_are_the_mean_rates_of_the_previous_seven_days():
    # given
    two_a_day_last_week()
    for minutes in (10, 20, 30):
        escalated(timedelta(minutes=minutes))

    # when
    hour, day = escalation_rates(now=NOW)

    # then: the hour's baseline window [now-1h-7d, now-1h) holds days 1..6 (12 events) and
    # the day's [now-8d, now-1d) holds all 14
    assert (hour.count, hour.baseline) == (3, 12 / 168)
    assert (day.count, day.baseline) == (3, 2.0)
    assert (hour.anomalous, day.anomalous) == (True, False)


def test_a_busy_hour_alerts_managers_once_per_hour(managers):
    # given
    two_a_day_last_week()
    for minutes in (10, 20, 30):
        escalated(timedelta(minutes=minutes))

    # when: the check runs twice in the same clock hour
    with time_machine.travel(NOW, tick=False):
        check_escalation_rate(now=NOW)
        check_escalation_rate(now=NOW + timedelta(minutes=20))

    # then
    alerts = Notification.objects.filter(kind="anomaly")
    assert alerts.count() == len(managers)
    alert = alerts.first()
    assert alert.dedupe_key == "anomaly:hour:2026-11-22T14"
    assert alert.body.startswith("ESCALATION RATE: 3 escalations in the last hour, over 2x "
                                 "the usual 0.1 per hour")


def test_the_next_hour_may_alert_again(managers):
    two_a_day_last_week()
    for minutes in (10, 20, 30, 70, 80, 90):
        escalated(timedelta(minutes=minutes))  # three in each of the last two hours

    earlier = NOW - HOUR
    with time_machine.travel(NOW, tick=False):
        check_escalation_rate(now=earlier)
        check_escalation_rate(now=NOW)

    keys = set(Notification.objects.filter(kind="anomaly").values_list("dedupe_key", flat=True))
    assert {"anomaly:hour:2026-11-22T13", "anomaly:hour:2026-11-22T14"} <= keys


def test_a_busy_day_alerts_even_when_the_last_hour_was_quiet(managers):
    # given: one escalation a day last week, ten spread over today but none in the last hour
    for days in range(1, 8):
        escalated(days * DAY + 6 * HOUR)
    for hours in range(2, 12):
        escalated(hours * HOUR)

    # when
    with time_machine.travel(NOW, tick=False):
        fired = check_escalation_rate(now=NOW)

    # then
    assert [(rate.window, rate.count, rate.baseline) for rate in fired] == [("day", 10, 1.0)]
    assert set(Notification.objects.values_list("dedupe_key", flat=True)) == {
        "anomaly:day:2026-11-22"}


def test_a_couple_of_escalations_after_a_quiet_week_are_not_an_anomaly(managers):
    escalated(timedelta(minutes=5))
    escalated(timedelta(minutes=15))

    with time_machine.travel(NOW, tick=False):
        assert check_escalation_rate(now=NOW) == []

    assert not Notification.objects.exists()


def test_a_worker_loads_the_ticket_links_before_its_first_message(monkeypatch):
    import importlib

    from escalation.notifications.tasks import load_links

    # given a worker starting up (the handler of Celery's worker_init signal)
    reversed_names = []
    module = importlib.import_module("escalation.notifications.services.notify")
    monkeypatch.setattr(module, "reverse", lambda name, args: reversed_names.append(name))
    # when it runs
    load_links(sender=None)
    # then the ticket link's patterns were loaded, as the digest and every message need them
    assert reversed_names == ["tickets:ticket"]
