"""Admin: channels (versioned), preferences, and notifications with their delivery record."""

from django.contrib import admin, messages
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from simple_history.admin import SimpleHistoryAdmin

from escalation.notifications.forms import NotificationChannelForm
from escalation.notifications.models import (
    ChannelPreference,
    Delivery,
    Notification,
    NotificationChannel,
)
from escalation.notifications.services.delivery import retry_deliveries


@admin.register(NotificationChannel)
class NotificationChannelAdmin(SimpleHistoryAdmin):
    form = NotificationChannelForm
    list_display = ("name", "kind", "enabled", "default_on", "url", "allow_private_address",
                    "updated_at")
    list_filter = ("kind", "enabled", "default_on", "allow_private_address")
    search_fields = ("name", "url")
    filter_horizontal = ("teams",)
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fieldsets = [
        (None, {"fields": ("name", "kind", "enabled", "default_on")}),
        ("Endpoint (webhook and SMS)", {
            "fields": ("url", "secret", "forget_secret", "allow_private_address"),
            "description": "The URL is refused when its host resolves to a private, loopback, "
            "link-local or reserved address, here and again before every send, unless "
            "'allow private address' is ticked.",
        }),
        ("Who and what", {"fields": ("kinds", "teams")}),
    ]


@admin.register(ChannelPreference)
class ChannelPreferenceAdmin(admin.ModelAdmin):
    list_display = ("user", "channel", "enabled", "address", "updated_at")
    list_filter = ("enabled", "channel")
    list_select_related = ("user", "channel")
    search_fields = ("user__username", "user__email", "address")
    raw_id_fields = ("user",)


class ReadOnlyMixin:
    """Written by services only: admins read (and retry deliveries through an action)."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class DeliveryInline(ReadOnlyMixin, admin.TabularInline):
    model = Delivery
    fields = ("channel", "address", "state", "attempts", "last_error", "sent_at", "updated_at")
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(Notification)
class NotificationAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("subject", "recipient", "kind", "ticket", "created_at", "read_at")
    list_filter = ("kind", ("read_at", admin.EmptyFieldListFilter))
    list_select_related = ("recipient", "ticket")
    search_fields = ("subject", "dedupe_key", "recipient__username", "recipient__email")
    raw_id_fields = ("recipient", "ticket")
    date_hierarchy = "created_at"
    inlines = [DeliveryInline]


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("notification", "channel", "address", "state", "attempts", "short_error",
                    "updated_at", "sent_at")
    list_filter = ("state", "channel__kind", "channel")
    list_select_related = ("notification", "channel")
    search_fields = ("address", "last_error", "notification__subject",
                     "notification__dedupe_key")
    raw_id_fields = ("notification",)
    date_hierarchy = "created_at"
    actions = ["retry_failed"]

    @admin.display(description="last error")
    def short_error(self, delivery: Delivery) -> str:
        return delivery.last_error[:120]

    @admin.action(description="Retry the selected failed deliveries")
    def retry_failed(self, request: HttpRequest, queryset: QuerySet[Delivery]) -> None:
        ids = list(queryset.values_list("pk", flat=True))
        queued = retry_deliveries(delivery_ids=ids, now=timezone.now())
        self.message_user(request, f"{queued} deliveries queued again.", messages.SUCCESS)
