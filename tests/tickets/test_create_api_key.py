from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from tests.tickets.factories import AgentFactory
from tickets.models import ApiKey
from tickets.models.keys import hash_key

pytestmark = pytest.mark.django_db


def test_command_prints_a_working_key_and_stores_only_its_hash():
    out, err = StringIO(), StringIO()
    call_command("create_api_key", "webform", "--scopes", "intake,read", stdout=out, stderr=err)
    raw = out.getvalue().strip()
    key = ApiKey.objects.get(name="webform")
    assert key.scopes == ["intake", "read"]
    assert key.key_hash == hash_key(raw)
    assert raw not in key.key_hash
    assert "shown once" in err.getvalue()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
    assert client.get("/api/v1/tickets/").status_code == 200


def test_key_for_an_agent_acts_as_that_agent():
    agent = AgentFactory(username="mike")
    out = StringIO()
    call_command("create_api_key", "mikes-cli", "--scopes", "agent", "--user", "mike", stdout=out)
    key = ApiKey.objects.get(name="mikes-cli")
    assert (key.user, key.is_integration) == (agent, False)


@pytest.mark.parametrize("scopes", ["admin", "", "intake,root"])
def test_unknown_scopes_are_refused(scopes):
    with pytest.raises(CommandError):
        call_command("create_api_key", "bad", "--scopes", scopes, stdout=StringIO())
    assert not ApiKey.objects.exists()
