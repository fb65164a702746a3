from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from tickets.models import (
    ApiKey,
    Attachment,
    Category,
    Contact,
    Message,
    Organization,
    OutboundEmail,
    Team,
    Ticket,
    TicketEvent,
)


class ReadOnlyInline(admin.TabularInline):
    """The timeline is append-only: admins read it, nobody edits it here."""

    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class MessageInline(ReadOnlyInline):
    model = Message
    fields = ["created_at", "kind", "author_user", "author_contact", "body"]
    readonly_fields = fields


class EventInline(ReadOnlyInline):
    model = TicketEvent
    fields = ["created_at", "kind", "actor", "before", "after", "reason_code", "note"]
    readonly_fields = fields
    ordering = ["created_at"]


class AttachmentInline(ReadOnlyInline):
    model = Attachment
    fields = ["filename", "content_type", "size", "sha256", "created_at"]
    readonly_fields = fields


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
    list_display = ["id", "subject", "status", "priority", "category", "channel", "team",
                    "assignee", "requester", "organization", "created_at"]
    list_filter = ["status", "priority", "channel", "severity", "category", "team"]
    search_fields = ["=id", "subject", "requester__email", "external_id"]
    list_select_related = ["team", "assignee", "requester", "organization", "category"]
    raw_id_fields = ["requester", "organization", "assignee", "follows_up", "created_by_key"]
    # Lifecycle fields change only through services, so that every change leaves an event.
    readonly_fields = ["status", "assignee", "team", "first_response_at", "solved_at",
                       "closed_at", "sla_due_at", "escalated_at", "reassignments", "reopens",
                       "customer_contacts", "public_replies", "created_at", "updated_at"]
    exclude = ["search_vector"]
    inlines = [MessageInline, AttachmentInline, EventInline]
    date_hierarchy = "created_at"
    show_full_result_count = False


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "external_id", "tier", "plan", "region", "health_score", "at_risk",
                    "renewal_date"]
    list_filter = ["tier", "at_risk", "region"]
    search_fields = ["name", "external_id", "email_domains"]


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ["email", "name", "organization", "language", "created_at"]
    list_filter = ["language"]
    search_fields = ["email", "name", "organization__name"]
    list_select_related = ["organization"]
    raw_id_fields = ["organization"]


@admin.register(Team)
class TeamAdmin(SimpleHistoryAdmin):
    list_display = ["name", "lead", "created_at"]
    search_fields = ["name"]
    filter_horizontal = ["members"]


@admin.register(Category)
class CategoryAdmin(SimpleHistoryAdmin):
    list_display = ["slug", "name", "active"]
    list_filter = ["active"]
    search_fields = ["slug", "name"]


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ["id", "ticket", "kind", "author_user", "author_contact", "created_at"]
    list_filter = ["kind"]
    search_fields = ["=ticket__id", "email_message_id"]
    raw_id_fields = ["ticket", "author_user", "author_contact"]
    readonly_fields = ["created_at"]


@admin.register(TicketEvent)
class TicketEventAdmin(admin.ModelAdmin):
    list_display = ["id", "ticket", "kind", "actor", "reason_code", "created_at"]
    list_filter = ["kind"]
    search_fields = ["=ticket__id", "reason_code"]
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Attachment)
class AttachmentAdmin(admin.ModelAdmin):
    list_display = ["filename", "ticket", "content_type", "size", "created_at"]
    search_fields = ["filename", "=ticket__id", "sha256"]
    raw_id_fields = ["ticket", "message"]


@admin.register(OutboundEmail)
class OutboundEmailAdmin(admin.ModelAdmin):
    list_display = ["id", "ticket", "kind", "to", "state", "attempts", "sent_at"]
    list_filter = ["kind", "state"]
    search_fields = ["=ticket__id", "to", "email_message_id"]
    raw_id_fields = ["ticket", "message"]


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ["name", "prefix", "scopes", "user", "is_integration", "last_used_at",
                    "revoked_at"]
    list_filter = ["is_integration"]
    search_fields = ["name", "prefix"]
    readonly_fields = ["prefix", "key_hash", "created_at", "last_used_at"]
    actions = ["revoke"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Keys are created with `manage.py create_api_key`, which prints the secret once.
        return False

    @admin.action(description="Revoke the selected keys")
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiKey]) -> None:
        from django.utils import timezone

        from tickets.api.key_cache import forget

        revoked = queryset.filter(revoked_at__isnull=True)
        hashes = list(revoked.values_list("key_hash", flat=True))
        revoked.update(revoked_at=timezone.now())
        forget(hashes)


# --- Agent workspace: macros and knowledge articles -----------------------------------------

from django import forms  # noqa: E402
from django.template import TemplateSyntaxError  # noqa: E402

from tickets.macros import check_macro_body  # noqa: E402
from tickets.models import ArticleUse, KnowledgeArticle, Macro, MacroUse  # noqa: E402


class MacroForm(forms.ModelForm):
    class Meta:
        model = Macro
        fields = ["name", "body", "active"]
        help_texts = {
            "body": "Placeholders: {{ requester.first_name }}, {{ requester.name }}, "
            "{{ ticket.reference }}, {{ ticket.subject }}, {{ organization.name }}, "
            "{{ agent.first_name }}. Only {% if %} and {% for %} tags are allowed.",
        }

    def clean_body(self) -> str:
        body: str = self.cleaned_data["body"]
        try:
            check_macro_body(body)
        except TemplateSyntaxError as error:
            raise forms.ValidationError(str(error)) from error
        return body


@admin.register(Macro)
class MacroAdmin(admin.ModelAdmin):
    form = MacroForm
    list_display = ["name", "active", "updated_at"]
    list_filter = ["active"]
    search_fields = ["name", "body"]


@admin.register(KnowledgeArticle)
class KnowledgeArticleAdmin(admin.ModelAdmin):
    list_display = ["title", "category", "internal", "published", "updated_at"]
    list_filter = ["internal", "published", "category"]
    search_fields = ["title", "body"]
    exclude = ["search_vector"]


class UseAdmin(admin.ModelAdmin):
    """Usage records are written by the workspace; admins only read them."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(MacroUse)
class MacroUseAdmin(UseAdmin):
    list_display = ["macro", "ticket", "user", "edited", "created_at"]
    list_filter = ["edited", "macro"]
    raw_id_fields = ["ticket", "message"]


@admin.register(ArticleUse)
class ArticleUseAdmin(UseAdmin):
    list_display = ["article", "ticket", "user", "mode", "created_at"]
    list_filter = ["mode"]
    raw_id_fields = ["ticket"]
