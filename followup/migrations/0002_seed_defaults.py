from datetime import timedelta

from django.db import migrations

REPLY_REOPENS = "If you still need help, just reply to this email and the ticket opens again."

RULES = [
    {
        "name": "Pending: remind after 48 hours, close after 72",
        "explanation": "The customer has not answered a question for two days.",
        "order": 100, "kind": "chase", "trigger": "pending",
        "reminder_after": timedelta(hours=48),
        "reminder_text": "We are still waiting for your answer to our last message. "
        "Reply to this email whenever you are ready.",
        "close_after": timedelta(hours=72),
        "close_text": "We have not heard back from you, so we have closed this ticket. "
        + REPLY_REOPENS,
    },
    {
        # Triage hands an unanswered clarification on after its own timeout (72 hours by
        # default), so this rule only reminds; add a close here to end such tickets instead.
        "name": "Clarification: remind after 48 hours",
        "explanation": "The customer has not sent the details triage asked for.",
        "order": 100, "kind": "chase", "trigger": "awaiting_info",
        "reminder_after": timedelta(hours=48),
        "reminder_text": "To get your request to the right people we still need the details "
        "we asked for. A short reply is enough.",
    },
    {
        "name": "Solved: close after 4 days",
        "explanation": "A solved ticket closes unless the customer replies within four days.",
        "order": 100, "kind": "chase", "trigger": "solved",
        "close_after": timedelta(days=4),
        "close_text": "This ticket is now closed. " + REPLY_REOPENS,
    },
    {
        "name": "Check in on P1s, at-risk and enterprise accounts",
        "explanation": "A week after solving a risky case, the owner checks the customer is fine.",
        "order": 100, "kind": "checkin", "trigger": "solved",
        "condition": {"any": [
            {"field": "ticket.priority", "op": "equals", "value": "P1"},
            {"field": "organization.at_risk", "op": "equals", "value": True},
            {"field": "organization.tier", "op": "equals", "value": "enterprise"},
        ]},
        "checkin_after": timedelta(days=7),
        "checkin_note": "Ask the customer whether the fix holds and whether anything else "
        "needs attention.",
    },
]


def seed(apps, schema_editor):
    rule_model = apps.get_model("followup", "FollowupRule")
    for fields in RULES:
        rule_model.objects.get_or_create(name=fields["name"], defaults={**fields, "enabled": True})
    settings_model = apps.get_model("followup", "FollowupSettings")
    if not settings_model.objects.exists():
        settings_model.objects.create(nps_tiers=["enterprise"])


def unseed(apps, schema_editor):
    rule_model = apps.get_model("followup", "FollowupRule")
    rule_model.objects.filter(name__in=[fields["name"] for fields in RULES]).delete()


class Migration(migrations.Migration):
    dependencies = [("followup", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
