"""Every triage model is in the admin, searchable, and rule edits are versioned."""

import pytest

from tests.tickets.factories import AdminFactory
from triage.models import AccountEnrichmentHook, TriageRule

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seeded_rules")]

CHANGELISTS = ["triagerule", "priorityrule", "extractor", "requiredfield", "triagesettings",
               "accountenrichmenthook", "enrichmentcall", "triagedecision", "triageoverride",
               "classifiermodel"]


@pytest.fixture
def admin_client(client):
    client.force_login(AdminFactory(is_superuser=True))
    return client


@pytest.mark.parametrize("model", CHANGELISTS)
def test_each_changelist_opens_and_searches(admin_client, model):
    response = admin_client.get(f"/admin/triage/{model}/", {"q": "billing"})
    assert response.status_code == 200


def test_a_rule_edit_is_kept_in_its_history(admin_client):
    rule = TriageRule.objects.get(name="Refund request")
    rule.weight = 0.5
    rule.save()
    assert list(rule.history.values_list("weight", flat=True))[:1] == [0.5]
    page = admin_client.get(f"/admin/triage/triagerule/{rule.pk}/history/")
    assert page.status_code == 200


def test_the_hook_secret_stays_out_of_the_history():
    hook = AccountEnrichmentHook.objects.create(name="CRM", url="https://crm.example/facts",
                                                secret_value="s3cret")
    record = hook.history.get()
    assert not hasattr(record, "secret_value")
    assert record.url == "https://crm.example/facts"


def test_the_admin_form_refuses_a_private_hook_address(admin_client):
    response = admin_client.post("/admin/triage/accountenrichmenthook/add/", {
        "name": "CRM", "url": "http://127.0.0.1:9000/facts", "secret_header": "X-Key",
        "secret_value": "", "timeout_seconds": 2, "cache_ttl_seconds": 60})
    assert response.status_code == 200
    assert "private or loopback" in response.content.decode()
    assert not AccountEnrichmentHook.objects.exists()
