"""Cache invalidation only (STYLE.md allows signals for that): edits reload the rulebook."""

from typing import Any

from django.db.models.signals import post_delete, post_save

from triage.rulebook import bump_version


def _bump(**_kwargs: Any) -> None:
    bump_version()


def connect() -> None:
    from triage.models import Extractor, PriorityRule, RequiredField, TriageRule, TriageSettings

    for model in (TriageRule, PriorityRule, Extractor, RequiredField, TriageSettings):
        post_save.connect(_bump, sender=model, dispatch_uid=f"triage-bump-{model.__name__}")
        post_delete.connect(_bump, sender=model, dispatch_uid=f"triage-del-{model.__name__}")
