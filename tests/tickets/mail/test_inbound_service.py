import email.message

import pytest
from django.conf import settings
from django.utils import timezone

from tests.tickets.factories import ContactFactory, OrganizationFactory, TicketFactory
from tests.tickets.mail.emails import answering, compose, sample, without_header
from tickets.choices import Channel, EventKind, TicketStatus
from tickets.mail.parse import MalformedEmail
from tickets.mail.threading import ticket_id_from_message_id
from tickets.models import Attachment, Message, Ticket, TicketEvent
from tickets.services.inbound import process_inbound_email
from tickets.tasks import send_acknowledgement

pytestmark = pytest.mark.django_db

PRINTER = "Printer on 3rd floor jams on every print job"


def alice_ticket(**fields) -> Ticket:
    contact = ContactFactory(email="alice.martin@acme.example", name="Alice Martin")
    return TicketFactory(requester=contact, subject=PRINTER, **fields)


def test_new_request_opens_an_email_ticket_and_acknowledges_on_commit(
    django_capture_on_commit_callbacks,
):
    # when
    with django_capture_on_commit_callbacks() as callbacks:
        result = process_inbound_email(raw=sample("new_request.eml"))

    # then
    ticket, message = result.ticket, result.message
    assert (result.created, result.ignored_reason, result.duplicate) == (True, None, False)
    assert (ticket.channel, ticket.subject) == (Channel.EMAIL, PRINTER)
    assert (ticket.requester.email, ticket.requester.name) == (
        "alice.martin@acme.example", "Alice Martin"
    )
    assert ticket.description.startswith("Hello,\n\nThe printer on the 3rd floor")
    assert message.email_message_id == "CAK7n3mQ2x9Y@mail.acme.example"
    assert message.original_body.endswith("Thanks,\nAlice\n")
    assert ticket.messages.get() == message
    # Other stages of the intake pipeline may enqueue work of their own.
    assert (send_acknowledgement.delay, (ticket.pk,)) in [(cb.func, cb.args) for cb in callbacks]


def test_reply_with_signed_id_is_threaded_without_quotes_or_signature():
    # given
    ticket = alice_ticket()

    # when
    result = process_inbound_email(raw=answering("reply_signed.eml", ticket))

    # then
    assert (result.ticket, result.created) == (ticket, False)
    message = result.message
    assert message.body == (
        "The printer jams again after the roller replacement.\n"
        "Can the technician come back this afternoon?"
    )
    assert "Office Manager, ACME Corp" in message.original_body
    assert "> Our technician replaced the pickup roller." in message.original_body
    assert ticket_id_from_message_id(message.in_reply_to, secret=settings.SECRET_KEY) == ticket.pk
    assert message.author_contact == ticket.requester
    assert ticket.events.filter(kind=EventKind.CUSTOMER_REPLIED).count() == 1


def test_reply_is_threaded_by_references_alone():
    # given: the first email is stored; the reply names it only in References
    first = process_inbound_email(raw=sample("new_request.eml")).ticket
    raw = without_header(sample("reply_signed.eml"), "In-Reply-To").replace(b"[HD-42] ", b"")

    # when
    result = process_inbound_email(raw=raw)

    # then
    assert (result.ticket, result.created) == (first, False)
    assert first.messages.count() == 2


def test_subject_token_threads_mail_from_the_requester_and_their_colleagues():
    # given
    organization = OrganizationFactory(email_domains=["acme.example"])
    ticket = alice_ticket(organization=organization)
    colleague = ContactFactory(email="bob@elsewhere.example", organization=organization)

    # when
    own = process_inbound_email(raw=compose(
        sender="Alice <ALICE.MARTIN@acme.example>", subject=f"Re: [{ticket.reference}] hi",
    ))
    by_domain = process_inbound_email(raw=compose(
        sender="carol@acme.example", subject=f"[{ticket.reference}] same problem here",
    ))
    by_contact = process_inbound_email(raw=compose(
        sender=colleague.email, subject=f"Fwd: [{ticket.reference}]",
    ))

    # then
    assert {own.ticket, by_domain.ticket, by_contact.ticket} == {ticket}
    assert ticket.messages.count() == 3


def test_forged_subject_token_from_a_stranger_opens_a_new_ticket():
    # given
    ticket = alice_ticket(organization=OrganizationFactory(email_domains=["acme.example"]))
    before = ticket.messages.count()

    # when
    result = process_inbound_email(raw=compose(
        sender="mallory@evil.example", subject=f"Re: [{ticket.reference}] please refund me",
    ))

    # then
    assert result.created
    assert result.ticket != ticket
    assert result.ticket.requester.email == "mallory@evil.example"
    assert ticket.messages.count() == before


def test_duplicate_delivery_stores_one_message():
    # given
    first = process_inbound_email(raw=sample("new_request.eml"))

    # when
    again = process_inbound_email(raw=sample("new_request.eml"))

    # then
    assert (again.ticket, again.message, again.created, again.duplicate) == (
        first.ticket, first.message, False, True
    )
    assert Ticket.objects.count() == 1
    assert Message.objects.count() == 1


def test_duplicate_reply_stores_one_message():
    ticket = alice_ticket()
    raw = answering("reply_signed.eml", ticket)

    first = process_inbound_email(raw=raw)
    again = process_inbound_email(raw=raw)

    assert again.message == first.message
    assert again.duplicate
    assert ticket.messages.count() == 1


def test_same_message_id_from_another_sender_is_not_a_duplicate():
    process_inbound_email(raw=compose(sender="a@one.example", subject="One", message_id="x@y"))

    other = process_inbound_email(raw=compose(sender="b@two.example", subject="Two",
                                              message_id="x@y"))

    assert other.created
    assert Ticket.objects.count() == 2


def test_auto_reply_on_a_ticket_records_only_an_ignored_event_once():
    # given
    ticket = alice_ticket()
    raw = answering("ooo_autoreply.eml", ticket)

    # when
    first = process_inbound_email(raw=raw)
    process_inbound_email(raw=raw)  # the gateway retries

    # then
    assert first.ignored_reason == "Auto-Submitted: auto-replied"
    assert (first.ticket, first.message, first.created) == (ticket, None, False)
    assert not ticket.messages.exists()
    event = ticket.events.get(kind=EventKind.EMAIL_IGNORED)
    assert event.note == "Auto-Submitted: auto-replied"
    assert ticket.events.exclude(kind=EventKind.EMAIL_IGNORED).count() == 0


@pytest.mark.parametrize(
    ("name", "reason"),
    [("bounce.eml", "bounce from mailer-daemon"), ("precedence_bulk.eml", "Precedence: bulk")],
)
def test_bounces_and_bulk_mail_create_nothing(name, reason, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        result = process_inbound_email(raw=sample(name))

    assert (result.ticket, result.message, result.ignored_reason) == (None, None, reason)
    assert not Ticket.objects.exists()
    assert not Message.objects.exists()
    assert not TicketEvent.objects.exists()
    assert callbacks == []  # no acknowledgement: answering a robot starts a mail loop


def test_html_only_mail_becomes_readable_text():
    ticket = process_inbound_email(raw=sample("html_only.eml")).ticket

    assert "cannot log in to the [customer portal](https://portal.example/login)" in (
        ticket.description
    )
    assert "<p>" not in ticket.description
    assert "Café team" in ticket.description


@pytest.mark.parametrize(
    ("name", "subject", "name_of_sender", "words"),
    [
        ("latin1_qp.eml", "Réclamation : facture déjà payée", "Renée Lefèvre", "déjà été payée"),
        ("cp1252_8bit.eml", "Rechnung über 50 € falsch", "Jürgen Müller", "„Position 3“"),
    ],
)
def test_non_utf8_mail_is_decoded(name, subject, name_of_sender, words):
    ticket = process_inbound_email(raw=sample(name)).ticket

    assert ticket.subject == subject
    assert ticket.requester.name == name_of_sender
    assert words in ticket.description


def test_attachments_are_saved_with_sniffed_types():
    result = process_inbound_email(raw=sample("attachments.eml"))

    stored = {a.filename: a.content_type for a in Attachment.objects.filter(message=result.message)}
    assert stored["logo.png"] == "image/png"
    assert stored["invoice 2025-117.pdf"] == "application/pdf"
    assert "récapitulatif.csv" in stored


def test_attachment_type_is_sniffed_not_taken_from_the_email():
    # given: a PNG that the sender labels as a Word document
    msg = email.message.EmailMessage()
    msg["From"] = "alice@acme.example"
    msg["Subject"] = "Screenshot"
    msg["Message-ID"] = "<shot@acme.example>"
    msg.set_content("See attached.")
    png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR" + b"\0" * 64
    msg.add_attachment(png, maintype="application", subtype="msword", filename="report.doc")

    # when
    result = process_inbound_email(raw=msg.as_bytes())

    # then
    attachment = result.message.attachments.get()
    assert (attachment.filename, attachment.content_type) == ("report.doc", "image/png")


def test_oversized_attachment_is_dropped_and_the_mail_kept(settings):
    settings.HELPDESK_MAX_ATTACHMENT_SIZE = 100

    result = process_inbound_email(raw=sample("attachments.eml"))

    assert result.created
    assert set(result.message.attachments.values_list("filename", flat=True)) == {
        "logo.png", "récapitulatif.csv"
    }


def test_reply_to_a_closed_ticket_opens_a_linked_ticket():
    # given
    closed = alice_ticket(status=TicketStatus.CLOSED, closed_at=timezone.now())

    # when
    result = process_inbound_email(raw=answering("reply_signed.eml", closed))

    # then
    assert result.created
    assert result.ticket.follows_up == closed
    assert result.ticket.requester == closed.requester
    assert not closed.messages.exists()


def test_malformed_mail_raises_and_stores_nothing():
    with pytest.raises(MalformedEmail, match="From"):
        process_inbound_email(raw=sample("no_from.eml"))

    assert not Ticket.objects.exists()
