"""Everything an admin tunes in triage; decisions, calls and models are read-only records."""

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.urls import URLPattern, path
from simple_history.admin import SimpleHistoryAdmin

from tickets.admin_rules import DRY_RUN_TEMPLATE, RuleAdminMixin
from triage.dry_run import DEFAULT_LIMIT, dry_run_triage
from triage.models import (
    AccountEnrichmentHook,
    ClassifierModel,
    EnrichmentCall,
    Extractor,
    PriorityRule,
    RequiredField,
    TriageDecision,
    TriageOverride,
    TriageRule,
    TriageSettings,
)

MAX_DRY_RUN_LIMIT = 5000


@admin.register(TriageRule)
class TriageRuleAdmin(RuleAdminMixin, SimpleHistoryAdmin):
    list_display = ("name", "category", "weight", "order", "enabled", "fired_count",
                    "condition_in_words")
    list_editable = ("order", "enabled", "weight")
    list_filter = ("enabled", "category")

    def get_urls(self) -> list[URLPattern]:
        own = [path("dry-run/", self.admin_site.admin_view(self.dry_run_rule_set),
                    name="triage_triagerule_dry_run")]
        return own + super().get_urls()

    @admin.action(description=f"Dry-run with precision and recall (last {DEFAULT_LIMIT} tickets)",
                  permissions=["view"])
    def dry_run_rules(self, request: HttpRequest, queryset: Any) -> TemplateResponse:
        return self._dry_run_page(request, rules=queryset.order_by("order", "pk"))

    def dry_run_rule_set(self, request: HttpRequest) -> TemplateResponse:
        """The enabled rule set and the classifier alone, on ?limit= tickets (default 500)."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        return self._dry_run_page(request, rules=())

    def _dry_run_page(self, request: HttpRequest, *, rules: Any) -> TemplateResponse:
        limit = _limit(request.GET.get("limit"))
        context = {
            **self.admin_site.each_context(request),
            "runs": dry_run_triage(rules=rules, limit=limit),
            "limit": limit, "title": f"Dry run against the last {limit} tickets",
            "with_quality": True, "opts": self.model._meta,
        }
        return TemplateResponse(request, DRY_RUN_TEMPLATE, context)


def _limit(raw: str | None) -> int:
    try:
        value = int(raw or DEFAULT_LIMIT)
    except ValueError:
        return DEFAULT_LIMIT
    return min(max(value, 1), MAX_DRY_RUN_LIMIT)


@admin.register(PriorityRule)
class PriorityRuleAdmin(RuleAdminMixin, SimpleHistoryAdmin):
    list_display = ("name", "priority", "severity", "order", "enabled", "fired_count",
                    "condition_in_words")
    list_filter = ("enabled", "priority", "severity")


@admin.register(Extractor)
class ExtractorAdmin(SimpleHistoryAdmin):
    list_display = ("name", "field", "pattern", "order", "enabled")
    list_editable = ("order", "enabled")
    list_filter = ("enabled",)
    search_fields = ("name", "field", "pattern")


@admin.register(RequiredField)
class RequiredFieldAdmin(SimpleHistoryAdmin):
    list_display = ("field", "category", "channel", "question", "enabled")
    list_filter = ("enabled", "category", "channel")
    search_fields = ("field", "question")


@admin.register(TriageSettings)
class TriageSettingsAdmin(SimpleHistoryAdmin):
    list_display = ("__str__", "confidence_threshold", "awaiting_info_timeout_hours",
                    "similar_days", "parent_incident_min_rank")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return not TriageSettings.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class HookForm(forms.ModelForm):
    url = forms.URLField(max_length=500, assume_scheme="https",
                         help_text=AccountEnrichmentHook._meta.get_field("url").help_text)

    class Meta:
        model = AccountEnrichmentHook
        fields = ("name", "url", "secret_header", "secret_value", "timeout_seconds",
                  "cache_ttl_seconds", "allow_private_address", "enabled")
        # Shown masked; an admin who leaves the field as it is keeps the secret.
        widgets = {"secret_value": forms.PasswordInput(render_value=True)}


@admin.register(AccountEnrichmentHook)
class AccountEnrichmentHookAdmin(SimpleHistoryAdmin):
    form = HookForm
    list_display = ("name", "url", "enabled", "timeout_seconds", "cache_ttl_seconds",
                    "allow_private_address", "updated_at")
    list_filter = ("enabled", "allow_private_address")
    search_fields = ("name", "url")


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(EnrichmentCall)
class EnrichmentCallAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "hook", "organization", "ok", "status_code", "duration_ms",
                    "error")
    list_filter = ("ok", "hook")
    list_select_related = ("hook", "organization")
    search_fields = ("organization__name", "error")
    raw_id_fields = ("organization",)


@admin.register(TriageDecision)
class TriageDecisionAdmin(ReadOnlyAdmin):
    list_display = ("ticket", "trigger", "category", "confidence", "needs_review", "priority",
                    "created_at")
    list_filter = ("needs_review", "trigger", "category")
    list_select_related = ("ticket",)
    search_fields = ("=ticket__id", "category", "explanation")
    raw_id_fields = ("ticket", "current_for", "parent_incident")


@admin.register(TriageOverride)
class TriageOverrideAdmin(ReadOnlyAdmin):
    list_display = ("ticket", "field", "before", "after", "actor", "created_at")
    list_filter = ("field",)
    list_select_related = ("ticket", "actor")
    search_fields = ("=ticket__id", "before", "after")


@admin.register(ClassifierModel)
class ClassifierModelAdmin(ReadOnlyAdmin):
    list_display = ("trained_at", "size", "cv_accuracy", "active")
    list_filter = ("active",)
    exclude = ("weights",)
