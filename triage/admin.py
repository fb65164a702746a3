"""Everything an admin tunes in triage; decisions and models are read-only records."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from tickets.admin_rules import RuleAdminMixin
from triage.models import (
    ClassifierModel,
    Extractor,
    PriorityRule,
    RequiredField,
    TriageDecision,
    TriageOverride,
    TriageRule,
    TriageSettings,
)


@admin.register(TriageRule)
class TriageRuleAdmin(RuleAdminMixin, admin.ModelAdmin):
    list_display = ("name", "category", "weight", "order", "enabled", "fired_count",
                    "condition_in_words")
    list_editable = ("order", "enabled", "weight")
    list_filter = ("enabled", "category")


@admin.register(PriorityRule)
class PriorityRuleAdmin(RuleAdminMixin, admin.ModelAdmin):
    list_display = ("name", "priority", "severity", "order", "enabled", "fired_count",
                    "condition_in_words")


@admin.register(Extractor)
class ExtractorAdmin(admin.ModelAdmin):
    list_display = ("name", "field", "pattern", "order", "enabled")
    list_editable = ("order", "enabled")


@admin.register(RequiredField)
class RequiredFieldAdmin(admin.ModelAdmin):
    list_display = ("field", "category", "channel", "question", "enabled")
    list_filter = ("enabled", "category", "channel")


@admin.register(TriageSettings)
class TriageSettingsAdmin(admin.ModelAdmin):
    list_display = ("__str__", "confidence_threshold", "awaiting_info_timeout_hours",
                    "similar_days")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return not TriageSettings.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(TriageDecision)
class TriageDecisionAdmin(ReadOnlyAdmin):
    list_display = ("ticket", "trigger", "category", "confidence", "needs_review", "priority",
                    "created_at")
    list_filter = ("needs_review", "trigger", "category")
    list_select_related = ("ticket",)
    raw_id_fields = ("ticket", "current_for")


@admin.register(TriageOverride)
class TriageOverrideAdmin(ReadOnlyAdmin):
    list_display = ("ticket", "field", "before", "after", "actor", "created_at")
    list_filter = ("field",)
    list_select_related = ("ticket", "actor")


@admin.register(ClassifierModel)
class ClassifierModelAdmin(ReadOnlyAdmin):
    list_display = ("trained_at", "size", "cv_accuracy", "active")
    exclude = ("weights",)
