"""The intake pipeline: stages listed in settings.HELPDESK_INTAKE_PIPELINE, run in order."""

from dataclasses import dataclass, field
from functools import cache
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.utils.module_loading import import_string

from tickets.models import ApiKey, Ticket


@dataclass
class IntakeContext:
    """What a stage may read (the raw request) and where it reports its decision."""

    payload: dict[str, Any]
    actor: AbstractBaseUser | None = None
    api_key: ApiKey | None = None
    # Each stage files its decision under its own name ("triage", "routing", "sla"), and the
    # API response reports them.
    decisions: dict[str, Any] = field(default_factory=dict)


@cache
def _stage(path: str) -> Any:
    return import_string(path)


def run_intake_pipeline(ticket: Ticket, ctx: IntakeContext) -> None:
    for path in settings.HELPDESK_INTAKE_PIPELINE:
        _stage(path)(ticket, ctx)
