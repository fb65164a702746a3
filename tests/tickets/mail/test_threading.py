import re
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from tickets.mail.parse import InboundEmail, parse_email
from tickets.mail.threading import (
    MAX_THREAD_CANDIDATES,
    make_message_id,
    resolve_ticket_id,
    thread_candidates,
    ticket_id_from_message_id,
    ticket_id_from_subject,
)

SECRET = "test-secret"
SAMPLES = Path(__file__).parent / "samples"
# The id that samples/reply_signed.eml answers, signed with SECRET for ticket 42.
SIGNED_42 = "hd.42.17b895a212bd.c6c5cd65d7beea08@help.example.com"


def inbound(
    *, in_reply_to: Sequence[str] = (), references: Sequence[str] = (), subject: str = ""
) -> InboundEmail:
    return InboundEmail(
        from_email="alice@acme.example",
        in_reply_to=list(in_reply_to),
        references=list(references),
        subject=subject,
    )


def stored_ids(table: dict[str, int]) -> tuple[Callable[[list[str]], dict[str, int]], list]:
    """Return a lookup answering from `table`, and the list of calls it received."""
    calls: list[list[str]] = []

    def lookup(message_ids: list[str]) -> dict[str, int]:
        calls.append(list(message_ids))
        # A database returns rows in no particular order; answer oldest first to prove it.
        return {mid: table[mid] for mid in reversed(message_ids) if mid in table}

    return lookup, calls


@pytest.mark.parametrize("ticket_id", [1, 42, 9_223_372_036_854_775_807])
def test_message_id_names_its_ticket_and_verifies(ticket_id):
    message_id = make_message_id(ticket_id=ticket_id, domain="help.example.com", secret=SECRET)

    assert re.fullmatch(
        rf"<hd\.{ticket_id}\.[0-9a-f]{{12}}\.[0-9a-f]{{16}}@help\.example\.com>", message_id
    )
    assert ticket_id_from_message_id(message_id, secret=SECRET) == ticket_id
    assert ticket_id_from_message_id(message_id.strip("<>"), secret=SECRET) == ticket_id


def test_message_ids_are_unique():
    first, second = (
        make_message_id(ticket_id=7, domain="help.example.com", secret=SECRET) for _ in range(2)
    )

    assert first != second


def test_sample_id_verifies_with_the_test_secret():
    assert ticket_id_from_message_id(f"<{SIGNED_42}>", secret=SECRET) == 42


@pytest.mark.parametrize(
    "tampered",
    [
        SIGNED_42.replace("hd.42.", "hd.43."),  # another ticket, same signature
        SIGNED_42.replace("hd.42.", "hd.042."),  # same number, other spelling
        SIGNED_42.replace(".17b895a212bd.", ".17b895a212be."),  # other nonce
        SIGNED_42.replace(".c6c5cd65d7beea08@", ".c6c5cd65d7beea09@"),  # flipped signature
        SIGNED_42.replace(".c6c5cd65d7beea08@", ".c6c5cd65d7beea@"),  # short signature
        "hd.42.17b895a212bd.c6c5cd65d7beea08",  # no domain
        "CAK7n3mQ2x9Y@mail.acme.example",  # a customer's id
        "",
        "<>",
    ],
)
def test_tampered_or_foreign_ids_are_rejected(tampered):
    assert ticket_id_from_message_id(tampered, secret=SECRET) is None


def test_id_signed_with_another_secret_is_rejected():
    message_id = make_message_id(ticket_id=42, domain="help.example.com", secret="other-secret")

    assert ticket_id_from_message_id(message_id, secret=SECRET) is None


def test_empty_secret_is_refused():
    with pytest.raises(ValueError, match="secret"):
        make_message_id(ticket_id=1, domain="help.example.com", secret="")
    with pytest.raises(ValueError, match="secret"):
        ticket_id_from_message_id(SIGNED_42, secret="")


@pytest.mark.parametrize(
    ("ticket_id", "domain", "error"),
    [
        (0, "help.example.com", "ticket_id"),
        (1, "help example.com", "domain"),
        (1, "a@b", "domain"),
    ],
)
def test_make_message_id_rejects_bad_input(ticket_id, domain, error):
    with pytest.raises(ValueError, match=error):
        make_message_id(ticket_id=ticket_id, domain=domain, secret=SECRET)


@pytest.mark.parametrize(
    ("subject", "prefix", "expected"),
    [
        ("Re: [HD-42] Printer jams", "HD", 42),
        ("RE: AW: [hd-7] VPN", "HD", 7),
        ("[HD-12] merged with [HD-99]", "HD", 12),
        ("[HD-007] leading zeros", "HD", 7),
        ("[ACME-5] custom prefix", "ACME", 5),
        ("[HD-5] default prefix only", "ACME", None),
        ("HD-42 without brackets", "HD", None),
        ("[HD-] no number", "HD", None),
        ("[HD-0] no such ticket", "HD", None),
        ("", "HD", None),
    ],
)
def test_ticket_id_from_subject(subject, prefix, expected):
    assert ticket_id_from_subject(subject, prefix=prefix) == expected


def test_candidates_put_in_reply_to_first_then_references_newest_first():
    message = inbound(in_reply_to=["parent@x"], references=["root@x", "middle@x", "parent@x"])

    assert thread_candidates(message) == ["parent@x", "middle@x", "root@x"]


def test_candidates_are_capped_keeping_the_newest():
    references = [f"ref{n}@x" for n in range(MAX_THREAD_CANDIDATES + 50)]

    candidates = thread_candidates(inbound(references=references))

    assert len(candidates) == MAX_THREAD_CANDIDATES
    assert candidates[0] == references[-1]


def test_signed_id_wins_without_a_lookup():
    lookup, calls = stored_ids({"customer@acme.example": 7})
    message = inbound(
        in_reply_to=["customer@acme.example"], references=[SIGNED_42], subject="[HD-9]"
    )

    assert resolve_ticket_id(message, secret=SECRET, known_message_ids=lookup) == 42
    assert calls == []


def test_stored_ids_are_looked_up_once_and_the_first_candidate_wins():
    lookup, calls = stored_ids({"root@x": 5, "middle@x": 6})
    message = inbound(
        in_reply_to=["unknown@x"], references=["root@x", "middle@x"], subject="[HD-9]"
    )

    assert resolve_ticket_id(message, secret=SECRET, known_message_ids=lookup) == 6
    assert calls == [["unknown@x", "middle@x", "root@x"]]


def test_tampered_id_falls_through_to_the_subject_token():
    forged = SIGNED_42.replace("hd.42.", "hd.43.")
    lookup, _ = stored_ids({})
    message = inbound(in_reply_to=[forged], subject="Re: [HD-9] Printer")

    assert resolve_ticket_id(message, secret=SECRET, known_message_ids=lookup) == 9


@pytest.mark.parametrize(
    ("subject", "prefix", "expected"),
    [("Re: [HD-9] Printer", "HD", 9), ("Re: [ACME-9] Printer", "ACME", 9), ("Printer", "HD", None)],
)
def test_without_lookup_the_subject_decides(subject, prefix, expected):
    message = inbound(in_reply_to=["unknown@x"], subject=subject)

    assert resolve_ticket_id(message, secret=SECRET, prefix=prefix) == expected


def test_no_lookup_when_there_are_no_candidates():
    lookup, calls = stored_ids({})

    assert resolve_ticket_id(inbound(), secret=SECRET, known_message_ids=lookup) is None
    assert calls == []


def test_parsed_reply_resolves_to_its_ticket():
    message = parse_email((SAMPLES / "reply_signed.eml").read_bytes())

    assert resolve_ticket_id(message, secret=SECRET) == 42
    assert resolve_ticket_id(message, secret="rotated-secret") == 42  # via its subject token
