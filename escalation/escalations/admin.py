"""
Admin for escalation policies (versioned with simple_history, dry-run against the last N
tickets) and read-only views of the escalations they raised and of the tickets' signals.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.admin.helpers import ActionForm
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils import timezone
from simple_history.admin import SimpleHistoryAdmin

from escalation.escalations.choices import DeEscalateWhen
from escalation.escalations.dry_run import MAX_LIMIT, dry_run_context
from escalation.escalations.models import (
    Escalation,
    EscalationLabel,
    EscalationPolicy,
    SweepMark,
    TicketSignals,
)
from tickets.admin_rules import DRY_RUN_TEMPLATE, RuleAdminMixin
from tickets.conditions.dry_run import DEFAULT_LIMIT


def _limit_field() -> forms.IntegerField:
    return forms.IntegerField(min_value=1, max_value=MAX_LIMIT, required=False,
                              initial=DEFAULT_LIMIT, label="Dry run on the last")


class DryRunActionForm(ActionForm):
    dry_run_limit = _limit_field()


class DryRunLimitForm(forms.Form):
    dry_run_limit = _limit_field()


class EscalationPolicyForm(forms.ModelForm):
    de_escalate_on = forms.MultipleChoiceField(
        choices=DeEscalateWhen.choices, widget=forms.CheckboxSelectMultiple, required=False,
        help_text="What ends the escalation; a lead or manager can always end it by hand.",
    )

    class Meta:
        model = EscalationPolicy
        # The admin adds the fields of its fieldsets.
        fields = ("de_escalate_on",)


@admin.register(EscalationPolicy)
class EscalationPolicyAdmin(RuleAdminMixin, SimpleHistoryAdmin):
    form = EscalationPolicyForm
    action_form = DryRunActionForm
    list_display = ("name", "order", "enabled", "level", "set_priority", "owner_team",
                    "fired_count", "condition_in_words")
    list_filter = ("enabled", "level", "set_priority", "customer_update", "owner_team")
    filter_horizontal = ("notify_users",)
    fieldsets = (
        (None, {
            "fields": ("name", "explanation", "condition", "condition_in_words", "order",
                       "enabled", "level", "fired_count"),
            "description": "Every enabled policy whose condition holds fires, once per ticket "
            "until that escalation ends. Select policies and run the dry-run action to see "
            "how often they would have fired on recent tickets, without changing anything.",
        }),
        ("Who is told", {"fields": ("notify_assignee", "notify_team_lead", "notify_managers",
                                    "notify_on_call", "notify_users", "notification_kind")}),
        ("What changes", {"fields": ("set_priority", "owner_team", "owner_user")}),
        ("Customer update", {"fields": ("customer_update", "customer_template",
                                        "promised_response_minutes")}),
        ("Ends when", {"fields": ("de_escalate_on",)}),
    )

    @admin.action(description="Dry-run against the last N tickets", permissions=["view"])
    def dry_run_rules(self, request: HttpRequest, queryset: Any) -> TemplateResponse:
        form = DryRunLimitForm(request.POST)
        limit = DEFAULT_LIMIT
        if form.is_valid() and form.cleaned_data.get("dry_run_limit"):
            limit = form.cleaned_data["dry_run_limit"]
        context = {
            **self.admin_site.each_context(request),
            **dry_run_context(queryset.order_by("order", "pk"), limit=limit),
            "opts": self.model._meta,
        }
        return TemplateResponse(request, DRY_RUN_TEMPLATE, context)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows the services write; admins look, leads act from the ticket page."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Escalation)
class EscalationAdmin(ReadOnlyAdmin):
    list_display = ("ticket", "trigger", "policy", "level", "created_at", "acknowledged_at",
                    "acknowledged_by", "de_escalated_at")
    list_filter = ("trigger", "level", "policy", ("de_escalated_at", admin.EmptyFieldListFilter),
                   ("acknowledged_at", admin.EmptyFieldListFilter))
    search_fields = ("=ticket__id", "ticket__subject", "reason", "de_escalation_reason")
    list_select_related = ("ticket", "policy", "acknowledged_by")
    date_hierarchy = "created_at"


@admin.register(EscalationLabel)
class EscalationLabelAdmin(SimpleHistoryAdmin):
    """Quality labels: changeable here too, each version kept and restorable in its history."""

    list_display = ("escalation", "quality", "labelled_by", "labelled_at")
    list_filter = ("quality", "escalation__trigger", "escalation__policy")
    search_fields = ("=escalation__ticket__id", "escalation__ticket__subject",
                     "labelled_by__username")
    list_select_related = ("escalation", "labelled_by")
    raw_id_fields = ("escalation",)
    readonly_fields = ("labelled_by", "labelled_at")
    date_hierarchy = "labelled_at"

    def save_model(self, request: HttpRequest, obj: EscalationLabel, form: Any,
                   change: bool) -> None:
        # Whoever saves the label is who labelled it, now.
        obj.labelled_by, obj.labelled_at = request.user, timezone.now()
        super().save_model(request, obj, form, change)


@admin.register(TicketSignals)
class TicketSignalsAdmin(ReadOnlyAdmin):
    list_display = ("ticket", "human_requested", "sentiment_latest", "sentiment_previous",
                    "reopened_at", "updated_at")
    list_filter = ("human_requested",)
    search_fields = ("=ticket__id", "last_customer_words")
    list_select_related = ("ticket",)


@admin.register(SweepMark)
class SweepMarkAdmin(ReadOnlyAdmin):
    list_display = ("ticket", "sla_state", "sla_due_at")
    list_filter = ("sla_state",)
    search_fields = ("=ticket__id",)
    list_select_related = ("ticket",)
