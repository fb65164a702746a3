"""
Signed links for customers: their ticket's page and one-click survey ratings.

A token names the ticket and its requester and is signed with a timestamp
(django.core.signing.TimestampSigner), so it expires and cannot be forged or pointed at
another ticket. It is the customer's only key: it never grants more than that one ticket.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from django.conf import settings
from django.core import signing
from django.urls import reverse

from tickets.models import Ticket

CUSTOMER_SALT: Final = "followup.customer-ticket"
SURVEY_SALT: Final = "followup.survey"
DAY: Final = 24 * 60 * 60


class LinkInvalid(Exception):
    """The token was forged, truncated or made for something else."""


class LinkExpired(LinkInvalid):
    """The token was genuine but is older than its lifetime."""


@dataclass(frozen=True)
class LinkTarget:
    ticket_id: int
    contact_id: int


def make_token(*, ticket: Ticket, salt: str) -> str:
    signer = signing.TimestampSigner(salt=salt)
    return signer.sign_object([ticket.pk, ticket.requester_id], compress=True)


def read_token(token: str, *, salt: str, max_age_days: int) -> LinkTarget:
    """Return what the token names; raise LinkExpired or LinkInvalid."""
    signer = signing.TimestampSigner(salt=salt)
    try:
        value = signer.unsign_object(token, max_age=max_age_days * DAY)
    except signing.SignatureExpired as error:
        raise LinkExpired(str(error)) from error
    except (signing.BadSignature, ValueError) as error:
        raise LinkInvalid(str(error)) from error
    if (not isinstance(value, list) or len(value) != 2
            or not all(isinstance(item, int) for item in value)):
        raise LinkInvalid("unexpected token payload")
    return LinkTarget(ticket_id=value[0], contact_id=value[1])


def absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def customer_url(ticket: Ticket) -> str:
    token = make_token(ticket=ticket, salt=CUSTOMER_SALT)
    return absolute(reverse("followup:customer-ticket", args=[token]))


def survey_urls(ticket: Ticket, scores: list[int]) -> dict[int, str]:
    """Return the one-click rating link of each score, all carrying one token."""
    token = make_token(ticket=ticket, salt=SURVEY_SALT)
    return {score: absolute(reverse("followup:rate", args=[token, score])) for score in scores}


def customer_link_footer(*, ticket: Ticket) -> str:
    """The line every customer email ends with (settings.HELPDESK_EMAIL_FOOTERS)."""
    from followup.selectors import followup_settings

    days = followup_settings().customer_link_days
    return (
        f"See your ticket, reply or reopen it here (link valid {days} days):\n"
        f"{customer_url(ticket)}"
    )
