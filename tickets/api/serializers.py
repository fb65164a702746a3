from typing import Any

from django.conf import settings
from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from tickets.choices import Channel, Impact, Priority, Severity, TicketStatus
from tickets.models import Category, Message, Ticket, TicketEvent

MAX_DESCRIPTION = 65_536


class RequesterInput(serializers.Serializer):
    email = serializers.EmailField(max_length=254)
    name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    phone = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")


class OrganizationInput(serializers.Serializer):
    external_id = serializers.CharField(
        max_length=100, required=False, allow_blank=True, default=""
    )
    name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class TicketCreateInput(serializers.Serializer):
    subject = serializers.CharField(max_length=255, trim_whitespace=True)
    description = serializers.CharField(max_length=MAX_DESCRIPTION, trim_whitespace=False)
    requester = RequesterInput()
    organization = OrganizationInput(required=False)
    channel = serializers.ChoiceField(choices=Channel.choices, default=Channel.API)
    product_area = serializers.CharField(
        max_length=100, required=False, allow_blank=True, default=""
    )
    impact = serializers.ListField(
        child=serializers.ChoiceField(choices=Impact.choices), required=False, default=list,
        max_length=len(Impact.values),
    )
    language = serializers.CharField(max_length=16, required=False, allow_blank=True, default="")
    tags = serializers.ListField(
        child=serializers.CharField(max_length=50), required=False, default=list, max_length=50
    )
    custom_fields = serializers.DictField(required=False, default=dict)
    external_id = serializers.CharField(
        max_length=255, required=False, allow_blank=True, default=""
    )

    def validate_description(self, value: str) -> str:
        if not value.strip():
            raise serializers.ValidationError("This field may not be blank.")
        return value

    def validate_custom_fields(self, value: dict[str, Any]) -> dict[str, Any]:
        if len(value) > 100 or any(len(str(key)) > 100 for key in value):
            raise serializers.ValidationError("At most 100 fields with names up to 100 characters.")
        return value


class TicketPatchInput(serializers.Serializer):
    priority = serializers.ChoiceField(choices=Priority.choices, required=False)
    severity = serializers.ChoiceField(choices=Severity.choices, required=False)
    category = serializers.SlugRelatedField(
        slug_field="slug", queryset=Category.objects.filter(active=True), required=False,
        allow_null=True,
    )
    tags = serializers.ListField(
        child=serializers.CharField(max_length=50), required=False, max_length=50
    )
    product_area = serializers.CharField(max_length=100, required=False, allow_blank=True)
    custom_fields = serializers.DictField(required=False)
    reason = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")

    def validate_category(self, value: Category | None) -> str | None:
        return value.slug if value is not None else None


class MessageInput(serializers.Serializer):
    body = serializers.CharField(max_length=MAX_DESCRIPTION, trim_whitespace=False)
    public = serializers.BooleanField(default=True)
    attachments = serializers.ListField(
        child=serializers.FileField(), required=False, default=list, max_length=20
    )


class StatusInput(serializers.Serializer):
    status = serializers.ChoiceField(choices=TicketStatus.choices)
    reason = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")


class AssignInput(serializers.Serializer):
    assignee = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    team = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    reason_code = serializers.SlugField(max_length=64, default="manual")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if "assignee" not in attrs and "team" not in attrs:
            raise serializers.ValidationError("Give an assignee, a team, or both.")
        return attrs


class EscalateInput(serializers.Serializer):
    reason = serializers.CharField(max_length=1000)


class PersonOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class RequesterOutput(serializers.Serializer):
    id = serializers.IntegerField()
    email = serializers.EmailField()
    name = serializers.CharField()


class OrganizationOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    tier = serializers.CharField()


class SlaOutput(serializers.Serializer):
    metric = serializers.CharField()
    due_at = serializers.DateTimeField(allow_null=True)
    state = serializers.CharField()
    target_seconds = serializers.IntegerField(required=False)
    remaining_seconds = serializers.IntegerField(required=False)
    paused = serializers.BooleanField(required=False)
    breached_at = serializers.DateTimeField(allow_null=True, required=False)
    fulfilled_at = serializers.DateTimeField(allow_null=True, required=False)


_DATETIME = serializers.DateTimeField()
# A number no ticket has, in the detail URL resolved once per serializer; each row's id
# replaces it.
_URL_MARK = "987654321987654321"

# The ticket and related columns TicketOutput reads; lists load only these.
LIST_COLUMNS = (
    "id", "created_at", "updated_at", "subject", "description", "channel", "status",
    "priority", "severity", "category", "product_area", "language", "impact", "tags",
    "custom_fields", "external_id", "first_response_at", "solved_at", "closed_at",
    # the cursor reads its position from the last row, in any of the orderings offered
    "sla_due_at",
    "requester__id", "requester__email", "requester__name",
    "organization__id", "organization__name", "organization__tier",
    "team__id", "team__name",
    "assignee__id", "assignee__username", "assignee__first_name", "assignee__last_name",
)


class TicketOutput(serializers.ModelSerializer):
    """The ticket as shared/API.md shows it; later stages fill triage, routing and sla."""

    reference = serializers.CharField(read_only=True)
    url = serializers.SerializerMethodField()
    category = serializers.CharField(source="category_id", allow_null=True)
    requester = RequesterOutput()
    organization = OrganizationOutput(allow_null=True)
    team = PersonOutput(allow_null=True)
    assignee = serializers.SerializerMethodField()
    sla = serializers.SerializerMethodField()
    triage = serializers.SerializerMethodField()
    routing = serializers.SerializerMethodField()

    class Meta:
        model = Ticket
        fields = [
            "id", "reference", "url", "subject", "description", "status", "priority",
            "severity", "category", "channel", "language", "product_area", "impact", "tags",
            "custom_fields", "external_id", "requester", "organization", "team", "assignee",
            "sla", "triage", "routing", "first_response_at", "solved_at", "closed_at",
            "created_at", "updated_at",
        ]

    def to_representation(self, ticket: Ticket) -> dict[str, Any]:
        """
        Build the ticket's JSON by hand: DRF's field-by-field walk cost about half a
        millisecond a row, most of a list request. A test checks it matches DRF's own output.
        """
        requester, organization, team = ticket.requester, ticket.organization, ticket.team
        return {
            "id": ticket.pk, "reference": ticket.reference, "url": self.get_url(ticket),
            "subject": ticket.subject, "description": ticket.description,
            "status": ticket.status, "priority": ticket.priority, "severity": ticket.severity,
            "category": ticket.category_id, "channel": ticket.channel,
            "language": ticket.language, "product_area": ticket.product_area,
            "impact": list(ticket.impact), "tags": list(ticket.tags),
            "custom_fields": ticket.custom_fields, "external_id": ticket.external_id,
            "requester": {"id": requester.pk, "email": requester.email, "name": requester.name},
            "organization": None if organization is None else {
                "id": organization.pk, "name": organization.name, "tier": organization.tier},
            "team": None if team is None else {"id": team.pk, "name": team.name},
            "assignee": self.get_assignee(ticket),
            "sla": self.get_sla(ticket), "triage": self.get_triage(ticket),
            "routing": self.get_routing(ticket),
            **{name: _DATETIME.to_representation(value) if value else None
               for name, value in (("first_response_at", ticket.first_response_at),
                                   ("solved_at", ticket.solved_at),
                                   ("closed_at", ticket.closed_at),
                                   ("created_at", ticket.created_at),
                                   ("updated_at", ticket.updated_at))},
        }

    def get_url(self, ticket: Ticket) -> str:
        return self._url_template().replace(_URL_MARK, str(ticket.pk))

    def _url_template(self) -> str:
        # A list shares one child serializer: resolving the URL once, not once a row, spares
        # most of a millisecond a page.
        if not hasattr(self, "_url"):
            path = reverse("api:ticket-detail", args=[_URL_MARK])
            request = self.context.get("request")
            self._url = request.build_absolute_uri(path) if request else settings.SITE_URL + path
        return self._url

    @extend_schema_field(PersonOutput(allow_null=True))
    def get_assignee(self, ticket: Ticket) -> dict[str, Any] | None:
        agent = ticket.assignee
        if agent is None:
            return None
        return {"id": agent.pk, "name": agent.get_full_name() or agent.get_username()}

    def _decision(self, ticket: Ticket, name: str) -> Any:
        decisions = self.context.get("decisions") or {}
        if name in decisions:
            return decisions[name]
        # Downstream apps hang a one-to-one `<name>_decision` row on the ticket with as_api();
        # a missing row raises RelatedObjectDoesNotExist, an AttributeError, hence the default.
        decision = getattr(ticket, f"{name}_decision", None)
        return decision.as_api() if hasattr(decision, "as_api") else decision

    @extend_schema_field(SlaOutput(many=True))
    def get_sla(self, ticket: Ticket) -> list[dict[str, Any]]:
        return self._decision(ticket, "sla") or []

    @extend_schema_field(serializers.DictField(allow_null=True))
    def get_triage(self, ticket: Ticket) -> dict[str, Any] | None:
        return self._decision(ticket, "triage")

    @extend_schema_field(serializers.DictField(allow_null=True))
    def get_routing(self, ticket: Ticket) -> dict[str, Any] | None:
        return self._decision(ticket, "routing")


class AttachmentOutput(serializers.Serializer):
    id = serializers.IntegerField()
    filename = serializers.CharField()
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    sha256 = serializers.CharField()


class TimelineEntryOutput(serializers.Serializer):
    """One line of the story: a message, an internal note, or an event."""

    type = serializers.ChoiceField(choices=["message", "note", "system", "event"])
    id = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    kind = serializers.CharField()
    author = serializers.DictField(allow_null=True)
    body = serializers.CharField(allow_null=True)
    attachments = AttachmentOutput(many=True)
    before = serializers.DictField(allow_null=True)
    after = serializers.DictField(allow_null=True)
    reason_code = serializers.CharField(allow_blank=True)
    note = serializers.CharField(allow_blank=True)


def timeline_entry(entry: Message | TicketEvent) -> dict[str, Any]:
    if isinstance(entry, Message):
        return _message_entry(entry)
    actor = entry.actor
    return {
        "type": "event", "id": entry.pk, "created_at": entry.created_at, "kind": entry.kind,
        "author": {"type": "agent", "id": actor.pk, "name": actor.get_full_name()
                   or actor.get_username()} if actor else None,
        "body": None, "attachments": [], "before": entry.before, "after": entry.after,
        "reason_code": entry.reason_code, "note": entry.note,
    }


def _message_entry(message: Message) -> dict[str, Any]:
    kinds = {"public": "message", "internal": "note", "system": "system"}
    if message.author_contact is not None:
        author = {"type": "customer", "id": message.author_contact.pk,
                  "name": message.author_contact.name, "email": message.author_contact.email}
    elif message.author_user is not None:
        user = message.author_user
        author = {"type": "agent", "id": user.pk,
                  "name": user.get_full_name() or user.get_username()}
    else:
        author = None
    return {
        "type": kinds[message.kind], "id": message.pk, "created_at": message.created_at,
        "kind": message.kind, "author": author, "body": message.body,
        "attachments": AttachmentOutput(message.attachments.all(), many=True).data,
        "before": None, "after": None, "reason_code": "", "note": "",
    }
