"""The one place follow-up reaches escalation's notifications."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import AbstractBaseUser

from tickets.models import Ticket


def notify_people(
    *,
    recipients: Iterable[AbstractBaseUser],
    subject: str,
    body: str,
    ticket: Ticket,
    kind: str,
    dedupe_key: str,
) -> None:
    """Tell people once per dedupe_key, through escalation's notify() (in-app and channels)."""
    from escalation.notifications.services.notify import notify, ticket_url

    people = [person for person in recipients if person is not None]
    if not people:
        return
    notify(recipients=people, subject=subject, body=f"{body}\nView ticket: {ticket_url(ticket)}",
           ticket=ticket, kind=kind, dedupe_key=dedupe_key)
