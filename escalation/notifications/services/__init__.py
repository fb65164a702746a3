"""
Public API of notifications; other apps call these (and only these).

    notify(*, recipients, subject, body, ticket=None, kind, dedupe_key) -> None
    escalation_line(*, ticket, headline="ESCALATION", since=None) -> str
    ticket_url(ticket) -> str
"""

from escalation.notifications.services.notify import escalation_line, notify, ticket_url

__all__ = ["escalation_line", "notify", "ticket_url"]
