from typing import Any

from rest_framework import serializers

from tickets.choices import Channel, Impact, Priority, Severity, Tier


class DraftOrganizationInput(serializers.Serializer):
    name = serializers.CharField(max_length=200, required=False, default="")
    tier = serializers.ChoiceField(choices=Tier.choices, required=False, default=Tier.SELF_SERVE)
    plan = serializers.CharField(max_length=100, required=False, default="")
    region = serializers.CharField(max_length=50, required=False, default="")
    at_risk = serializers.BooleanField(required=False, default=False)


class DraftTicketInput(serializers.Serializer):
    """A hand-written ticket: only the fields that routing rules may test."""

    subject = serializers.CharField(max_length=255, required=False, default="")
    description = serializers.CharField(max_length=65_536, required=False, default="")
    priority = serializers.ChoiceField(choices=Priority.choices, default=Priority.P3)
    severity = serializers.ChoiceField(choices=Severity.choices, default=Severity.MEDIUM)
    category = serializers.SlugField(max_length=50, required=False, default="")
    channel = serializers.ChoiceField(choices=Channel.choices, default=Channel.API)
    language = serializers.CharField(max_length=16, required=False, default="")
    product_area = serializers.CharField(max_length=100, required=False, default="")
    impact = serializers.ListField(child=serializers.ChoiceField(choices=Impact.choices),
                                   required=False, default=list)
    tags = serializers.ListField(child=serializers.CharField(max_length=50), required=False,
                                 default=list, max_length=50)
    custom_fields = serializers.DictField(required=False, default=dict)
    requester_email = serializers.EmailField(required=False, default="preview@example.invalid")
    organization = DraftOrganizationInput(required=False, allow_null=True, default=None)


class PreviewInput(serializers.Serializer):
    ticket = serializers.IntegerField(required=False, min_value=1,
                                      help_text="Id of a ticket you can see.")
    draft = DraftTicketInput(required=False, help_text="A hand-written ticket instead.")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if ("ticket" in attrs) == ("draft" in attrs):
            raise serializers.ValidationError("Give either a ticket id or a draft ticket.")
        return attrs


class NamedOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class RuleTraceOutput(NamedOutput):
    matched = serializers.BooleanField()
    reasons = serializers.ListField(child=serializers.CharField())


class CandidateOutput(serializers.Serializer):
    agent = NamedOutput()
    team = serializers.IntegerField()
    eligible = serializers.BooleanField()
    skipped = serializers.ListField(child=serializers.CharField())
    load = serializers.IntegerField()
    capacity = serializers.IntegerField()
    skill_score = serializers.IntegerField()


class PreviewOutput(serializers.Serializer):
    ticket = serializers.IntegerField(allow_null=True)
    rule = NamedOutput(allow_null=True)
    team = NamedOutput(allow_null=True)
    assignee = NamedOutput(allow_null=True)
    strategy = serializers.CharField()
    fallback = serializers.CharField(allow_blank=True)
    fallback_used = serializers.BooleanField()
    reason_code = serializers.CharField()
    explanation = serializers.CharField()
    queued_until = serializers.DateTimeField(allow_null=True)
    rules = RuleTraceOutput(many=True)
    candidates = CandidateOutput(many=True)
