import pytest
from django.test import Client

from tests.tickets.factories import AgentFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"


def test_sign_in_lands_on_my_queue_and_sign_out_needs_post():
    # given
    AgentFactory(username="ana")
    client = Client()
    # when
    response = client.post("/login/", {"username": "ana", "password": PASSWORD})
    # then
    assert response.status_code == 302
    assert client.get(response["Location"], follow=True).redirect_chain[-1][0] == (
        "/agent/queues/mine/"
    )
    assert client.get("/logout/").status_code == 405
    assert client.post("/logout/").status_code == 302
    assert client.get("/agent/queues/mine/").status_code == 302


def test_pages_need_sign_in():
    response = Client().get("/agent/queues/mine/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=")


def test_repeated_failures_lock_the_account_name_even_with_the_right_password(settings):
    # given
    settings.HELPDESK_LOGIN_RATE = "3/15m"
    AgentFactory(username="ana")
    client = Client()
    for _ in range(3):
        assert client.post("/login/", {"username": "ana", "password": "wrong"}).status_code == 200
    # when
    response = client.post("/login/", {"username": "ANA", "password": PASSWORD})
    # then
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert b"Too many failed sign-ins" in response.content
    assert "_auth_user_id" not in client.session


def test_a_success_clears_the_account_counter(settings):
    settings.HELPDESK_LOGIN_RATE = "3/15m"
    AgentFactory(username="ana")
    client = Client()
    for _ in range(2):
        client.post("/login/", {"username": "ana", "password": "wrong"})
    assert client.post("/login/", {"username": "ana", "password": PASSWORD}).status_code == 302
    client.post("/logout/")
    for _ in range(2):
        client.post("/login/", {"username": "ana", "password": "wrong"})
    assert client.post("/login/", {"username": "ana", "password": PASSWORD}).status_code == 302


def test_login_page_sends_a_csp_without_inline_script():
    response = Client().get("/login/")
    policy = response["Content-Security-Policy"]
    script = next(part for part in policy.split(";") if part.strip().startswith("script-src"))
    assert "'unsafe-inline'" not in script
    assert "'unsafe-eval'" not in script
    assert "default-src 'self'" in policy
    assert response["X-Content-Type-Options"] == "nosniff"
