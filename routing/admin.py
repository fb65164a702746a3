"""Admin for routing: rules (with a dry run and a preview), skills, agents, teams, on-call."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.urls import URLPattern, path
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from simple_history.admin import SimpleHistoryAdmin

from routing.api.serializers import DraftTicketInput
from routing.models import (
    AgentLoad,
    AgentProfile,
    AgentSkill,
    Follower,
    Handoff,
    OnCallShift,
    RoutingDecision,
    RoutingRule,
    RoutingRuleSkill,
    Skill,
    TeamProfile,
)
from routing.preview import draft_ticket, preview_routing
from routing.services.loads import recount_agent_loads
from tickets.admin_rules import RuleAdminMixin
from tickets.conditions.facts import FACT_RELATIONS
from tickets.models import Ticket

PREVIEW_TEMPLATE = "admin/routing/preview.html"


class RoutingRuleSkillInline(admin.TabularInline):
    model = RoutingRuleSkill
    extra = 1


class PreviewForm(forms.Form):
    """A stored ticket by id, or a hand-written one as JSON."""

    ticket = forms.IntegerField(required=False, min_value=1, label="Ticket id")
    draft = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 8, "cols": 80}),
        label="Or a hand-written ticket (JSON)",
        help_text='e.g. {"priority": "P1", "tags": ["api"], '
        '"organization": {"tier": "enterprise"}}',
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if bool(data.get("ticket")) == bool(data.get("draft")):
            raise ValidationError("Give either a ticket id or a hand-written ticket.")
        return data

    def clean_draft(self) -> dict[str, Any] | None:
        text = self.cleaned_data.get("draft")
        if not text:
            return None
        try:
            raw = json.loads(text)
        except json.JSONDecodeError as error:
            raise ValidationError(f"Not JSON: {error}") from error
        draft = DraftTicketInput(data=raw)
        if not draft.is_valid():
            raise ValidationError(json.dumps(draft.errors))
        return dict(draft.validated_data)


def _previewed_ticket(form: PreviewForm) -> Ticket | None:
    data = form.cleaned_data
    if data.get("ticket"):
        ticket = Ticket.objects.select_related(*FACT_RELATIONS).filter(pk=data["ticket"]).first()
        if ticket is None:
            form.add_error("ticket", "No such ticket.")
        return ticket
    draft = dict(data["draft"])
    return draft_ticket(fields=draft, requester_email=draft.pop("requester_email"),
                        organization=draft.pop("organization"))


@admin.register(RoutingRule)
class RoutingRuleAdmin(RuleAdminMixin, SimpleHistoryAdmin):
    list_display = ("name", "order", "enabled", "team", "strategy", "fired_count",
                    "condition_in_words")
    list_select_related = ("team",)
    list_filter = ("enabled", "strategy", "team")
    inlines = [RoutingRuleSkillInline]
    change_list_template = "admin/routing/routingrule/change_list.html"

    def get_urls(self) -> list[URLPattern]:
        preview = path("preview/", self.admin_site.admin_view(self.preview_view),
                       name="routing_routingrule_preview")
        return [preview, *super().get_urls()]

    def preview_view(self, request: HttpRequest) -> TemplateResponse:
        """Where would this ticket go? Changes nothing."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        form = PreviewForm(request.POST or None)
        result = None
        if request.method == "POST" and form.is_valid():
            ticket = _previewed_ticket(form)
            if ticket is not None:
                result = preview_routing(ticket=ticket)
        context = {**self.admin_site.each_context(request), "opts": self.model._meta,
                   "title": "Where would this ticket go?", "form": form, "result": result}
        return TemplateResponse(request, PREVIEW_TEMPLATE, context)


@admin.register(Skill)
class SkillAdmin(admin.ModelAdmin):
    list_display = ("name", "slug")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}


class AgentSkillInline(admin.TabularInline):
    model = AgentSkill
    extra = 1


@admin.register(AgentProfile)
class AgentProfileAdmin(admin.ModelAdmin):
    list_display = ("user", "presence", "capacity", "region", "time_zone", "last_seen_at")
    list_filter = ("presence", "region")
    list_select_related = ("user",)
    search_fields = ("user__username", "user__email", "user__last_name")
    raw_id_fields = ("user",)
    inlines = [AgentSkillInline]


@admin.register(TeamProfile)
class TeamProfileAdmin(SimpleHistoryAdmin):
    list_display = ("team", "time_zone", "backup_team", "claim_on_reply", "catch_all",
                    "must_accept")
    list_select_related = ("team", "backup_team")


@admin.register(OnCallShift)
class OnCallShiftAdmin(admin.ModelAdmin):
    list_display = ("team", "agent", "starts_at", "ends_at", "is_override")
    list_filter = ("team", "is_override")
    list_select_related = ("team", "agent")
    raw_id_fields = ("agent",)
    date_hierarchy = "starts_at"


class ReadOnlyAdmin(admin.ModelAdmin):
    """Written by services only: admins read."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(RoutingDecision)
class RoutingDecisionAdmin(ReadOnlyAdmin):
    list_display = ("ticket", "rule_name", "strategy", "team", "agent", "fallback", "transfers",
                    "decided_at")
    list_filter = ("strategy", "fallback")
    search_fields = ("rule_name", "ticket__subject")
    list_select_related = ("ticket", "team", "agent")
    raw_id_fields = ("ticket",)
    # The stored form is compact (grouped by reason); admins read one line per agent.
    exclude = ("considered",)
    readonly_fields = ("candidates_considered",)

    @admin.display(description="candidates considered")
    def candidates_considered(self, decision: RoutingDecision) -> str:
        return format_html_join(
            mark_safe("<br>"), "{}: {}",
            ((c["agent"]["name"], _candidate_line(c)) for c in decision.candidates),
        )


def _candidate_line(candidate: dict[str, Any]) -> str:
    if candidate["eligible"]:
        return f"eligible ({candidate['load']}/{candidate['capacity']} open, " \
               f"skill {candidate['skill_score']})"
    return "skipped, " + "; ".join(candidate["skipped"])


@admin.register(AgentLoad)
class AgentLoadAdmin(ReadOnlyAdmin):
    list_display = ("user", "open_total", "open_p1", "open_p2", "open_p3", "open_p4",
                    "recounted_at")
    list_filter = (("recounted_at", admin.EmptyFieldListFilter),)
    list_select_related = ("user",)
    search_fields = ("user__username", "user__email", "user__last_name")
    ordering = ("-open_p1", "user")
    actions = ["recount"]

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    @admin.display(description="open")
    def open_total(self, obj: AgentLoad) -> int:
        return obj.open_total

    @admin.action(description="Recount from the tickets", permissions=["view"])
    def recount(self, request: HttpRequest, queryset: Any) -> None:
        corrected = recount_agent_loads(agent_ids=list(queryset.values_list("pk", flat=True)))
        self.message_user(request, f"Recounted; {len(corrected)} row(s) were wrong.")


@admin.register(Handoff)
class HandoffAdmin(ReadOnlyAdmin):
    list_display = ("ticket", "from_team", "to_team", "state", "created_at", "decided_at")
    list_filter = ("state", "to_team")
    list_select_related = ("ticket", "from_team", "to_team")
    search_fields = ("ticket__subject", "note", "rejection_reason")
    raw_id_fields = ("ticket",)


@admin.register(Follower)
class FollowerAdmin(admin.ModelAdmin):
    list_display = ("ticket", "user", "reason", "created_at")
    list_filter = ("reason",)
    list_select_related = ("ticket", "user")
    search_fields = ("user__username", "user__email", "ticket__subject")
    raw_id_fields = ("ticket", "user")
