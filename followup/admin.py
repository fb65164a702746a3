"""Admin of follow-up: rules (versioned, with a dry run), settings, and what was scheduled."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from followup.models import (
    CheckIn,
    FollowupRule,
    FollowupSettings,
    ResolutionSummary,
    SatisfactionRating,
    ScheduledStep,
)
from tickets.admin_rules import RuleAdminMixin


@admin.register(FollowupRule)
class FollowupRuleAdmin(RuleAdminMixin, SimpleHistoryAdmin):
    list_display = ("name", "kind", "trigger", "order", "enabled", "reminder_after",
                    "close_after", "checkin_after", "calendar", "fired_count",
                    "condition_in_words")
    list_filter = ("enabled", "kind", "trigger", "calendar")
    fieldsets = (
        (None, {"fields": ("name", "explanation", "kind", "trigger", "order", "enabled",
                           "condition", "condition_in_words", "calendar", "fired_count")}),
        ("Remind, then close", {"fields": ("reminder_after", "reminder_text", "close_after",
                                           "close_text")}),
        ("Check-in", {"fields": ("checkin_after", "checkin_note")}),
    )


@admin.register(FollowupSettings)
class FollowupSettingsAdmin(SimpleHistoryAdmin):
    list_display = ("__str__", "daily_cap_per_contact", "survey_enabled",
                    "survey_sample_percent", "survey_cooldown_days", "survey_scale",
                    "survey_link_days", "customer_link_days")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return not FollowupSettings.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class RecordAdmin(admin.ModelAdmin):
    """What the follow-up machinery wrote: read it here, change it through the ticket page."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ScheduledStep)
class ScheduledStepAdmin(RecordAdmin):
    list_display = ("ticket", "step", "rule", "state", "reason", "due_at", "processed_at",
                    "contact")
    list_filter = ("state", "step", "reason", "rule")
    search_fields = ("=ticket__id", "contact__email")
    list_select_related = ("ticket", "rule", "contact")
    raw_id_fields = ("ticket", "contact", "outbound")
    date_hierarchy = "due_at"


@admin.register(CheckIn)
class CheckInAdmin(RecordAdmin):
    list_display = ("ticket", "owner", "due_at", "state", "rule", "closed_at")
    list_filter = ("state", "rule")
    search_fields = ("=ticket__id", "owner__username", "note")
    list_select_related = ("ticket", "owner", "rule")
    raw_id_fields = ("ticket",)


@admin.register(SatisfactionRating)
class SatisfactionRatingAdmin(RecordAdmin):
    list_display = ("ticket", "score", "scale", "nps", "contact", "rated_at", "updated_at")
    list_filter = ("score", "scale")
    search_fields = ("=ticket__id", "contact__email", "comment")
    list_select_related = ("ticket", "contact")
    raw_id_fields = ("ticket", "contact")


@admin.register(ResolutionSummary)
class ResolutionSummaryAdmin(RecordAdmin):
    list_display = ("ticket", "updated_by", "updated_at")
    search_fields = ("=ticket__id", "problem", "actions", "next_steps")
    list_select_related = ("ticket", "updated_by")
    raw_id_fields = ("ticket",)
