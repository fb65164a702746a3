"""The customer's page of their ticket, reached from the signed link in every email."""

import re

import pytest
from django.test import Client

from followup.links import CUSTOMER_SALT, make_token
from tests.followup.conftest import make_ticket
from tests.tickets.factories import AgentFactory
from tickets.choices import EventKind, TicketStatus
from tickets.models import Attachment, Message, OutboundEmail
from tickets.services.lifecycle import change_status
from tickets.services.messages import add_agent_message

pytestmark = pytest.mark.django_db


def _page_path(ticket) -> str:
    return f"/support/tickets/{make_token(ticket=ticket, salt=CUSTOMER_SALT)}/"


def test_every_customer_email_links_to_the_ticket_page(owner, django_capture_on_commit_callbacks):
    # given: an agent's public reply, emailed through the spine's reply path
    ticket = make_ticket(assignee=owner)
    from tickets.tasks import send_reply

    message = add_agent_message(ticket=ticket, author=owner, body="Try again now.", public=True)
    send_reply(message.pk)

    # then: the email carries a link that opens this ticket's page
    body = OutboundEmail.objects.get(ticket=ticket, kind="reply").body
    (url,) = re.findall(r"http://testserver(/support/tickets/[^/\s]+/)", body)
    page = Client().get(url)
    assert page.status_code == 200
    assert ticket.subject.encode() in page.content


def test_page_shows_public_replies_only_and_nothing_of_other_tickets(owner):
    # given: a ticket with a public reply, an internal note and a file on each; another ticket
    ticket = make_ticket(assignee=owner, subject="Printer <em>jam</em>")
    add_agent_message(ticket=ticket, author=owner, body="Public answer", public=True)
    note = add_agent_message(ticket=ticket, author=owner, body="Secret note", public=False)
    public = Message.objects.get(ticket=ticket, body="Public answer")
    for message, name in ((public, "manual.pdf"), (note, "internal.pdf")):
        Attachment.objects.create(ticket=ticket, message=message, filename=name,
                                  content_type="application/pdf", size=10, sha256="0" * 64)
    other = make_ticket(assignee=owner, subject="Other customer's ticket")

    # when
    page = Client().get(_page_path(ticket))

    # then
    content = page.content
    assert page.status_code == 200
    assert b"Public answer" in content
    assert b"manual.pdf" in content
    assert b"Secret note" not in content
    assert b"internal.pdf" not in content
    assert other.subject.encode() not in content
    assert b"Printer &lt;em&gt;jam&lt;/em&gt;" in content  # escaped
    assert "script-src 'self'" in page["Content-Security-Policy"]


def test_customer_replies_from_the_page(owner):
    ticket = make_ticket(assignee=owner)
    change_status(ticket=ticket, status=TicketStatus.PENDING, actor=owner)
    path = _page_path(ticket)

    done = Client().post(path + "reply/", {"body": "<b>Here</b> are the logs."})

    assert done.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.OPEN
    message = ticket.messages.order_by("-pk").first()
    assert (message.body, message.author_contact) == ("<b>Here</b> are the logs.",
                                                       ticket.requester)
    assert b"&lt;b&gt;Here&lt;/b&gt;" in Client().get(path).content


def test_customer_reopens_a_solved_ticket_but_not_a_closed_one(owner):
    ticket = make_ticket(assignee=owner)
    change_status(ticket=ticket, status=TicketStatus.SOLVED, actor=owner)
    path = _page_path(ticket)
    assert b"Reopen this ticket" in Client().get(path).content

    assert Client().post(path + "reopen/").status_code == 302
    ticket.refresh_from_db()
    assert (ticket.status, ticket.reopens) == (TicketStatus.OPEN, 1)
    assert ticket.events.get(kind=EventKind.REOPENED).reason_code == "customer_reopened"

    change_status(ticket=ticket, status=TicketStatus.SOLVED, actor=owner)
    change_status(ticket=ticket, status=TicketStatus.CLOSED, actor=owner)
    assert Client().post(path + "reopen/").status_code == 409
    refused = Client().post(path + "reply/", {"body": "hello"})
    assert refused.status_code == 409
    ticket.refresh_from_db()
    assert (ticket.status, ticket.reopens) == (TicketStatus.CLOSED, 1)


def test_forged_expired_and_foreign_links_reveal_nothing(clock, owner):
    ticket = make_ticket(assignee=owner)
    path = _page_path(ticket)
    token = path.split("/")[3]
    forged = Client().get(path.replace(token, token[:-2] + "xx"))
    assert forged.status_code == 400
    assert ticket.subject.encode() not in forged.content
    # a survey token is no key to the ticket page
    from followup.links import SURVEY_SALT

    survey_token = make_token(ticket=ticket, salt=SURVEY_SALT)
    assert Client().get(f"/support/tickets/{survey_token}/").status_code == 400
    # the requester changed: the old link no longer opens the ticket
    ticket.requester = make_ticket().requester
    ticket.save()
    assert Client().get(path).status_code == 400
    clock.after(days=31)
    expired = Client().get(_page_path(ticket))
    assert expired.status_code == 200  # a fresh link works
    assert Client().get(path).status_code == 410  # the month-old one has expired


def test_posts_need_csrf_and_are_rate_limited(owner, settings):
    settings.HELPDESK_CUSTOMER_POST_RATE = "2/10m"
    ticket = make_ticket(assignee=owner)
    path = _page_path(ticket)
    strict = Client(enforce_csrf_checks=True)
    assert strict.post(path + "reply/", {"body": "hi"}).status_code == 403

    client = Client()
    statuses = [client.post(path + "reply/", {"body": f"hi {n}"}).status_code for n in range(3)]
    assert statuses == [302, 302, 429]
    assert ticket.messages.filter(author_contact__isnull=False).count() == 3  # first + 2


def test_empty_reply_is_a_400_with_the_form(owner):
    ticket = make_ticket(assignee=owner)
    page = Client().post(_page_path(ticket) + "reply/", {"body": "  "})
    assert page.status_code == 400
    assert b"This field is required" in page.content


def test_agents_cannot_be_impersonated_by_other_roles(owner):
    # an agent's session gives no access to a ticket page without its link
    client = Client()
    client.force_login(AgentFactory())
    assert client.get("/support/tickets/nonsense/").status_code == 400
