"""Names for the ids that metrics rows group by: one query per table, never per row."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model

from tickets.models import Category, Team

NONE_LABEL = "(none)"


def _label(rows: list[dict[str, Any]], key: str, names: dict[Any, str]) -> list[dict[str, Any]]:
    for row in rows:
        row[f"{key}_name"] = names.get(row[key], NONE_LABEL if row[key] in (None, "") else
                                       str(row[key]))
    return rows


def with_team_names(rows: list[dict[str, Any]], key: str = "team_id") -> list[dict[str, Any]]:
    ids = {row[key] for row in rows if row[key] is not None}
    return _label(rows, key, dict(Team.objects.filter(pk__in=ids).values_list("pk", "name")))


def with_agent_names(rows: list[dict[str, Any]], key: str = "assignee_id") -> list[dict[str, Any]]:
    ids = {row[key] for row in rows if row[key] is not None}
    users = get_user_model().objects.filter(pk__in=ids).values_list(
        "pk", "first_name", "last_name", "username")
    names = {pk: f"{first} {last}".strip() or username for pk, first, last, username in users}
    return _label(rows, key, names)


def with_category_names(rows: list[dict[str, Any]], key: str = "category") -> list[dict[str, Any]]:
    slugs = {row[key] for row in rows if row[key]}
    return _label(rows, key, dict(Category.objects.filter(slug__in=slugs).values_list(
        "slug", "name")))


def with_choice_labels(
    rows: list[dict[str, Any]], key: str, choices: Any
) -> list[dict[str, Any]]:
    return _label(rows, key, {value: str(label) for value, label in choices})
