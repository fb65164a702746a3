"""Dry-running triage rules, the rule set and the classifier, with precision and recall."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.tickets.factories import AdminFactory, TicketFactory
from tickets.choices import TicketStatus
from tickets.models import Ticket, TicketEvent
from triage.dry_run import DEFAULT_LIMIT, dry_run_triage
from triage.models import TriageDecision, TriageOverride, TriageRule

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seeded_rules")]

REFUND = {"field": "triage.text", "op": "contains", "value": "refund"}


def solved(subject, description, category):
    """A ticket an agent answered and solved: its category counts as confirmed."""
    return TicketFactory(subject=subject, description=description, category_id=category,
                         status=TicketStatus.SOLVED, first_response_at=timezone.now())


@pytest.fixture
def window():
    refund = solved("Refund please", "I was charged twice, please refund one.", "refund_request")
    solved("Invoice wrong", "The March invoice shows the wrong amount.", "billing")
    corrected = TicketFactory(subject="Refund of invoice?",
                              description="Is a refund shown on the invoice?",
                              category_id="billing", status=TicketStatus.OPEN)
    TriageOverride.objects.create(ticket=corrected, field="category", before="refund_request",
                                  after="billing")
    unconfirmed = TicketFactory(subject="Refund", description="Where is my refund?",
                                status=TicketStatus.OPEN, category_id="refund_request")
    return {"refund": refund, "corrected": corrected, "unconfirmed": unconfirmed}


@pytest.fixture
def rule():
    return TriageRule.objects.create(name="Refund words", explanation="Mentions a refund.",
                                     condition=REFUND, category_id="refund_request",
                                     weight=0.9, enabled=False)


def test_a_rule_reports_its_matches_with_precision_and_recall(window, rule):
    # when
    row, *_ = dry_run_triage(rules=[rule])
    # then: three tickets mention a refund; of the two an agent confirmed, one is a refund
    assert (row.result.matched, row.result.examined) == (3, 4)
    assert {example.id for example in row.result.examples} == {
        window["refund"].pk, window["corrected"].pk, window["unconfirmed"].pk}
    quality = row.quality
    assert (quality.labelled, quality.predicted, quality.correct, quality.relevant) == (3, 2, 1, 1)
    assert (quality.precision, quality.recall) == (0.5, 1.0)
    example = next(e for e in row.result.examples if e.id == window["corrected"].pk)
    assert (example.predicted, example.confirmed) == ("refund_request", "billing")
    assert example.reasons


def test_the_rule_set_and_the_classifier_are_measured_too(window):
    *_, rule_set, classifier = dry_run_triage()
    assert rule_set.name == "All enabled triage rules"
    assert rule_set.result.examined == 4
    assert rule_set.quality.labelled == 3
    assert rule_set.quality.precision is not None
    # No model trained in this database: the classifier decides nothing.
    assert classifier.result.matched == 0
    assert classifier.quality.precision is None


def test_a_tagging_rule_has_no_precision_and_an_invalid_one_says_why(window):
    tagging = TriageRule.objects.create(name="Tag refunds", explanation="Tags.", condition=REFUND,
                                        tags=["refund"])
    broken = TriageRule(name="Broken", explanation="Bad.", category_id="billing",
                        condition={"field": "triage.text", "op": "matches", "value": "(("})
    broken.save()  # as if edited in SQL: the admin form would refuse it
    tag_row, broken_row, *_ = dry_run_triage(rules=[tagging, broken])
    assert tag_row.result.matched == 3
    assert tag_row.quality is None
    assert broken_row.result is None
    assert "invalid regular expression" in broken_row.error


def test_a_dry_run_changes_nothing(window, rule):
    # given
    def snapshot():
        return (list(Ticket.objects.order_by("pk").values_list("pk", "updated_at", "category",
                                                                 "tags", "priority")),
                TicketEvent.objects.count(), TriageDecision.objects.count(),
                TriageOverride.objects.count(),
                list(TriageRule.objects.order_by("pk").values_list("pk", "fired_count",
                                                                    "enabled")))
    before = snapshot()
    # when
    dry_run_triage(rules=[rule, *TriageRule.objects.filter(enabled=True)])
    # then
    assert snapshot() == before


def test_the_window_is_the_newest_tickets_and_queries_do_not_grow_with_it(rule):
    for n in range(3):
        solved(f"Refund {n}", "refund please", "refund_request")
    with CaptureQueriesContext(connection) as few:
        dry_run_triage(rules=[rule], limit=DEFAULT_LIMIT)
    for n in range(12):
        solved(f"Refund more {n}", "refund please", "refund_request")
    with CaptureQueriesContext(connection) as many:
        rows = dry_run_triage(rules=[rule], limit=10)
    assert len(many.captured_queries) == len(few.captured_queries)
    assert rows[0].result.examined == 10
    assert rows[0].quality.precision == 1.0


def test_the_admin_action_shows_precision_and_recall(client, window, rule):
    # given
    client.force_login(AdminFactory(is_superuser=True))
    # when
    response = client.post("/admin/triage/triagerule/", {
        "action": "dry_run_rules", "_selected_action": [rule.pk]})
    # then
    body = response.content.decode()
    assert response.status_code == 200
    assert "Dry run against the last 500 tickets" in body
    assert "precision 0.500 (1 of 2)" in body
    assert "recall 1.000 (1 of 1)" in body
    assert "All enabled triage rules" in body
    assert "Classifier" in body


def test_the_rule_set_page_takes_a_limit_and_ignores_a_bad_one(client, window):
    client.force_login(AdminFactory(is_superuser=True))
    page = client.get("/admin/triage/triagerule/dry-run/?limit=2").content.decode()
    assert "Dry run against the last 2 tickets" in page
    assert "Matched" in page
    bad = client.get("/admin/triage/triagerule/dry-run/?limit=lots")
    assert bad.status_code == 200
    assert "last 500 tickets" in bad.content.decode()
