"""
Facts escalation adds to every ticket's, for every rule engine (registered in apps.py):

- ``ticket.reassignments``: how often the ticket went from one agent to another;
- ``escalation.human_requested``: the customer's latest message asks for a human
  ("talk to a human", "speak to a person", "manager");
- ``escalation.last_message``: the words of the customer's latest message, for keywords;
- ``sentiment.latest`` and ``sentiment.falling``: the latest message's sentiment (-1..1), and
  whether it dropped by SENTIMENT_FALL or more since the message before;
- ``escalation.reopened_recently``: reopened within the last 24 hours.

They live on the ticket's TicketSignals row, written on the first customer reply or
reopening; until then they come from the ticket itself (its description is the first
message). A fact provider must run no query per ticket, so they are given only when
`escalation_signals` was loaded with the ticket (select_related); otherwise they are absent
and conditions on them do not hold, as routing's.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Final

from django.utils import timezone

from escalation.escalations.choices import (
    HUMAN_REQUEST_PATTERN,
    REOPEN_WINDOW_HOURS,
    SENTIMENT_FALL,
)

if TYPE_CHECKING:
    from tickets.models import Ticket

REASSIGNMENTS: Final = "ticket.reassignments"
HUMAN_REQUESTED: Final = "escalation.human_requested"
LAST_MESSAGE: Final = "escalation.last_message"
SENTIMENT_LATEST: Final = "sentiment.latest"
SENTIMENT_FALLING: Final = "sentiment.falling"
REOPENED_RECENTLY: Final = "escalation.reopened_recently"
# Relations to select with tickets before evaluating policies on them: every fact, no query.
POLICY_RELATIONS: Final = ("routing_decision", "escalation_signals")

_HUMAN: Final = re.compile(HUMAN_REQUEST_PATTERN, re.IGNORECASE)
# Enough of the latest message for keyword rules; regex operators cap their input anyway.
WORDS_LIMIT: Final = 4000


def asks_for_human(text: str) -> bool:
    return bool(_HUMAN.search(text or ""))


def is_falling(latest: float | None, previous: float | None) -> bool:
    return latest is not None and previous is not None and previous - latest >= SENTIMENT_FALL


def signal_facts(ticket: Ticket) -> dict[str, Any]:
    facts: dict[str, Any] = {REASSIGNMENTS: ticket.reassignments}
    if ticket.pk is None:
        return facts
    from tickets.models import Ticket as TicketModel

    if not TicketModel.escalation_signals.is_cached(ticket):  # type: ignore[attr-defined]
        return facts
    signals = getattr(ticket, "escalation_signals", None)
    if signals is None:
        # No customer reply, reopening or sweep yet: the first message is the description.
        return {**facts, **first_message_facts(ticket)}
    window = timezone.now() - timedelta(hours=REOPEN_WINDOW_HOURS)
    return {
        **facts,
        HUMAN_REQUESTED: signals.human_requested,
        LAST_MESSAGE: signals.last_customer_words,
        SENTIMENT_LATEST: signals.sentiment_latest,
        SENTIMENT_FALLING: is_falling(signals.sentiment_latest, signals.sentiment_previous),
        REOPENED_RECENTLY: signals.reopened_at is not None and signals.reopened_at >= window,
    }


def first_message_facts(ticket: Ticket) -> dict[str, Any]:
    return {
        HUMAN_REQUESTED: asks_for_human(f"{ticket.subject}\n{ticket.description}"),
        LAST_MESSAGE: ticket.description[:WORDS_LIMIT], SENTIMENT_LATEST: ticket.sentiment,
        SENTIMENT_FALLING: False, REOPENED_RECENTLY: False,
    }


def register_facts() -> None:
    from tickets.conditions import register_fact_provider, register_field

    register_field(REASSIGNMENTS, kind="int", label="reassignments between agents")
    register_field(HUMAN_REQUESTED, kind="bool", label="customer asked for a human")
    register_field(LAST_MESSAGE, kind="str", label="customer's latest message")
    register_field(SENTIMENT_LATEST, kind="float", label="sentiment of the latest message")
    register_field(SENTIMENT_FALLING, kind="bool", label="sentiment falling")
    register_field(REOPENED_RECENTLY, kind="bool", label="reopened within 24 hours")
    register_fact_provider(signal_facts)
