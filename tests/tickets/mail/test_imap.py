"""
The IMAP poller, against FakeMailbox: a small in-test stand-in for IMAPClient (no IMAP
server could be had cheaply from PyPI or Debian without a system install step), which keeps
the server's flag semantics: fetching RFC822 or BODY[] sets \\Seen, BODY.PEEK[] does not.
"""

from collections.abc import Sequence
from typing import Any

import pytest
from django.db import transaction

from tests.tickets.mail.emails import compose, sample
from tickets.mail import imap
from tickets.mail.imap import SEEN, parse_imap_url, poll_mailbox
from tickets.models import Message, Ticket
from tickets.services.inbound import process_inbound_email
from tickets.tasks import poll_imap_mailbox


class FakeMailbox:
    """An IMAP folder in memory, speaking in UIDs like IMAPClient(use_uid=True)."""

    def __init__(self, *messages: bytes) -> None:
        self.messages = dict(enumerate(messages, start=101))
        self.flags: dict[int, set[bytes]] = {uid: set() for uid in self.messages}
        self.selected: str | None = None
        self.fetches: list[list[int]] = []
        self.logged_in = self.logged_out = False

    def login(self, username: str, password: str) -> None:
        self.logged_in = (username, password) == ("desk@help.example.com", "p@ss word")

    def logout(self) -> None:
        self.logged_out = True

    def select_folder(self, folder: str, readonly: bool = False) -> dict[bytes, Any]:
        self.selected = folder
        return {b"EXISTS": len(self.messages)}

    def search(self, criteria: Any = "ALL", charset: str | None = None) -> list[int]:
        assert criteria == ["UNSEEN"]
        return [uid for uid in self.messages if SEEN not in self.flags[uid]]

    def fetch(self, messages: Sequence[int], data: Sequence[bytes]) -> dict[int, dict]:
        self.fetches.append(list(messages))
        answer = {}
        for uid in messages:
            if uid in self.messages:
                if b"RFC822" in data or b"BODY[]" in data:
                    self.flags[uid].add(SEEN)  # what a real server does
                answer[uid] = {b"BODY[]": self.messages[uid], b"SEQ": uid - 100}
        return answer

    def add_flags(self, messages: Sequence[int], flags: Sequence[bytes]) -> None:
        for uid in messages:
            self.flags[uid].update(flags)

    def unseen(self) -> list[int]:
        return [uid for uid in self.messages if SEEN not in self.flags[uid]]


def store(raw: bytes) -> object:
    return process_inbound_email(raw=raw)


@pytest.mark.django_db
def test_poll_stores_each_unseen_message_and_flags_it_seen_in_batches():
    # given
    mailbox = FakeMailbox(*[compose(sender=f"c{n}@acme.example", subject=f"Help {n}",
                                    message_id=f"m{n}@acme.example") for n in range(5)])
    mailbox.flags[102].add(SEEN)  # read by a person already: not ours to take

    # when
    report = poll_mailbox(client=mailbox, folder="Support", handle=store, batch_size=2)

    # then
    assert mailbox.selected == "Support"
    assert mailbox.fetches == [[101, 103], [104, 105]]
    assert (report.processed, report.failed, report.more_waiting) == (4, 0, False)
    assert mailbox.unseen() == []
    assert sorted(Ticket.objects.values_list("subject", flat=True)) == [
        "Help 0", "Help 2", "Help 3", "Help 4"
    ]


@pytest.mark.django_db
def test_failed_message_stays_unseen_and_the_others_go_on():
    mailbox = FakeMailbox(sample("new_request.eml"), sample("html_only.eml"))

    def handle(raw: bytes) -> object:
        if b"Peter Gibbons" in raw:
            raise RuntimeError("database went away")
        return store(raw)

    report = poll_mailbox(client=mailbox, folder="INBOX", handle=handle)

    assert (report.processed, report.failed) == (1, 1)
    assert mailbox.unseen() == [102]
    assert Ticket.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_crash_after_commit_rereads_the_message_and_stores_it_once():
    # given: the first poll commits the ticket, then dies before flagging the message
    mailbox = FakeMailbox(sample("new_request.eml"))

    def commit_then_crash(raw: bytes) -> object:
        with transaction.atomic():
            store(raw)
        raise RuntimeError("worker killed")

    poll_mailbox(client=mailbox, folder="INBOX", handle=commit_then_crash)
    assert mailbox.unseen() == [101]

    # when
    report = poll_mailbox(client=mailbox, folder="INBOX", handle=store)

    # then
    assert report.processed == 1
    assert mailbox.unseen() == []
    assert (Ticket.objects.count(), Message.objects.count()) == (1, 1)


@pytest.mark.django_db
def test_malformed_message_is_flagged_so_it_is_not_read_forever():
    mailbox = FakeMailbox(sample("no_from.eml"))

    report = poll_mailbox(client=mailbox, folder="INBOX", handle=store)

    assert (report.processed, report.malformed) == (0, 1)
    assert mailbox.unseen() == []
    assert not Ticket.objects.exists()


@pytest.mark.django_db
def test_poll_stops_at_the_limit_and_says_more_is_waiting():
    mailbox = FakeMailbox(*[compose(sender="a@acme.example", subject=f"S{n}",
                                    message_id=f"s{n}@acme.example") for n in range(3)])

    report = poll_mailbox(client=mailbox, folder="INBOX", handle=store, limit=2)

    assert (report.processed, report.more_waiting) == (2, True)
    assert mailbox.unseen() == [103]


def test_imap_url_is_parsed():
    mailbox = parse_imap_url("imaps://desk%40help.example.com:p%40ss%20word@mail.example/Support")

    assert (mailbox.host, mailbox.port, mailbox.ssl) == ("mail.example", 993, True)
    assert (mailbox.username, mailbox.password, mailbox.folder) == (
        "desk@help.example.com", "p@ss word", "Support"
    )
    plain = parse_imap_url("imap://u:p@localhost:1143")
    assert (plain.port, plain.ssl, plain.folder) == (1143, False, "INBOX")


@pytest.mark.parametrize("url", ["pop3://u:p@host/", "imaps:///INBOX", "mail.example"])
def test_bad_imap_url_is_refused(url):
    with pytest.raises(ValueError, match="HELPDESK_IMAP_URL"):
        parse_imap_url(url)


def test_task_name_is_pinned():
    assert poll_imap_mailbox.name == "tickets.poll_imap_mailbox"


def test_task_does_nothing_without_a_mailbox(settings, monkeypatch):
    settings.HELPDESK_IMAP_URL = ""
    monkeypatch.setattr(imap, "IMAPClient", None)  # any connection attempt would crash

    assert poll_imap_mailbox() == 0


@pytest.mark.django_db
def test_task_connects_with_the_url_and_stores_the_mail(settings, monkeypatch):
    # given
    settings.HELPDESK_IMAP_URL = (
        "imaps://desk%40help.example.com:p%40ss%20word@imap.help.example:993/Support"
    )
    mailbox = FakeMailbox(sample("new_request.eml"), sample("precedence_bulk.eml"))
    connections = []

    def connect(host: str, **options: Any) -> FakeMailbox:
        connections.append((host, options))
        return mailbox

    monkeypatch.setattr(imap, "IMAPClient", connect)

    # when
    processed = poll_imap_mailbox()

    # then
    assert processed == 2
    assert connections == [("imap.help.example", {"port": 993, "ssl": True, "use_uid": True,
                                                  "timeout": imap.CONNECT_TIMEOUT})]
    assert (mailbox.logged_in, mailbox.logged_out, mailbox.selected) == (True, True, "Support")
    assert mailbox.unseen() == []
    assert Ticket.objects.get().subject == "Printer on 3rd floor jams on every print job"
