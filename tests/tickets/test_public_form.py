import re
import threading
import time

import pytest
from django.core import signing
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client

from tickets.choices import Channel, EventKind
from tickets.models import Attachment, Contact, Message, Organization, Ticket, TicketEvent
from tickets.tasks import send_acknowledgement
from tickets.views.guards import claim_form_token, read_form_token
from tickets.views.public import CONFIRMATION_SALT

pytestmark = pytest.mark.django_db(transaction=False)

FORM_URL = "/support/new/"
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00"
    b"\x00\x00\x00IEND\xaeB`\x82"
)


def fresh_token(client: Client) -> str:
    """Return the one-time token of a newly rendered form."""
    html = client.get(FORM_URL).content.decode()
    match = re.search(r'name="form_token" value="([^"]+)"', html)
    assert match, html
    return match.group(1)


def form_data(token: str, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "form_token": token,
        "subject": "  Charged twice for annual plan  ",
        "description": "Hi, my card was charged twice on March 15.",
        "name": "Ana Silva",
        "email": "ana@acme.example",
        "phone": "+1 555 0100",
        "organization": "Acme Corp",
        "product_area": "billing portal",
        "impact": ["billing", "blocked_workflow"],
        "website": "",
    }
    data.update(changes)
    return data


def submit(client: Client, **changes: object):
    return client.post(FORM_URL, form_data(fresh_token(client), **changes))


def test_form_page_renders_labelled_fields_and_a_hidden_honeypot(client):
    # when
    response = client.get(FORM_URL)
    # then
    assert response.status_code == 200
    html = response.content.decode()
    for field in ("subject", "description", "name", "email", "phone", "organization"):
        assert f'<label for="id_{field}">' in html
    assert 'type="file" name="attachments" multiple' in html
    assert '<div class="hp" aria-hidden="true">' in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert "no-store" in response["Cache-Control"]


def test_submission_creates_a_web_form_ticket_with_attachments(
    client, django_capture_on_commit_callbacks
):
    # given
    acme = Organization.objects.create(name="Acme Corporation", email_domains=["acme.example"])
    files = [
        SimpleUploadedFile("screenshot.txt", PNG, content_type="text/plain"),
        SimpleUploadedFile("notes.txt", b"steps to reproduce", content_type="image/gif"),
    ]
    # when
    with django_capture_on_commit_callbacks() as callbacks:
        response = submit(client, attachments=files)
    # then
    ticket = Ticket.objects.get()
    assert response.status_code == 302
    assert response["Location"].startswith("/support/submitted/")
    assert ticket.channel == Channel.WEB_FORM
    assert ticket.subject == "Charged twice for annual plan"
    assert ticket.impact == ["billing", "blocked_workflow"]
    assert ticket.product_area == "billing portal"
    assert (ticket.requester.email, ticket.requester.name) == ("ana@acme.example", "Ana Silva")
    assert ticket.organization == acme  # matched by email domain, never created from the form
    assert ticket.custom_fields == {"organization_name": "Acme Corp"}
    assert Message.objects.get().body == "Hi, my card was charged twice on March 15."
    assert TicketEvent.objects.filter(kind=EventKind.CREATED).count() == 1
    stored = dict(Attachment.objects.values_list("filename", "content_type"))
    assert stored == {"screenshot.txt": "image/png", "notes.txt": "text/plain"}
    # the acknowledgement email is enqueued once the ticket is committed, as for the API
    queued = [(cb.func, cb.args) for cb in callbacks if hasattr(cb, "func")]
    assert (send_acknowledgement.delay, (ticket.pk,)) in queued


def test_confirmation_page_shows_the_reference(client):
    # given
    response = submit(client)
    ticket = Ticket.objects.get()
    # when
    page = client.get(response["Location"])
    # then
    assert page.status_code == 200
    html = page.content.decode()
    assert f"HD-{ticket.pk}" in html
    assert "a***@acme.example" in html
    assert "on its way" in html


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"email": "not-an-email"}, "email"),
        ({"subject": "    "}, "subject"),
        ({"subject": "x" * 256}, "subject"),
        ({"description": "   \n  "}, "description"),
        ({"description": "x" * 65_537}, "description"),
        ({"name": ""}, "name"),
        ({"impact": ["boredom"]}, "impact"),
    ],
)
def test_invalid_input_re_renders_with_errors_and_creates_nothing(client, change, field):
    # when
    response = submit(client, **change)
    # then
    assert response.status_code == 200
    assert field in response.context["form"].errors
    html = response.content.decode()
    assert f'id="id_{field}_error"' in html
    assert 'class="error-summary"' in html
    # what the person typed is still there
    assert 'value="Ana Silva"' in html or field == "name"
    assert not Ticket.objects.exists()
    assert not Contact.objects.exists()


def test_too_large_attachment_is_a_form_error(client, settings):
    # given
    settings.HELPDESK_MAX_ATTACHMENT_SIZE = 1024
    big = SimpleUploadedFile("dump.bin", b"x" * 1025)
    # when
    response = submit(client, attachments=[big])
    # then
    assert response.status_code == 200
    assert response.context["form"].errors["attachments"] == ["dump.bin is larger than 1.0\xa0KB."]
    assert not Ticket.objects.exists()


def test_more_than_ten_attachments_is_a_form_error(client):
    files = [SimpleUploadedFile(f"f{i}.txt", b"x") for i in range(11)]
    response = submit(client, attachments=files)
    assert response.status_code == 200
    assert response.context["form"].errors["attachments"] == ["Attach at most 10 files."]
    assert not Ticket.objects.exists()


def test_filled_honeypot_looks_like_success_and_creates_nothing(client):
    # when
    response = submit(client, website="http://spam.example")
    # then
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "Thank you" in page.content.decode()
    assert not Ticket.objects.exists()
    assert not Contact.objects.exists()


def test_rate_limit_answers_429_with_retry_after(client, settings):
    # given
    settings.HELPDESK_WEB_FORM_RATE = "2/10m"
    assert submit(client).status_code == 302
    assert submit(client).status_code == 302
    # when
    response = submit(client, subject="Third one")
    # then
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 600
    html = response.content.decode()
    assert "please wait about" in html
    assert 'value="Third one"' in html  # the form is not lost
    assert Ticket.objects.count() == 2
    # another address has its own budget
    other = client.post(FORM_URL, form_data(fresh_token(client)), REMOTE_ADDR="203.0.113.9")
    assert other.status_code == 302


def test_behind_a_proxy_each_client_has_its_own_budget(client, settings):
    # given: every request arrives from the proxy's address
    settings.HELPDESK_WEB_FORM_RATE = "1/10m"
    settings.HELPDESK_TRUSTED_PROXIES = 1

    def post_from(address):
        return client.post(FORM_URL, form_data(fresh_token(client)), REMOTE_ADDR="10.0.0.2",
                           HTTP_X_FORWARDED_FOR=address)

    assert post_from("203.0.113.9").status_code == 302
    # when
    again = post_from("203.0.113.9")
    other = post_from("198.51.100.4")
    # then
    assert again.status_code == 429
    assert other.status_code == 302


def test_invalid_submissions_do_not_use_up_the_rate_limit(client, settings):
    settings.HELPDESK_WEB_FORM_RATE = "1/10m"
    for _ in range(3):
        assert submit(client, email="nope").status_code == 200
    assert submit(client).status_code == 302


def test_same_form_token_posted_twice_creates_one_ticket(client):
    # given
    data = form_data(fresh_token(client))
    # when
    first = client.post(FORM_URL, data)
    second = client.post(FORM_URL, data)
    # then
    assert Ticket.objects.count() == 1
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]


def test_repeat_while_the_first_copy_is_still_saving_gets_the_generic_page(client, monkeypatch):
    # given a token whose first submission has claimed it and not finished
    monkeypatch.setattr("tickets.views.guards.DUPLICATE_WAIT_SECONDS", 0.3)
    token = fresh_token(client)
    nonce = read_form_token(token)
    assert nonce is not None
    assert claim_form_token(nonce)
    # when
    response = client.post(FORM_URL, form_data(token))
    # then
    assert response.status_code == 302
    assert response["Location"] == "/support/submitted/"
    assert not Ticket.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_concurrent_double_click_creates_one_ticket():
    # given
    data = form_data(fresh_token(Client()))
    barrier = threading.Barrier(4)
    locations: list[str] = []

    def post() -> None:
        barrier.wait()
        locations.append(Client().post(FORM_URL, data)["Location"])
        connection.close()

    # when
    threads = [threading.Thread(target=post) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # then
    assert Ticket.objects.count() == 1
    assert len(set(locations)) == 1
    assert locations[0].startswith("/support/submitted/")


def test_forged_form_token_keeps_the_input_and_asks_to_send_again(client):
    response = client.post(FORM_URL, form_data("made-up-token"))
    assert response.status_code == 200
    assert "This form has expired" in response.content.decode()
    assert response.context["form_token"] != "made-up-token"
    assert not Ticket.objects.exists()


@pytest.mark.parametrize("token", ["nonsense", signing.dumps(1, salt="another-salt")],
                         ids=["garbage", "signed-for-another-purpose"])
def test_forged_confirmation_token_is_a_friendly_404(client, token):
    response = client.get(f"/support/submitted/{token}/")
    assert response.status_code == 404
    assert "expired or is not valid" in response.content.decode()


class _TwoDaysAgoSigner(signing.TimestampSigner):
    def timestamp(self) -> str:
        return signing.b62_encode(int(time.time()) - 2 * 24 * 60 * 60)


def test_expired_confirmation_token_is_a_friendly_404(client):
    # given a genuine token, signed two days ago
    submit(client)
    stale = _TwoDaysAgoSigner(salt=CONFIRMATION_SALT).sign_object(Ticket.objects.get().pk)
    # when
    response = client.get(f"/support/submitted/{stale}/")
    # then
    assert response.status_code == 404
    assert "expired or is not valid" in response.content.decode()


def test_script_payload_is_stored_verbatim_and_rendered_escaped(client):
    # given
    payload = '<script>alert("x")</script><b onmouseover=alert(1)>hi</b>'
    # when
    response = submit(client, subject=payload, description=payload)
    # then
    ticket = Ticket.objects.get()
    assert ticket.subject == payload
    assert ticket.description == payload
    html = client.get(response["Location"]).content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html


def test_script_payload_is_escaped_when_the_form_re_renders(client):
    response = submit(client, subject="<script>alert(1)</script>", email="bad")
    html = response.content.decode()
    assert "<script>alert(1)" not in html
    assert 'value="&lt;script&gt;alert(1)&lt;/script&gt;"' in html


def test_form_requires_csrf_token():
    # given a client that enforces CSRF, as browsers do
    browser = Client(enforce_csrf_checks=True)
    html = browser.get(FORM_URL).content.decode()
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    token = re.search(r'name="form_token" value="([^"]+)"', html)
    assert csrf
    assert token
    # when / then
    assert browser.post(FORM_URL, form_data(token.group(1))).status_code == 403
    assert not Ticket.objects.exists()
    posted = browser.post(
        FORM_URL, {**form_data(token.group(1)), "csrfmiddlewaretoken": csrf.group(1)}
    )
    assert posted.status_code == 302
    assert Ticket.objects.count() == 1


def test_form_page_query_count_is_small_and_constant(client, django_assert_max_num_queries):
    client.get(FORM_URL)  # warm up template loading
    with django_assert_max_num_queries(1):
        assert client.get(FORM_URL).status_code == 200
    submit(client)
    with django_assert_max_num_queries(1):
        assert client.get(FORM_URL).status_code == 200


def test_confirmation_page_is_one_query(client, django_assert_num_queries):
    location = submit(client)["Location"]
    with django_assert_num_queries(1):
        assert client.get(location).status_code == 200
