import pytest

from tests.tickets.factories import AdminFactory
from tests.tickets.ui.conftest import signed_in
from tickets.models import Macro

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("model", ["macro", "macrouse", "knowledgearticle", "articleuse"])
def test_admin_changelists_work(model):
    client = signed_in(AdminFactory(is_superuser=True))
    assert client.get(f"/admin/tickets/{model}/").status_code == 200


def test_macro_admin_refuses_tags_outside_the_macro_engine():
    client = signed_in(AdminFactory(is_superuser=True))
    refused = client.post("/admin/tickets/macro/add/",
                          {"name": "Leak", "body": "{% debug %}", "active": "on"})
    accepted = client.post("/admin/tickets/macro/add/", {
        "name": "Hello", "body": "Hi {{ requester.first_name }}{% if agent.name %}!{% endif %}",
        "active": "on"})
    assert refused.status_code == 200
    assert "Invalid block tag" in refused.content.decode()
    assert accepted.status_code == 302
    assert list(Macro.objects.values_list("name", flat=True)) == ["Hello"]
