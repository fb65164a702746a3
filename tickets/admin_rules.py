"""
Admin pieces shared by every rule model: list columns, help on the condition format, a dry run.

Use as ``class TriageRuleAdmin(RuleAdminMixin, SimpleHistoryAdmin)``, the mixin first so that
its options win over ModelAdmin's defaults. A subclass that sets its own ``actions`` should
keep ``"dry_run_rules"`` in them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils.html import format_html, format_html_join

from tickets.conditions import (
    CUSTOM_FIELDS_PREFIX,
    FIELDS,
    OPERATORS,
    explain,
    validate_condition,
)
from tickets.conditions.dry_run import DEFAULT_LIMIT, DryRunResult, dry_run

if TYPE_CHECKING:
    from collections.abc import Iterable

    from django import forms
    from django.db import models
    from django.utils.safestring import SafeString

    from tickets.models.rules import Rule

    _ModelAdmin = admin.ModelAdmin[Any]
else:
    _ModelAdmin = object

DRY_RUN_TEMPLATE: Final = "admin/rules/dry_run.html"
INVALID_CONDITION: Final = "invalid condition; open the rule to see why"


@dataclass(frozen=True, slots=True)
class RuleDryRun:
    """One rule's dry run as the admin shows it; `error` is set instead of a result if invalid."""

    name: str
    condition_text: str
    result: DryRunResult | None
    error: str = ""


def describe_condition(condition: Any) -> str:
    """Return the condition in words, or say it is invalid rather than break the list page."""
    # Rows saved before a validator change, or edited in SQL, may no longer be valid.
    try:
        validate_condition(condition)
    except ValidationError:
        return INVALID_CONDITION
    return explain(condition)


def condition_help_text() -> SafeString:
    """Return the help shown under a condition: the JSON format, operators and fields."""
    fields = format_html_join(", ", "<code>{}</code>", ((name,) for name in sorted(FIELDS)))
    operators = format_html_join(", ", "<code>{}</code>", ((op,) for op in sorted(OPERATORS)))
    return format_html(
        "A JSON tree. A leaf tests one field: "
        '<code>{{"field": "ticket.priority", "op": "equals", "value": "P1"}}</code>. '
        'Groups combine conditions: <code>{{"all": [...]}}</code>, '
        '<code>{{"any": [...]}}</code>, <code>{{"not": {{...}}}}</code>. '
        "<code>{{}}</code> always holds. <code>in</code> and <code>not_in</code> take a list; "
        "<code>is_empty</code> and <code>is_not_empty</code> take no value.<br>"
        "Operators: {}.<br>Fields: {}, and <code>{}&lt;key&gt;</code> for any custom field.",
        operators,
        fields,
        CUSTOM_FIELDS_PREFIX,
    )


def dry_run_rule(*, name: str, condition: Any, limit: int = DEFAULT_LIMIT) -> RuleDryRun:
    """Dry-run one rule's condition on the newest tickets, reporting an invalid one instead."""
    try:
        result = dry_run(condition=condition, limit=limit)
    except ValidationError as error:
        return RuleDryRun(name=name, condition_text=INVALID_CONDITION, result=None,
                          error="; ".join(error.messages))
    return RuleDryRun(name=name, condition_text=explain(condition), result=result)


def dry_run_rules_context(rules: Iterable[Rule], *, limit: int = DEFAULT_LIMIT) -> dict[str, Any]:
    """Return the template context for the dry runs of the rules, in the order given."""
    runs = [dry_run_rule(name=str(rule), condition=rule.condition, limit=limit) for rule in rules]
    return {"runs": runs, "limit": limit, "title": f"Dry run against the last {limit} tickets"}


class RuleAdminMixin(_ModelAdmin):
    """List, edit and dry-run rules; every rule model's ModelAdmin starts from this."""

    list_display = ("name", "order", "enabled", "fired_count", "condition_in_words")
    list_display_links = ("name",)
    list_editable = ("order", "enabled")
    list_filter = ("enabled",)
    search_fields = ("name", "explanation")
    # The counter only moves when the rule fires; an admin edit would falsify the statistics.
    readonly_fields = ("fired_count", "condition_in_words")
    actions = ("dry_run_rules",)

    @admin.display(description="condition")
    def condition_in_words(self, rule: Rule) -> str:
        return describe_condition(rule.condition)

    def formfield_for_dbfield(
        self, db_field: models.Field[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> forms.Field | None:
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "condition" and formfield is not None:
            formfield.help_text = condition_help_text()
        return formfield

    @admin.action(description=f"Dry-run against the last {DEFAULT_LIMIT} tickets",
                  permissions=["view"])
    def dry_run_rules(self, request: HttpRequest, queryset: Iterable[Rule]) -> TemplateResponse:
        context = {
            **self.admin_site.each_context(request),
            **dry_run_rules_context(queryset),
            "opts": self.model._meta,
        }
        return TemplateResponse(request, DRY_RUN_TEMPLATE, context)
