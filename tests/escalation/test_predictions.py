"""Likely breaches: raised once, before the percentage levels, from the team's pace."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from escalation.calendars import always_open_calendar
from escalation.models import SlaPolicy, SlaTarget, SlaTimer
from escalation.notifications.models import Notification
from escalation.services.alerts import tell_likely_breaches
from escalation.services.clocks import start_cycle
from escalation.services.predictions import raise_likely_breaches, retell_untold_predictions
from escalation.services.sweep import sweep_sla
from tests.routing.factories import agent_in, team_name
from tests.tickets.factories import TeamFactory, TeamLeadFactory
from tickets.choices import EventKind
from tickets.models import Ticket, TicketEvent

pytestmark = pytest.mark.django_db
CREATED = datetime(2026, 3, 2, 10, tzinfo=UTC)


@pytest.fixture
def queue(intake, monkeypatch):
    """Six tickets due in 60 min for a team of one available agent at 15 min a ticket."""
    monkeypatch.setattr("escalation.tasks.notify_likely_breaches.delay", lambda ids: None)
    policy = SlaPolicy.objects.create(
        name="One hour", explanation="x", order=1, enabled=True,
        condition={"field": "ticket.priority", "op": "equals", "value": "P2"})
    SlaTarget.objects.create(policy=policy, metric="first_response", minutes=60,
                             calendar=always_open_calendar(), pause_statuses=["pending"])
    lead = TeamLeadFactory()
    team = TeamFactory(name=team_name("Billing"), lead=lead)
    agent_in(team)
    with time_machine.travel(CREATED, tick=False):
        tickets = [intake("P2") for _ in range(6)]
    Ticket.objects.filter(pk__in=[t.pk for t in tickets]).update(team=team)
    return {"tickets": tickets, "lead": lead}


def test_tickets_the_team_cannot_reach_in_time_are_raised_once(
    queue, django_capture_on_commit_callbacks
):
    # when the forecast runs right after the tickets arrived
    with time_machine.travel(CREATED + timedelta(minutes=1), tick=False), \
            django_capture_on_commit_callbacks(execute=True):
        first = raise_likely_breaches(now=CREATED + timedelta(minutes=1), limit=500)
    # then from the 4th in the queue on (answered 61, 76 and 91 min after creation) they are
    # likely to breach
    tickets = queue["tickets"]
    raised = set(TicketEvent.objects.filter(kind=EventKind.SLA_PREDICTED_BREACH)
                 .values_list("ticket_id", flat=True))
    assert raised == {ticket.pk for ticket in tickets[3:]}
    assert len(first) == 3
    # and a later run raises nothing again
    with time_machine.travel(CREATED + timedelta(minutes=2), tick=False):
        assert raise_likely_breaches(now=CREATED + timedelta(minutes=2), limit=500) == []
    # the team lead hears of each once
    tell_likely_breaches(timer_ids=first)
    tell_likely_breaches(timer_ids=first)
    assert Notification.objects.filter(recipient=queue["lead"],
                                       kind="sla_likely_breach").count() == 3


def test_no_forecast_once_a_percentage_level_has_spoken(queue):
    # at 50 min the 75 % level has fired for all six: the prediction comes too late to help
    moment = CREATED + timedelta(minutes=50)
    with time_machine.travel(moment, tick=False):
        assert len(sweep_sla(now=moment).warned[75]) == 6
        assert raise_likely_breaches(now=moment, limit=500) == []


def test_the_pace_counts_tickets_answered_this_week_among_those_created_in_two_weeks():
    # given a team's tickets first answered in the last week: one after 30 minutes, one
    # after 2 hours, and one created three weeks ago, answered only yesterday
    from django.core.cache import cache

    from escalation.services.predictions import handling_seconds
    from tests.tickets.factories import TicketFactory

    now = datetime(2026, 3, 20, 12, tzinfo=UTC)
    team = TeamFactory(name=team_name("Pace"))
    for created, waited in ((now - timedelta(days=2), timedelta(minutes=30)),
                            (now - timedelta(days=3), timedelta(hours=2)),
                            (now - timedelta(days=21), timedelta(days=20))):
        ticket = TicketFactory(team=team)
        Ticket.objects.filter(pk=ticket.pk).update(created_at=created,
                                                   first_response_at=created + waited)
    cache.delete("escalation:handling-seconds")
    # when the pace is read
    pace = handling_seconds(now=now)
    # then the forgotten ticket does not stand for the team's pace: (30 + 120) / 2 minutes
    assert pace[team.pk] == 75 * 60


def test_clocks_due_at_the_same_moment_are_ranked_in_order_of_arrival(queue):
    # given: six clocks due at the same moment, those of the first three written again since
    # (so a scan of the table or of its due-time index meets them last)
    tickets = queue["tickets"]
    rewritten = list(SlaTimer.objects.filter(ticket__in=tickets[:3]))
    SlaTimer.objects.filter(pk__in=[timer.pk for timer in rewritten]).delete()
    for timer in rewritten:
        timer.pk = None
    SlaTimer.objects.bulk_create(rewritten)
    # when
    moment = CREATED + timedelta(minutes=1)
    with time_machine.travel(moment, tick=False):
        raise_likely_breaches(now=moment, limit=500)
    # then: the three that came last are the ones the team cannot reach in time
    raised = set(TicketEvent.objects.filter(kind=EventKind.SLA_PREDICTED_BREACH)
                 .values_list("ticket_id", flat=True))
    assert raised == {ticket.pk for ticket in tickets[3:]}


def test_a_likely_breach_whose_telling_was_lost_is_told_later_and_once(
    queue, django_capture_on_commit_callbacks
):
    # given: three likely breaches raised at 10:01, their task lost (the fixture drops it)
    raised_at = CREATED + timedelta(minutes=1)
    with time_machine.travel(raised_at, tick=False):
        raised = raise_likely_breaches(now=raised_at, limit=500)
    # when the forecast runs within two minutes, then nothing is enqueued again yet
    with django_capture_on_commit_callbacks(execute=False) as early:
        assert retell_untold_predictions(now=raised_at + timedelta(seconds=60), limit=500) == []
    assert early == []
    # when it runs later, then the three are enqueued again, on commit
    later = raised_at + timedelta(minutes=3)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        retold = retell_untold_predictions(now=later, limit=500)
    assert sorted(retold) == sorted(raised)
    assert len(callbacks) == 1
    # and once a worker told the lead, they are neither told twice nor enqueued again
    assert tell_likely_breaches(timer_ids=retold) == 3
    assert tell_likely_breaches(timer_ids=retold) == 3  # a redelivered task: deduped below
    assert Notification.objects.filter(recipient=queue["lead"],
                                       kind="sla_likely_breach").count() == 3
    assert retell_untold_predictions(now=later + timedelta(hours=1), limit=500) == []


def test_a_new_cycle_forgets_that_the_last_one_was_told(queue):
    # given: a likely breach raised and told
    raised_at = CREATED + timedelta(minutes=1)
    with time_machine.travel(raised_at, tick=False):
        [timer_id, *_] = raise_likely_breaches(now=raised_at, limit=500)
    tell_likely_breaches(timer_ids=[timer_id])
    timer = SlaTimer.objects.get(pk=timer_id)
    assert timer.predicted_told_at is not None
    # when the metric starts again (the customer wrote after an answer)
    start_cycle(timer, start=raised_at, now=raised_at, running=True)
    # then the next forecast may raise and tell it afresh
    assert (timer.predicted_breach_at, timer.predicted_told_at) == (None, None)
