"""Forms of the agent workspace; they validate input and leave every write to the services."""

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from tickets.choices import TRANSITIONS, Priority, TicketStatus
from tickets.forms import MultipleFileField, validate_attachments
from tickets.models import Category, Macro, Team, Ticket

REASON_HELP = _("Recorded with the change, so others can see why.")


def agent_users() -> QuerySet[Any]:
    """Return the active users who may own tickets, by name."""
    return (
        get_user_model().objects.filter(
            is_active=True, groups__permissions__codename="work_ticket"
        )
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


class AgentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.get_full_name() or obj.get_username()


class ReplyForm(forms.Form):
    """A public reply or an internal note, optionally followed by a status change."""

    body = forms.CharField(strip=False, max_length=65_536, widget=forms.Textarea(attrs={"rows": 7}))
    public = forms.TypedChoiceField(
        choices=[("1", _("Reply to customer")), ("0", _("Internal note"))],
        coerce=lambda value: value == "1",
        initial="1",
        widget=forms.RadioSelect,
    )
    macro = forms.ModelChoiceField(
        queryset=Macro.objects.filter(active=True), required=False, widget=forms.HiddenInput
    )
    then_status = forms.ChoiceField(required=False, label=_("Then set status"))
    attachments = MultipleFileField(required=False, label=_("Attach files"))
    etag = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, ticket: Ticket, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["then_status"].choices = [("", _("Leave as is"))] + [
            (value, label) for value, label in TicketStatus.choices
            if value in TRANSITIONS[TicketStatus(ticket.status)]
        ]

    def clean_body(self) -> str:
        body: str = self.cleaned_data["body"]
        if not body.strip():
            raise forms.ValidationError(_("Write a message first."))
        return body

    def clean_attachments(self) -> list[Any]:
        return validate_attachments(self.cleaned_data["attachments"])


class TicketPropertiesForm(forms.Form):
    """Status, priority, category, team and assignee, as the ticket page edits them."""

    status = forms.ChoiceField()
    priority = forms.ChoiceField(choices=Priority.choices)
    category = forms.ModelChoiceField(
        queryset=Category.objects.filter(active=True), to_field_name="slug", required=False,
        empty_label=_("None"),
    )
    team = forms.ModelChoiceField(queryset=Team.objects.order_by("name"), required=False,
                                  empty_label=_("No team"))
    assignee = AgentChoiceField(queryset=agent_users(), required=False, empty_label=_("Nobody"))
    reason = forms.CharField(max_length=500, required=False, help_text=REASON_HELP)
    etag = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, ticket: Ticket, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {
            "status": ticket.status, "priority": ticket.priority,
            "category": ticket.category_id, "team": ticket.team_id,
            "assignee": ticket.assignee_id, "etag": ticket.etag,
        })
        super().__init__(*args, **kwargs)
        allowed = TRANSITIONS[TicketStatus(ticket.status)] | {ticket.status}
        self.fields["status"].choices = [
            (value, label) for value, label in TicketStatus.choices if value in allowed
        ]
        self.fields["assignee"].queryset = agent_users()


BULK_ACTIONS = [
    ("assign_agent", _("Assign to agent")),
    ("assign_team", _("Move to team")),
    ("status", _("Change status")),
    ("priority", _("Change priority")),
    ("add_tag", _("Add tag")),
]


class BulkActionForm(forms.Form):
    """One action on the selected rows; the value field used depends on the action."""

    ids = forms.TypedMultipleChoiceField(coerce=int, choices=[])
    action = forms.ChoiceField(choices=BULK_ACTIONS)
    agent = AgentChoiceField(queryset=agent_users(), required=False)
    team = forms.ModelChoiceField(queryset=Team.objects.order_by("name"), required=False)
    status = forms.ChoiceField(choices=TicketStatus.choices, required=False)
    priority = forms.ChoiceField(choices=Priority.choices, required=False)
    tag = forms.SlugField(max_length=50, required=False)
    reason = forms.CharField(max_length=500, help_text=REASON_HELP)

    VALUE_FIELD = {"assign_agent": "agent", "assign_team": "team", "status": "status",
                   "priority": "priority", "add_tag": "tag"}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agent"].queryset = agent_users()
        # Any integer is accepted here; the view keeps only the ones the agent can see.
        self.fields["ids"].valid_value = lambda value: str(value).isdigit()  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        action = cleaned.get("action")
        if action:
            name = self.VALUE_FIELD[action]
            if cleaned.get(name) in (None, ""):
                self.add_error(name, _("Choose a value for this action."))
            cleaned["value"] = cleaned.get(name)
        return cleaned


def may_assign(user: AbstractBaseUser) -> bool:
    return bool(user.has_perm("tickets.assign_ticket"))  # type: ignore[attr-defined]
