"""
Admin for SLAs: calendars, policies and warning levels (versioned with simple_history), and
read-only views of the clocks, their warnings and their history.

Saving a calendar, a policy or a level applies it to open tickets at once: the save enqueues
a task that recomputes their clocks, and the page says so.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from escalation.models import (
    BusinessCalendar,
    CalendarClosure,
    SlaHistory,
    SlaPolicy,
    SlaTarget,
    SlaTimer,
    SlaWarning,
    SlaWarningLevel,
    TicketSla,
)
from escalation.services.recompute import recompute_open_tickets_on_commit
from tickets.admin_rules import RuleAdminMixin

RECOMPUTE_NOTICE = (
    "Open tickets are being recomputed under this change in the background; their due "
    "times update within a minute or two."
)
APPLIES_AT_ONCE = "Changes apply to open tickets at once: their clocks are recomputed."


class RecomputeOnSaveMixin:
    """Recompute open tickets after an edit commits, and tell the admin it is happening."""

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)  # type: ignore[misc]
        recompute_open_tickets_on_commit()
        messages.info(request, RECOMPUTE_NOTICE)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        super().delete_model(request, obj)  # type: ignore[misc]
        recompute_open_tickets_on_commit()
        messages.info(request, RECOMPUTE_NOTICE)


class CalendarClosureInline(admin.TabularInline):
    model = CalendarClosure
    extra = 1


@admin.register(BusinessCalendar)
class BusinessCalendarAdmin(RecomputeOnSaveMixin, SimpleHistoryAdmin):
    list_display = ("name", "time_zone", "always_open", "holiday_country",
                    "holiday_subdivision", "updated_at")
    list_filter = ("always_open", "time_zone", "holiday_country")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    inlines = [CalendarClosureInline]
    fieldsets = ((None, {
        "fields": ("name", "slug", "time_zone", "always_open", "hours",
                   "holiday_country", "holiday_subdivision"),
        "description": APPLIES_AT_ONCE,
    }),)


class SlaTargetInline(admin.TabularInline):
    model = SlaTarget
    extra = 1


@admin.register(SlaPolicy)
class SlaPolicyAdmin(RecomputeOnSaveMixin, RuleAdminMixin, SimpleHistoryAdmin):
    inlines = [SlaTargetInline]
    fieldsets = ((None, {
        "fields": ("name", "explanation", "condition", "condition_in_words", "order",
                   "enabled", "fired_count"),
        "description": "The first enabled policy, in order, whose condition holds is the "
        "ticket's. " + APPLIES_AT_ONCE,
    }),)


@admin.register(SlaWarningLevel)
class SlaWarningLevelAdmin(RecomputeOnSaveMixin, SimpleHistoryAdmin):
    list_display = ("percent", "recipients", "enabled")
    list_filter = ("enabled",)
    search_fields = ("recipients",)
    fieldsets = ((None, {
        "fields": ("percent", "recipients", "enabled"),
        "description": "At this share of a target the sweep tells these people, once per "
        "clock; 100 is the breach. " + APPLIES_AT_ONCE,
    }),)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows the clocks write; admins look, services change them."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(TicketSla)
class TicketSlaAdmin(ReadOnlyAdmin):
    list_display = ("ticket", "policy", "applied_at")
    list_filter = ("policy",)
    search_fields = ("=ticket__id", "ticket__subject")
    list_select_related = ("ticket", "policy")


@admin.register(SlaTimer)
class SlaTimerAdmin(ReadOnlyAdmin):
    list_display = ("ticket", "metric", "state", "target_seconds", "due_at", "paused_at",
                    "breached_at", "fulfilled_at")
    list_filter = ("state", "metric", "calendar")
    search_fields = ("=ticket__id", "ticket__subject")
    list_select_related = ("ticket",)
    date_hierarchy = "due_at"


@admin.register(SlaWarning)
class SlaWarningAdmin(ReadOnlyAdmin):
    list_display = ("timer", "level", "due_at", "fired_at", "superseded", "notified_at")
    list_filter = ("level", "superseded")
    search_fields = ("=timer__ticket__id",)
    list_select_related = ("timer", "level")


@admin.register(SlaHistory)
class SlaHistoryAdmin(ReadOnlyAdmin):
    list_display = ("ticket", "metric", "kind", "reason", "created_at")
    list_filter = ("kind", "metric")
    search_fields = ("=ticket__id", "reason")
    list_select_related = ("ticket",)
