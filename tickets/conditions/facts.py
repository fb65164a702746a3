"""
Build the flat facts mapping that conditions are evaluated against, from a ticket.

The models are imported only for type checking, so that the condition package stays
importable from models and migrations; choices import no models, so they are safe.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from enum import Enum
from typing import TYPE_CHECKING, Any, Final

from tickets.choices import MessageKind
from tickets.conditions.fields import CUSTOM_FIELDS_PREFIX

if TYPE_CHECKING:
    from tickets.models import Contact, Message, Organization, Ticket

# Pass these to select_related before building facts for many tickets: ticket_facts reads
# them, and would otherwise run one query per relation per ticket. The category needs no join:
# its foreign key holds the slug, which is the fact.
FACT_RELATIONS: Final = ("requester", "organization", "team", "assignee")

_MESSAGE_FIELDS: Final = ("message.body", "message.public", "message.from_customer")
_ORGANIZATION_FIELDS: Final = (
    *("organization.name", "organization.tier", "organization.plan", "organization.region"),
    *("organization.health_score", "organization.annual_value", "organization.at_risk"),
    "organization.renewal_date",
)


def _stored(value: Any) -> Any:
    # A choice assigned in Python is an enum member until the row is reloaded; rules and
    # dry-run output speak stored values, the same whichever way the ticket was obtained.
    return value.value if isinstance(value, Enum) else value


def _ticket_part(ticket: Ticket) -> dict[str, Any]:
    return {
        "ticket.subject": ticket.subject,
        "ticket.description": ticket.description,
        "ticket.status": _stored(ticket.status),
        "ticket.priority": _stored(ticket.priority),
        "ticket.severity": _stored(ticket.severity),
        "ticket.category": ticket.category_id,
        "ticket.channel": _stored(ticket.channel),
        "ticket.language": ticket.language,
        "ticket.product_area": ticket.product_area,
        "ticket.team": ticket.team.name if ticket.team_id else None,
        "ticket.assignee": ticket.assignee.get_username() if ticket.assignee_id else None,
        "ticket.impact": [_stored(item) for item in ticket.impact or ()],
        "ticket.tags": list(ticket.tags or ()),
        "ticket.reopens": ticket.reopens,
        "ticket.customer_contacts": ticket.customer_contacts,
        "ticket.sentiment": ticket.sentiment,
        "ticket.created_at": ticket.created_at,
    }


def _custom_part(custom_fields: object) -> dict[str, Any]:
    # The column is free JSON; anything but an object carries no named fields.
    if not isinstance(custom_fields, Mapping):
        return {}
    return {f"{CUSTOM_FIELDS_PREFIX}{key}": value for key, value in custom_fields.items()}


def _domain(email: str) -> str | None:
    _, at, domain = email.rpartition("@")
    return domain.lower() if at and domain else None


def _requester_part(requester: Contact) -> dict[str, Any]:
    return {
        "requester.email": requester.email,
        "requester.name": requester.name,
        "requester.domain": _domain(requester.email),
        "requester.language": requester.language,
    }


def _organization_part(organization: Organization | None) -> dict[str, Any]:
    if organization is None:
        return dict.fromkeys(_ORGANIZATION_FIELDS)
    return {
        "organization.name": organization.name,
        "organization.tier": _stored(organization.tier),
        "organization.plan": organization.plan,
        "organization.region": organization.region,
        "organization.health_score": organization.health_score,
        "organization.annual_value": organization.annual_value,
        "organization.at_risk": organization.at_risk,
        "organization.renewal_date": organization.renewal_date,
    }


def _message_part(message: Message | None) -> dict[str, Any]:
    if message is None:
        return dict.fromkeys(_MESSAGE_FIELDS)
    return {
        "message.body": message.body,
        "message.public": message.kind == MessageKind.PUBLIC,
        "message.from_customer": message.from_customer,
    }


FactProvider = Callable[["Ticket"], Mapping[str, Any]]
_PROVIDERS: list[FactProvider] = []


def register_fact_provider(provider: FactProvider) -> None:
    """
    Add facts that another app computes (e.g. triage.text), so every rule and every dry-run
    sees them. Apps call this from AppConfig.ready(); the provider must run no query per
    ticket, or lists of facts would grow a query per row.
    """
    if provider not in _PROVIDERS:
        _PROVIDERS.append(provider)


def _provided(ticket: Ticket) -> dict[str, Any]:
    facts: dict[str, Any] = {}
    for provider in _PROVIDERS:
        facts.update(provider(ticket))
    return facts


def ticket_facts(ticket: Ticket, *, message: Message | None = None) -> dict[str, Any]:
    """
    Return what conditions may test about a ticket, and about a message on it, by field name.

    Choices are given as their stored values, never their labels. The team is given by its
    name and the assignee by username, because those are what an admin writes in a rule and
    reads in its explanation; ids differ between installations. The organisation is the
    ticket's own: its facts are all None when the ticket has none, and so are the message
    facts when no message is given. Select FACT_RELATIONS first to run no query.
    """
    return {
        **_ticket_part(ticket),
        **_custom_part(ticket.custom_fields),
        **_requester_part(ticket.requester),
        **_organization_part(ticket.organization),
        **_message_part(message),
        **_provided(ticket),
    }
