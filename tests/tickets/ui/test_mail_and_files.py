"""HTML mail shown sanitised, and files attached to replies, on the ticket page."""

import re

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.tickets.ui.conftest import make_ticket
from tickets.models import Attachment, Message
from tickets.services.inbound import process_inbound_email
from tickets.services.outbound import deliver_outbound_email, queue_reply

pytestmark = pytest.mark.django_db

HOSTILE_HTML_MAIL = b"""\
Message-ID: <hostile-1@customer.example>
From: Mallory <mallory@customer.example>
To: support@help.example.com
Subject: Invoice question
MIME-Version: 1.0
Content-Type: text/html; charset=utf-8

<p>Please check <b>invoice 42</b>.</p>
<script>alert("pwned")</script>
<img src=x onerror="alert(1)">
<a href="javascript:alert(2)">click</a> <a href="https://billing.example/42">invoice</a>
"""


def _formatted_mail(body: str) -> str:
    found = re.search(r'<div class="body html-mail">(.*?)</div></details>', body, re.S)
    assert found, "the page offers the formatted email"
    return found.group(1)


def test_html_mail_is_shown_formatted_and_sanitised(agent_web, desk_agent, team):
    # given
    ticket = process_inbound_email(raw=HOSTILE_HTML_MAIL).ticket
    ticket.team = team
    ticket.save(update_fields=["team"])
    # when
    page = agent_web.get(f"/agent/tickets/{ticket.pk}/").content.decode()
    # then
    shown = _formatted_mail(page)
    assert "<b>invoice 42</b>" in shown
    assert '<a href="https://billing.example/42" rel="noopener noreferrer nofollow">' in shown
    assert "<script" not in shown
    assert "onerror" not in shown
    assert "javascript:" not in shown
    stored = Message.objects.get(ticket=ticket)
    assert '<script>alert("pwned")</script>' in stored.original_html  # kept verbatim


def _reply(client, ticket, files, body="Here is the corrected invoice."):
    return client.post(f"/agent/tickets/{ticket.pk}/reply/", {
        "body": body, "public": "1", "etag": ticket.etag, "attachments": files,
    })


def test_reply_attachments_are_stored_and_emailed(agent_web, desk_agent, team):
    # given
    ticket = make_ticket(team=team, assignee=desk_agent)
    files = [SimpleUploadedFile("invoice.pdf", b"%PDF-1.4 corrected"),
             SimpleUploadedFile("notes.txt", b"line one\n")]
    # when
    response = _reply(agent_web, ticket, files)
    reply = Message.objects.get(ticket=ticket, author_user=desk_agent)
    outbound = queue_reply(message=reply)  # what the send_reply task does after commit
    deliver_outbound_email(outbound_id=outbound.pk)
    # then
    assert response.status_code == 302
    stored = Attachment.objects.filter(message=outbound.message).order_by("filename")
    assert [(a.filename, a.size) for a in stored] == [("invoice.pdf", 18), ("notes.txt", 9)]
    sent = mail.outbox[-1]
    assert sorted((name, content) for name, content, _ in sent.attachments) == [
        ("invoice.pdf", b"%PDF-1.4 corrected"), ("notes.txt", "line one\n")]  # text is decoded


def test_an_oversized_file_refuses_the_reply_and_keeps_nothing(
    agent_web, desk_agent, team, settings
):
    # given
    settings.HELPDESK_MAX_ATTACHMENT_SIZE = 10
    ticket = make_ticket(team=team, assignee=desk_agent)
    # when
    response = _reply(agent_web, ticket, [SimpleUploadedFile("big.bin", b"x" * 11)])
    # then
    assert response.status_code == 400
    assert "big.bin is larger than 10\xa0bytes." in response.content.decode()
    assert not Message.objects.filter(ticket=ticket, author_user=desk_agent).exists()
    assert not Attachment.objects.filter(ticket=ticket).exists()
