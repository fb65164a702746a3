"""Each intake stage, run through the intake service with the seeded rules."""

import pytest

from tests.tickets.factories import OrganizationFactory
from tickets.choices import Tier
from triage.models import Extractor, TriageDecision, TriageRule
from triage.rulebook import bump_version

from .helpers import intake

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seeded_rules", "triage_only")]


def test_normalised_text_is_stored_on_the_decision_and_the_description_stays_verbatim():
    raw = "Cafe\u0301   menu  is <b>not</b> a problem\r\n\r\n\r\nthanks"
    ticket, _ = intake("  Hello   there ", raw)
    decision = TriageDecision.objects.get(ticket=ticket)
    ticket.refresh_from_db()
    assert ticket.description == raw
    assert decision.normalised_subject == "Hello there"
    assert decision.normalised_text == (
        "Café menu is <b>not</b> a problem\n\nthanks"
    )


def test_language_is_detected_only_when_absent():
    detected, _ = intake("Problema con la factura", "Hola, la factura de marzo está mal.")
    given, _ = intake("Problema con la factura", "Hola, la factura tiene un error.", language="pt")
    detected.refresh_from_db()
    given.refresh_from_db()
    assert detected.language == "es"
    assert given.language == "pt"
    assert TriageDecision.objects.get(ticket=detected).detected_language == "es"


def test_extractors_fill_custom_fields_the_caller_left_out():
    Extractor.objects.create(name="Case", pattern=r"case\s+(C\d+)", field="case_id")
    ticket, _ = intake("Where is my order", "Order #A-10234 never arrived, see case C991. INV-2041",
                       custom_fields={"invoice_id": "given"})
    ticket.refresh_from_db()
    assert ticket.custom_fields == {"invoice_id": "given", "order_id": "A-10234", "case_id": "C991"}
    assert TriageDecision.objects.get(ticket=ticket).extracted == {
        "order_id": "A-10234", "case_id": "C991"}


def test_tags_come_from_form_selections_and_the_account():
    org = OrganizationFactory(tier=Tier.ENTERPRISE, plan="Gold Annual", at_risk=True,
                              external_id="acct-1")
    ticket, _ = intake("Question", "Where can I find the changelog?", tags=["vip"],
                       impact=["blocked_workflow"], product_area="Billing Portal",
                       organization_external_id=org.external_id)
    ticket.refresh_from_db()
    assert ticket.tags == ["vip", "impact-blocked-workflow", "area-billing-portal",
                           "tier-enterprise", "plan-gold-annual", "at-risk"]


def test_sentiment_is_a_fact_rules_can_test():
    TriageRule.objects.create(
        name="Angry customer", explanation="The customer is very unhappy.", enabled=True,
        weight=0.0, tags=["angry"], order=1,
        condition={"field": "ticket.sentiment", "op": "lt", "value": -0.5})
    bump_version()
    angry, angry_triage = intake("Terrible", "This is awful, worst support ever. I am furious 😡")
    _, calm_triage = intake("Thanks", "Thank you, everything works great now 😊")
    angry.refresh_from_db()
    assert angry_triage["sentiment"] < -0.5 < calm_triage["sentiment"]
    assert "angry" in angry.tags
    assert "Angry customer" in [rule["name"] for rule in angry_triage["rules"]]


@pytest.mark.parametrize(
    ("subject", "body", "tier", "impact", "category", "priority", "severity"),
    [
        ("Charged twice?", "Hi, there is a charge I don't recognise on my invoice.",
         Tier.SMB, [], "billing", "P3", "medium"),
        ("Site down", "Your app is down for everyone here, 502 bad gateway.", Tier.SMB,
         ["outage"], "service_outage", "P1", "critical"),
        ("SSO", "Our managers can't log in with SSO this morning.", Tier.ENTERPRISE, [],
         "account_access", "P2", "high"),
        ("Idea", "It would be great to have a dark mode.", Tier.SELF_SERVE, [],
         "feature_request", "P4", "low"),
    ],
)
def test_classify_sets_category_and_default_priority(subject, body, tier, impact, category,
                                                     priority, severity):
    org = OrganizationFactory(tier=tier, external_id=f"acct-{tier}")
    ticket, triage = intake(subject, body, impact=impact, organization_external_id=org.external_id)
    ticket.refresh_from_db()
    assert (ticket.category_id, ticket.priority, ticket.severity) == (category, priority, severity)
    assert triage["category"] == category
    assert triage["needs_review"] is False
    assert triage["confidence"] >= 0.6
    assert triage["rules"][0]["explanation"]


def test_low_confidence_goes_to_manual_review_without_a_guess():
    ticket, triage = intake("Hello", "Something about the thing from yesterday.")
    ticket.refresh_from_db()
    decision = TriageDecision.objects.get(ticket=ticket)
    assert ticket.category_id is None
    assert {key: triage[key] for key in ("category", "confidence", "needs_review")} == {
        "category": None, "confidence": 0.0, "needs_review": True}
    # Only the priority default fired: no classification rule, so no category is guessed.
    assert [rule["name"] for rule in triage["rules"]] == ["P3: everything else"]
    assert decision.explanation.startswith("Manual review")


def test_competing_categories_are_reviewed_with_the_candidates_shown():
    TriageRule.objects.create(name="Widget", explanation="Mentions widgets.", enabled=True,
                              category_id="bug_report", weight=0.9,
                              condition={"field": "triage.text", "op": "contains",
                                         "value": "widget"})
    bump_version()
    ticket, triage = intake("Widget invoice", "The widget invoice from March.")
    decision = TriageDecision.objects.get(ticket=ticket)
    assert triage["needs_review"] is True
    assert set(decision.candidates) == {"billing", "bug_report"}
    assert "candidates" in decision.explanation


def test_a_category_the_caller_gave_is_kept():
    ticket, triage = intake("Site down", "Everything is down, 503 everywhere.", category="general")
    ticket.refresh_from_db()
    assert ticket.category_id == "general"
    assert (triage["category"], triage["confidence"]) == ("general", 1.0)


@pytest.mark.parametrize(
    ("subject", "body", "category"),
    [
        ("Reembolso", "Hola, cancelé la suscripción y me cobraron otra vez. Quiero un reembolso.",
         "refund_request"),
        ("Mot de passe", "Bonjour, je n'arrive pas à me connecter, mot de passe refusé.",
         "account_access"),
        ("Ausfall", "Die Plattform ist seit 8 Uhr nicht erreichbar.", "service_outage"),
        ("Fattura", "Buongiorno, non trovo la fattura di febbraio.", "billing"),
    ],
)
def test_non_english_tickets_are_classified(subject, body, category):
    _, triage = intake(subject, body)
    assert triage["category"] == category


def test_emoji_and_right_to_left_text_are_handled():
    ticket, triage = intake("لا أستطيع الدخول 😢",
                            "مرحبا، لا أستطيع تسجيل الدخول إلى حسابي 🙏 שלום")
    ticket.refresh_from_db()
    decision = TriageDecision.objects.get(ticket=ticket)
    assert ticket.language == "ar"
    assert "🙏" in decision.normalised_text
    assert triage["needs_review"] is True  # no Arabic rules: a human decides


def test_an_almost_empty_body_is_reviewed():
    ticket, triage = intake("?", ".")
    assert triage["needs_review"] is True
    assert TriageDecision.objects.get(ticket=ticket).sentiment is None


def test_a_huge_body_is_triaged_on_its_opening():
    body = "My invoice INV-99881 is wrong. " + ("lorem ipsum dolor sit amet " * 2500)[:65_000]
    ticket, triage = intake("Invoice", body)
    ticket.refresh_from_db()
    assert len(body) > 65_000
    assert triage["category"] == "billing"
    assert ticket.custom_fields["invoice_id"] == "INV-99881"
