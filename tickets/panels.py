"""
Panels that downstream apps add to the ticket page, listed in settings.HELPDESK_TICKET_PANELS.

A panel is `def panel(*, ticket, user) -> Panel | None`: the template to include in the page's
side column and the context it needs. The spine renders them in order without knowing the apps
behind them (SLA clocks, escalations, follow-ups, handoffs), the same way the intake pipeline
runs stages it does not import.
"""

from dataclasses import dataclass, field
from functools import cache
from typing import Any, Protocol

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.utils.module_loading import import_string

from tickets.models import Ticket


@dataclass(frozen=True)
class Panel:
    template: str
    context: dict[str, Any] = field(default_factory=dict)


class PanelFunction(Protocol):
    def __call__(self, *, ticket: Ticket, user: AbstractBaseUser) -> Panel | None: ...


@cache
def _panel(path: str) -> PanelFunction:
    return import_string(path)


def ticket_panels(*, ticket: Ticket, user: AbstractBaseUser) -> list[Panel]:
    panels = (_panel(path)(ticket=ticket, user=user) for path in settings.HELPDESK_TICKET_PANELS)
    return [panel for panel in panels if panel is not None]
