"""The account-enrichment hook, called against a real HTTP server on 127.0.0.1."""

from datetime import date
from decimal import Decimal
from unittest.mock import patch

import pytest
from django.core.exceptions import ValidationError

from tests.tickets.factories import OrganizationFactory
from tests.tickets.mail.worker import celery_worker, smtp_server, wait_until
from tickets.choices import Tier
from triage.enrichment import enrich_account
from triage.models import AccountEnrichmentHook, EnrichmentCall
from triage.rulebook import publish_rulebook_version
from triage.tasks import enrich_account as enrich_account_task

from .helpers import intake
from .hook_server import hook_endpoint

__all__ = ["celery_worker", "hook_endpoint", "smtp_server"]  # fixtures, for pytest to find

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seeded_rules", "triage_only")]

FACTS = {"plan": "Enterprise Annual", "annual_value": "125000.50", "health_score": 42,
         "at_risk": True, "renewal_date": "2027-03-31"}


def make_hook(endpoint, **fields):
    defaults = {"name": "CRM", "url": endpoint.url, "secret_header": "X-Api-Key",
                "secret_value": "s3cret", "timeout_seconds": 1.0, "cache_ttl_seconds": 600,
                "allow_private_address": True, "enabled": True}
    return AccountEnrichmentHook.objects.create(**{**defaults, **fields})


@pytest.fixture
def org_ticket():
    org = OrganizationFactory(tier=Tier.ENTERPRISE, external_id="acct-9", name="Acme Corp")
    ticket, _ = intake("Invoice question", "Where is my March invoice?",
                       organization_external_id=org.external_id)
    return org, ticket


def test_facts_from_the_endpoint_are_merged_into_the_organisation(hook_endpoint, org_ticket):
    # given
    org, ticket = org_ticket
    hook = make_hook(hook_endpoint)
    hook_endpoint.answer({**FACTS, "favourite_colour": "teal"})
    # when
    call = enrich_account(hook_id=hook.pk, ticket_id=ticket.pk)
    # then
    org.refresh_from_db()
    assert (org.plan, org.annual_value, org.health_score, org.at_risk, org.renewal_date) == (
        "Enterprise Annual", Decimal("125000.50"), 42, True, date(2027, 3, 31))
    assert call.ok
    assert call.status_code == 200
    assert call.rejected == {}
    assert "favourite_colour" not in call.applied
    sent = hook_endpoint.requests[0]
    assert sent["headers"]["X-Api-Key"] == "s3cret"
    assert sent["json"]["requester"]["email"] == "ana@acme.example"
    assert sent["json"]["organization"] == {
        "id": org.pk, "name": "Acme Corp", "external_id": "acct-9", "tier": "enterprise",
        "email_domains": list(org.email_domains)}


def test_facts_of_the_wrong_type_are_rejected_one_by_one(hook_endpoint, org_ticket):
    org, ticket = org_ticket
    hook = make_hook(hook_endpoint)
    hook_endpoint.answer({"plan": "Pro", "health_score": 250, "renewal_date": "soon",
                          "annual_value": "lots"})
    call = enrich_account(hook_id=hook.pk, ticket_id=ticket.pk)
    org.refresh_from_db()
    assert (org.plan, org.health_score, org.renewal_date, org.annual_value) == (
        "Pro", None, None, None)
    assert set(call.rejected) == {"health_score", "renewal_date", "annual_value"}
    assert call.ok


@pytest.mark.parametrize(
    ("answer", "error"),
    [
        ({"status": 500, "raw": b"oops"}, "HTTP 500"),
        ({"raw": b"<html>not json</html>"}, "The answer is not JSON."),
        ({"raw": b"[1, 2]"}, "The answer is not a JSON object."),
        ({"payload": FACTS, "delay": 2.5}, "ReadTimeout"),
    ],
    ids=["server-error", "bad-json", "not-an-object", "timeout"],
)
def test_a_failing_endpoint_is_recorded_and_changes_nothing(hook_endpoint, org_ticket, answer,
                                                             error):
    # given
    org, ticket = org_ticket
    hook = make_hook(hook_endpoint, timeout_seconds=0.5)
    hook_endpoint.answer(answer.get("payload"), status=answer.get("status", 200),
                         raw=answer.get("raw"), delay=answer.get("delay", 0.0))
    # when
    call = enrich_account(hook_id=hook.pk, ticket_id=ticket.pk)
    # then
    org.refresh_from_db()
    assert not call.ok
    assert error in call.error
    assert (org.plan, org.at_risk) == ("", False)
    assert EnrichmentCall.objects.filter(ok=False).count() == 1


def test_a_cached_answer_is_not_fetched_again(hook_endpoint, org_ticket):
    _org, ticket = org_ticket
    hook = make_hook(hook_endpoint)
    hook_endpoint.answer(FACTS)
    first = enrich_account(hook_id=hook.pk, ticket_id=ticket.pk)
    other, _ = intake("Another", "And another question.", organization_external_id="acct-9")
    # when: a second ticket of the same organisation within the TTL
    second = enrich_account(hook_id=hook.pk, ticket_id=other.pk)
    # then
    assert first.ok
    assert second is None
    assert len(hook_endpoint.requests) == 1
    assert EnrichmentCall.objects.count() == 1


def test_a_failure_backs_off_instead_of_calling_again_at_once(hook_endpoint, org_ticket):
    _, ticket = org_ticket
    hook = make_hook(hook_endpoint)
    hook_endpoint.answer(status=503, raw=b"")
    enrich_account(hook_id=hook.pk, ticket_id=ticket.pk)
    assert enrich_account(hook_id=hook.pk, ticket_id=ticket.pk) is None
    assert len(hook_endpoint.requests) == 1


def test_a_private_address_is_refused_unless_allowed(hook_endpoint, org_ticket):
    _, ticket = org_ticket
    hook = make_hook(hook_endpoint, allow_private_address=False)
    call = enrich_account(hook_id=hook.pk, ticket_id=ticket.pk)
    assert not call.ok
    assert "private, loopback" in call.error
    assert hook_endpoint.requests == []


def test_a_redirect_is_not_followed(hook_endpoint, org_ticket):
    _, ticket = org_ticket
    hook = make_hook(hook_endpoint)
    hook_endpoint.answer(redirect_to="http://169.254.169.254/latest/meta-data/")
    call = enrich_account(hook_id=hook.pk, ticket_id=ticket.pk)
    assert (call.ok, call.error) == (False, "HTTP 302")


@pytest.mark.parametrize("url", ["http://127.0.0.1:8080/crm", "http://localhost/crm",
                                 "http://10.1.2.3/crm", "http://[::1]/crm"])
def test_saving_a_private_hook_url_needs_the_box_ticked(url):
    hook = AccountEnrichmentHook(name="CRM", url=url)
    with pytest.raises(ValidationError) as error:
        hook.full_clean()
    assert "private or loopback" in error.value.message_dict["url"][0]
    AccountEnrichmentHook(name="CRM", url=url, allow_private_address=True).full_clean()


def test_intake_enqueues_the_call_after_commit_only_with_an_enabled_hook(
    hook_endpoint, django_capture_on_commit_callbacks
):
    OrganizationFactory(external_id="acct-1")
    with patch("triage.tasks.enrich_account.delay") as delay:
        # given: no hook, then an enabled one
        with django_capture_on_commit_callbacks(execute=True):
            intake("Before", "No hook yet.", organization_external_id="acct-1")
        hook = make_hook(hook_endpoint)
        publish_rulebook_version()
        # when
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            ticket, _ = intake("After", "The hook is on.", organization_external_id="acct-1")
            intake("No account", "Nobody knows me.", email="someone@unknown.example")
        # then: nothing ran inside the transaction; one call is enqueued once it commits
        delay.assert_not_called()
        for callback in callbacks:
            callback()
    delay.assert_called_once_with(hook.pk, ticket.pk)
    assert hook_endpoint.requests == []


def test_the_task_calls_the_service(hook_endpoint, org_ticket):
    org, ticket = org_ticket
    hook = make_hook(hook_endpoint)
    hook_endpoint.answer({"at_risk": True})
    call_id = enrich_account_task(hook.pk, ticket.pk)
    org.refresh_from_db()
    assert org.at_risk is True
    assert EnrichmentCall.objects.get(pk=call_id).applied == {"at_risk": True}
    assert enrich_account_task.name == "triage.enrich_account"


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_enriches_the_account_after_intake(hook_endpoint, celery_worker):
    # given: an enabled hook and an organisation the CRM knows more about
    org = OrganizationFactory(external_id="acct-e2e")
    make_hook(hook_endpoint)
    hook_endpoint.answer(FACTS)
    # when: a ticket is created and committed
    intake("Renewal", "Question about our renewal.", organization_external_id="acct-e2e")
    # then: the worker calls the endpoint and merges its facts, after intake returned
    call = wait_until(lambda: EnrichmentCall.objects.filter(organization=org).first(),
                      "the enrichment call")
    org.refresh_from_db()
    assert call.ok
    assert (org.plan, org.health_score, org.at_risk) == ("Enterprise Annual", 42, True)
