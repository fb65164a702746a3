"""The learned classifier, similar tickets, and per-message sentiment."""

import pytest

from tests.tickets.factories import TicketFactory
from tickets.choices import TicketStatus
from tickets.services.messages import add_customer_message
from triage.classifier import Scorer, features, predict, train
from triage.learning import labelled_examples, retrain_classifier
from triage.models import ClassifierModel, MessageSentiment, SimilarTicket
from triage.rulebook import bump_version
from triage.services import sentiment_trend
from triage.similar import find_similar_tickets
from triage.tasks import after_triage

from .helpers import intake

pytestmark = pytest.mark.django_db


def test_the_labelled_set_is_large_varied_and_covers_every_category():
    rows = labelled_examples()
    assert len(rows) >= 400
    assert {row["category"] for row in rows} == {
        "billing", "bug_report", "feature_request", "account_access", "onboarding",
        "service_outage", "refund_request", "general"}
    assert len({row["language"] for row in rows}) >= 6
    assert all({"subject", "description", "severity", "priority"} <= set(row) for row in rows)


def test_pure_python_scoring_matches_scikit_learn():
    rows = labelled_examples()[::3]
    texts = [f"{r['subject']}\n{r['description']}" for r in rows]
    labels = [r["category"] for r in rows]
    weights, accuracy = train(texts, labels)
    scorer = Scorer.from_weights(weights)
    # the same model refitted in scikit-learn gives the same probabilities
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    vectorizer = TfidfVectorizer(analyzer=features, sublinear_tf=True, max_features=6000, min_df=2)
    model = LogisticRegression(max_iter=2000, C=8.0).fit(vectorizer.fit_transform(texts), labels)
    sample = "I was charged twice and want my money back"
    expected = dict(zip(model.classes_, model.predict_proba(vectorizer.transform([sample]))[0],
                        strict=True))
    got = scorer.probabilities(sample)
    assert all(abs(got[name] - expected[name]) < 1e-3 for name in expected)
    assert accuracy is not None
    assert accuracy > 0.5


def test_retraining_stores_a_model_that_intake_uses_when_no_rule_is_confident(
    settings, triage_only
):
    # given: no rules at all, so only the classifier can decide
    model = retrain_classifier()
    bump_version()
    assert model is not None
    assert model.size >= 400
    assert model.active
    assert ClassifierModel.objects.filter(active=True).count() == 1
    # when
    _, triage = intake("Money back", "I cancelled but you charged me again, I want a refund.")
    # then
    assert triage["category"] == "refund_request"
    assert predict(None, "anything") == {}


def test_similar_open_tickets_are_stored_with_scores():
    older = TicketFactory(subject="Invoice shows wrong VAT amount",
                          description="The VAT on invoice INV-1 is wrong.",
                          status=TicketStatus.OPEN)
    TicketFactory(subject="Dark mode please", description="Add a dark theme.",
                  status=TicketStatus.OPEN)
    TicketFactory(subject="Wrong VAT on invoice", description="VAT amount wrong.",
                  status=TicketStatus.SOLVED)
    new = TicketFactory(subject="VAT amount wrong on my invoice",
                        description="Please fix the VAT on the invoice.")
    found = find_similar_tickets(ticket=new, days=30)
    assert [row.similar_id for row in found] == [older.pk]
    assert found[0].score > 0
    assert SimilarTicket.objects.filter(ticket=new).count() == 1


@pytest.mark.usefixtures("seeded_rules", "triage_only")
def test_each_customer_message_is_scored_and_the_trend_kept():
    ticket, _ = intake("Broken", "This is terrible, the export is broken again and I am furious!")
    after_triage(ticket.pk, True)
    add_customer_message(ticket=ticket, contact=ticket.requester,
                         body="Thanks, that fixed it, great help 😊")
    scores = list(MessageSentiment.objects.filter(ticket=ticket).order_by("pk")
                  .values_list("score", flat=True))
    assert len(scores) == 2
    assert scores[0] < 0 < scores[1]
    assert sentiment_trend(ticket=ticket) > 1.0
