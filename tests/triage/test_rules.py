"""Admin-edited triage configuration is validated before it can be saved."""

import pytest
from django.core.exceptions import ValidationError

from tests.tickets.factories import AdminFactory
from triage.models import Extractor, TriageRule

pytestmark = pytest.mark.django_db


def test_a_rule_with_an_invalid_regex_is_rejected_with_a_clear_message():
    rule = TriageRule(name="Broken", explanation="Never saved.", category_id="billing",
                      condition={"field": "triage.text", "op": "matches", "value": "refund(("})
    with pytest.raises(ValidationError) as error:
        rule.full_clean()
    message = " ".join(error.value.message_dict["condition"])
    assert "value: invalid regular expression: missing ), unterminated subpattern" in message


def test_an_extractor_with_an_invalid_regex_is_rejected():
    extractor = Extractor(name="Order", pattern=r"order [A-", field="order_id")
    with pytest.raises(ValidationError) as error:
        extractor.full_clean()
    assert error.value.message_dict["pattern"][0].startswith("Invalid regular expression:")


def test_rule_weight_must_be_a_probability():
    rule = TriageRule(name="Heavy", explanation="Too sure.", weight=1.5, condition={})
    with pytest.raises(ValidationError) as error:
        rule.full_clean()
    assert "weight" in error.value.message_dict


def test_the_admin_form_refuses_an_invalid_regex(client):
    # given
    client.force_login(AdminFactory(is_superuser=True))
    # when
    response = client.post("/admin/triage/triagerule/add/", {
        "name": "Broken", "explanation": "Never saved.", "order": 1, "weight": 0.5,
        "condition": '{"field": "triage.text", "op": "matches", "value": "[a-"}',
        "tags": "",
    })
    # then
    assert response.status_code == 200
    assert "invalid regular expression" in response.content.decode()
    assert not TriageRule.objects.filter(name="Broken").exists()
