"""
Render macros with a restricted template engine.

Macros are written by admins but rendered into mail that customers read, so the engine sees
only plain strings in dicts: no model objects (no `requester.organization.api_keys`), no
template loaders (no {% include %}), and only the `if`/`for` tags and the default filters.
"""

from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.template import Context, Engine, Library, TemplateSyntaxError, defaulttags

from tickets.models import Macro, Ticket

register = Library()
register.tag("if", defaulttags.do_if)
register.tag("for", defaulttags.do_for)


class MacroEngine(Engine):
    # Replaces Django's default builtins, which include {% debug %} and {% load %}.
    default_builtins = ["tickets.macros", "django.template.defaultfilters"]


_ENGINE = MacroEngine(dirs=[], app_dirs=False, loaders=[], autoescape=False)


def macro_context(*, ticket: Ticket, agent: AbstractBaseUser) -> dict[str, Any]:
    """Return the only values a macro may print."""
    requester = ticket.requester
    organization = ticket.organization
    return {
        "requester": {
            "first_name": requester.first_name,
            "name": requester.name,
            "email": requester.email,
        },
        "organization": {"name": organization.name if organization else ""},
        "ticket": {
            "reference": ticket.reference,
            "subject": ticket.subject,
            "status": ticket.get_status_display(),
            "priority": ticket.priority,
        },
        "agent": {
            "first_name": getattr(agent, "first_name", ""),
            "name": agent.get_full_name() or agent.get_username(),  # type: ignore[attr-defined]
        },
    }


def render_macro(*, macro: Macro, ticket: Ticket, agent: AbstractBaseUser) -> str:
    """Return the macro's text for this ticket; a broken macro comes back as written."""
    try:
        template = _ENGINE.from_string(macro.body)
    except TemplateSyntaxError:
        return macro.body
    return template.render(Context(macro_context(ticket=ticket, agent=agent), autoescape=False))


def check_macro_body(body: str) -> None:
    """Raise TemplateSyntaxError when the body uses a tag the macro engine does not allow."""
    _ENGINE.from_string(body)
