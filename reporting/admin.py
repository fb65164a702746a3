from django.contrib import admin

from reporting.models import TicketMetrics


@admin.register(TicketMetrics)
class TicketMetricsAdmin(admin.ModelAdmin):
    """Derived rows, rebuilt by `manage.py backfill_ticket_metrics`: read-only here."""

    list_display = ("ticket_id", "created_at", "team_id", "assignee_id", "priority", "channel",
                    "tier", "status", "first_response_seconds", "resolution_seconds", "reopens",
                    "escalations", "csat_score")
    list_filter = ("priority", "channel", "tier", "status", "reopened_within_7d",
                   "resolution_breached", "triage_source")
    search_fields = ("=ticket__id", "category", "csat_comment")
    date_hierarchy = "created_at"
    show_full_result_count = False

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False
