from django.contrib import admin

from reporting.models import DailyRollup, DeletedMetrics, RollupCoverage, TicketMetrics


class ReadOnlyAdmin(admin.ModelAdmin):
    """Reporting tables are derived from the tickets: admins read them, never edit them."""

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(TicketMetrics)
class TicketMetricsAdmin(ReadOnlyAdmin):
    """Derived rows, rebuilt by `manage.py backfill_ticket_metrics`: read-only here."""

    list_display = ("ticket_id", "created_at", "team_id", "assignee_id", "priority", "channel",
                    "tier", "status", "first_response_seconds", "resolution_seconds", "reopens",
                    "escalations", "csat_score")
    list_filter = ("priority", "channel", "tier", "status", "reopened_within_7d",
                   "resolution_breached", "triage_source")
    search_fields = ("=ticket__id", "category", "csat_comment")
    date_hierarchy = "created_at"
    show_full_result_count = False


@admin.register(DailyRollup)
class DailyRollupAdmin(ReadOnlyAdmin):
    """Derived cells, rebuilt by `manage.py backfill_rollups` and the beat task: read-only."""

    list_display = ("day", "team_id", "priority", "channel", "tier", "category", "tickets",
                    "solved", "escalated", "rated", "refreshed_at")
    list_filter = ("priority", "channel", "tier")
    search_fields = ("category", "=team_id")
    date_hierarchy = "day"
    show_full_result_count = False


@admin.register(RollupCoverage)
class RollupCoverageAdmin(ReadOnlyAdmin):
    list_display = ("first_day", "last_day", "refreshed_at")
    list_filter = ("last_day",)
    search_fields = ("=first_day",)


@admin.register(DeletedMetrics)
class DeletedMetricsAdmin(ReadOnlyAdmin):
    """Deletions the next rollup refresh has yet to take into account: read-only."""

    list_display = ("ticket_id", "created_at", "deleted_at")
    list_filter = ("deleted_at",)
    search_fields = ("=ticket_id",)
    date_hierarchy = "created_at"
