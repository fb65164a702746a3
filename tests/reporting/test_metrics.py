"""Every metric on the hand-built desk (conftest), against figures worked out by hand."""

import pytest

from reporting.models import TicketMetrics
from reporting.selectors import metrics as m
from reporting.selectors.base import grouped
from tests.reporting.conftest import NOW


@pytest.fixture
def rows(desk):
    return TicketMetrics.objects.all()


def test_each_ticket_has_one_row_kept_by_its_events(desk, rows):
    t2 = rows.get(ticket=desk.tickets["T2"])
    # then: ana -> bob -> dee is two hops and three owners; solved late, reopened on day 2
    assert (t2.assignee_hops, len(t2.owner_ids)) == (2, 3)
    assert t2.first_response_seconds == 120 * 60  # created +60, dee replied +180
    assert t2.resolution_seconds == 1440 * 60  # re-solved +1500 - created +60
    assert (t2.reopens, t2.reopened_within_7d, t2.resolution_breached) == (1, True, True)
    assert rows.count() == 5


EXPECTED = [
    (m.tickets, 5),
    (m.solved, 3),  # T1, T2, T3
    (m.open_tickets, 2),  # T4 open, T5 new
    (m.first_response_compliance, 1.0),  # 3 answered, none breached by an SLA timer
    (m.resolution_compliance, 2 / 3),  # T2 solved +300 after its due time +180
    (m.breached_now, 1),  # T4 due +240 < now +1560
    (m.near_breach, 1),  # T5 due now + 30 min
    (m.median_first_response, 30.0),  # FRTs 30 (T1), 120 (T2), 10 (T3) -> 10, 30, 120
    (m.p90_first_response, 102.0),  # rank 0.9*(3-1)=1.8 -> 30 + 0.8*(120-30)
    (m.median_resolution, 240.0),  # 240 (T1), 1440 (T2), 60 (T3) -> 60, 240, 1440
    (m.p90_resolution, 1200.0),  # 240 + 0.8*(1440-240)
    (m.median_first_response_business, None),  # no SLA calendar measured these tickets
    (m.p90_first_response_business, None),
    (m.median_resolution_business, None),
    (m.p90_resolution_business, None),
    (m.average_next_response, 60.0),  # T1: customer +120, ana +180; one next response
    (m.escalation_rate, 0.2),  # T3 of 5
    (m.escalated, 1),
    (m.median_time_to_acknowledge, None),  # nobody acknowledged T3's escalation
    (m.reassignments_per_ticket, 0.4),  # T2: ana->bob, bob->dee = 2 hops / 5 tickets
    (m.team_transfers_per_ticket, 0.0),
    (m.many_owners, 1),  # T2: ana, bob, dee
    (m.reopen_rate, 1 / 3),  # T2 reopened 19 h after a solve; T1, T2, T3 ever solved
    (m.repeat_contact_rate, 0.2),  # T5 follows up T1
    (m.csat_average, 3.5),  # (5 + 2) / 2
    (m.csat_satisfied, 0.5),  # 5 of (5, 2) is 4 or more
    (m.csat_responses, 2),
    (m.nps, 0.0),  # promoters 1/2 (10) - detractors 1/2 (3) = 0
    (m.first_contact_resolution, 1 / 3),  # T3 only: T1 had 2 replies, T2 was reopened
    (m.auto_classified, 3),  # T1 rules, T2 classifier, T3 rules (T4 review, T5 caller)
    (m.auto_category_kept, 2),  # cy moved T3 from bug_report to account_access
    (m.triage_precision, 2 / 3),
    (m.manual_review_rate, 0.2),  # T4 of 5
    (m.replies_per_solve, 4 / 3),  # at their last solve: T1 2, T2 1, T3 1
    (m.handoff_requests, 1),  # T4 to Billing, which must accept
    (m.handoff_rejections, 1),
    (m.average_pending_acceptance, 60.0),  # asked +200, rejected +260
    (m.de_escalated, 1),  # escalation de-escalates T3 when it is solved
    (m.open_load, 2),  # T4 (cy), T5 (nobody): the agents page groups it by owner
]


def test_every_metric_on_the_hand_built_desk(rows):
    # when: every metric in one aggregate query
    values = grouped(rows, by=[], metrics=[metric for metric, _ in EXPECTED], now=NOW)[0]
    # then
    assert values == pytest.approx({metric.name: expected for metric, expected in EXPECTED})


def test_every_registered_metric_is_checked_here():
    from reporting.selectors import METRICS

    checked = {metric.name for metric, _ in EXPECTED}
    assert set(METRICS) == checked
