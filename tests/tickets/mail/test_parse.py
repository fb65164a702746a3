import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tickets.mail.parse import (
    DEFAULT_FILENAME,
    MAX_FILENAME_LENGTH,
    InboundEmail,
    MalformedEmail,
    parse_email,
    sanitize_filename,
)

SAMPLES = Path(__file__).parent / "samples"
SIGNED_42 = "hd.42.17b895a212bd.c6c5cd65d7beea08@help.example.com"


def load(name: str) -> InboundEmail:
    return parse_email((SAMPLES / name).read_bytes())


def build(
    headers: str = "", body: bytes = b"Hello.\n", sender: str = "Alice <alice@acme.example>"
) -> bytes:
    """Return a small message from `sender` with extra `headers` (one per line) and `body`."""
    head = f"From: {sender}\nTo: support@help.example.com\nSubject: Help\n{headers}".strip()
    return head.encode() + b"\n\n" + body


def test_plain_new_request_is_parsed_into_fields():
    email = load("new_request.eml")

    assert email.message_id == "CAK7n3mQ2x9Y@mail.acme.example"
    assert (email.in_reply_to, email.references) == ([], [])
    assert email.subject == "Printer on 3rd floor jams on every print job"
    assert (email.from_email, email.from_name) == ("alice.martin@acme.example", "Alice Martin")
    assert email.to == ["support@help.example.com"]
    assert email.cc == ["bob@acme.example", "ops@acme.example"]
    assert email.date == datetime(2025, 3, 3, 9, 15, tzinfo=UTC)
    assert email.date.utcoffset() == timedelta(hours=1)
    assert email.text.endswith("Thanks,\nAlice\n")
    assert email.html == ""
    assert email.attachments == []
    assert not email.is_automated


def test_new_request_reply_text_keeps_hyphen_lists_and_drops_sign_off():
    email = load("new_request.eml")

    assert "- removing the paper tray\n- restarting the printer" in email.reply_text
    assert email.reply_text.endswith("We have a board meeting at 14:00.")


def test_reply_strips_quoted_history_and_signature_but_keeps_full_text():
    email = load("reply_signed.eml")

    assert email.reply_text == (
        "The printer jams again after the roller replacement.\n"
        "Can the technician come back this afternoon?"
    )
    assert "-- \nAlice Martin\nOffice Manager, ACME Corp" in email.text
    assert "> Our technician replaced the pickup roller." in email.text
    assert email.in_reply_to == [SIGNED_42]
    assert email.references == ["CAK7n3mQ2x9Y@mail.acme.example", SIGNED_42]


def test_reply_text_falls_back_to_text_when_stripping_leaves_nothing():
    email = parse_email(build(body=b"-- \nAlice Martin\nACME Corp\n"))

    assert email.reply_text == email.text == "-- \nAlice Martin\nACME Corp\n"


def test_multipart_alternative_uses_the_plain_part_and_keeps_the_html():
    email = load("alternative.eml")

    assert email.text == (
        "Hi,\n\nMy VPN connection drops every 10 minutes since the client update.\n\nHank\n"
    )
    assert "drops <b>every 10 minutes</b> since" in email.html
    assert email.attachments == []


def test_html_only_body_is_converted_to_text_without_tags():
    email = load("html_only.eml")

    assert "Since Monday I cannot log in to the" in email.text
    assert "Account locked" in email.text
    assert "& nothing else" in email.text
    assert "Café team, 2nd floor" in email.text
    assert re.search(r"</?[a-zA-Z!]", email.text) is None
    assert "color: #333333" not in email.text
    assert "&amp;" not in email.text
    assert email.html.startswith("<!DOCTYPE html>")
    assert "<b>&quot;Account locked&quot;</b>" in email.html


@pytest.mark.parametrize(
    ("sample", "subject", "from_name", "sentence"),
    [
        (
            "latin1_qp.eml",
            "Réclamation : facture déjà payée",
            "Renée Lefèvre",
            "La facture n° 2025-117 a déjà été payée le 3 mars.",
        ),
        (
            "cp1252_8bit.eml",
            "Rechnung über 50 € falsch",
            "Jürgen Müller",
            "die Rechnung über 50 € ist falsch \u2013 bitte prüfen Sie „Position 3“.",
        ),
    ],
)
def test_legacy_charsets_decode_body_and_rfc2047_headers(sample, subject, from_name, sentence):
    email = load(sample)

    assert email.subject == subject
    assert email.from_name == from_name
    assert sentence in email.text


def test_wrong_declared_charset_falls_back_instead_of_raising():
    email = load("wrong_charset.eml")  # declares UTF-8, carries latin-1 bytes

    assert email.text == "Customer François Dupé reports that order 5512 is stuck.\n"


@pytest.mark.parametrize(
    ("content_type", "body", "expected"),
    [
        ("text/plain; charset=x-no-such-charset", b"caf\xe9", "café"),
        ("text/plain; charset=base64", b"caf\xe9", "café"),
        ("text/plain; charset=us-ascii", "café".encode(), "café"),
        ("text/plain", "naïve".encode(), "naïve"),
        ("text/plain; charset=iso-8859-1", b"50 \x80 due", "50 € due"),
        ("text/plain; charset=utf-8", b"\x81\xff", "\x81ÿ"),
    ],
)
def test_body_decoding_never_raises(content_type, body, expected):
    raw = build(f"Content-Type: {content_type}\nContent-Transfer-Encoding: 8bit", body=body)

    assert parse_email(raw).text == expected


def test_attachments_and_named_inline_images_are_collected():
    email = load("attachments.eml")

    assert [(a.filename, a.content_type) for a in email.attachments] == [
        ("logo.png", "image/png"),
        ("invoice 2025-117.pdf", "application/pdf"),
        ("récapitulatif.csv", "text/csv"),
    ]
    logo, invoice, summary = email.attachments
    assert logo.content.startswith(b"\x89PNG\r\n\x1a\n")
    assert invoice.content.startswith(b"%PDF-1.4")
    assert invoice.content.endswith(b"%%EOF\n")
    assert summary.content == b"line,amount\n3,120.00\n3,120.00\n"
    assert email.text.startswith("Hello,\n\nLine 3 of the attached invoice is billed twice")
    assert 'src="cid:logo@acme.example"' in email.html


@pytest.mark.parametrize(
    ("sample", "reason"),
    [
        ("ooo_autoreply.eml", "Auto-Submitted: auto-replied"),
        ("precedence_bulk.eml", "Precedence: bulk"),
        ("bounce.eml", "bounce from mailer-daemon"),
    ],
)
def test_automated_samples_are_flagged(sample, reason):
    email = load(sample)

    assert email.auto_submitted_reason == reason
    assert email.is_automated


@pytest.mark.parametrize(
    ("headers", "sender", "reason"),
    [
        ("Auto-Submitted: auto-generated", None, "Auto-Submitted: auto-generated"),
        (
            'Auto-Submitted: auto-replied; owner-email="b@x.org"',
            None,
            "Auto-Submitted: auto-replied",
        ),
        ("Precedence: junk", None, "Precedence: junk"),
        ("Precedence: list", None, "Precedence: list"),
        ("X-Autoreply: yes", None, "X-Autoreply present"),
        ("X-Autorespond: 1", None, "X-Autorespond present"),
        ("List-Id: Users <users.lists.example.org>", None, "List-Id present"),
        ("X-Auto-Response-Suppress: All", None, "X-Auto-Response-Suppress: All"),
        ("X-Auto-Response-Suppress: DR, OOF", None, "X-Auto-Response-Suppress: DR, OOF"),
        ("Return-Path: <>", None, "Return-Path: <> (null sender)"),
        ("", "Postmaster <POSTMASTER@mx.acme.example>", "bounce from postmaster"),
        (
            "Content-Type: multipart/report; report-type=delivery-status; boundary=r",
            "Mail Delivery <bounces@mx.acme.example>",
            "bounce: multipart/report; report-type=delivery-status",
        ),
    ],
)
def test_automation_headers_give_a_reason(headers, sender, reason):
    raw = build(headers, sender=sender or "Alice <alice@acme.example>")

    assert parse_email(raw).auto_submitted_reason == reason


@pytest.mark.parametrize(
    "headers",
    ["", "Auto-Submitted: no", "Precedence: first-class", "X-Auto-Response-Suppress: DR, RN"],
)
def test_messages_from_people_are_not_automated(headers):
    email = parse_email(build(headers))

    assert email.auto_submitted_reason is None
    assert not email.is_automated


def test_message_without_from_is_malformed():
    with pytest.raises(MalformedEmail):
        load("no_from.eml")


@pytest.mark.parametrize("sender", ["undisclosed-recipients:;", "Alice", ""])
def test_from_without_an_address_is_malformed(sender):
    with pytest.raises(MalformedEmail):
        parse_email(build(sender=sender))


def test_sloppy_from_header_still_yields_the_address():
    email = parse_email(build(sender="John Doe John.Doe@Example.COM"))

    assert email.from_email == "john.doe@example.com"


def test_raw_utf8_display_name_is_decoded():
    raw = build(sender="José García <jose@example.es>")  # 8-bit header, no RFC 2047

    assert parse_email(raw).from_name == "José García"


@pytest.mark.parametrize(
    ("headers", "message_id", "date"),
    [
        ("", "", None),
        ("Message-ID: abc.123@mail.example\nDate: not a date", "abc.123@mail.example", None),
        (
            "Message-ID: <x@y>\nDate: Mon, 3 Mar 2025 10:15:00 -0000",
            "x@y",
            datetime(2025, 3, 3, 10, 15, tzinfo=UTC),
        ),
    ],
)
def test_missing_or_odd_id_and_date_headers(headers, message_id, date):
    email = parse_email(build(headers))

    assert email.message_id == message_id
    assert email.date == date


def test_body_is_safe_for_postgres_text_columns():
    raw = build(body=b"line one\nline\x00 two\n").replace(b"\n", b"\r\n")  # CRLF throughout

    assert parse_email(raw).text == "line one\nline two\n"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("invoice.pdf", "invoice.pdf"),
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\alice\\invoice.pdf", "invoice.pdf"),
        ("report\x00\r\n.pdf", "report.pdf"),
        ("photo\u202egpj.exe", "photogpj.exe"),
        ("..", DEFAULT_FILENAME),
        ("  ", DEFAULT_FILENAME),
        ("dir/", DEFAULT_FILENAME),
        ("", DEFAULT_FILENAME),
        (None, DEFAULT_FILENAME),
    ],
)
def test_sanitize_filename(name, expected):
    assert sanitize_filename(name) == expected


def test_sanitize_filename_truncates_long_names_but_keeps_the_extension():
    name = sanitize_filename("a" * 300 + ".pdf")

    assert len(name) == MAX_FILENAME_LENGTH
    assert name.endswith("a.pdf")
