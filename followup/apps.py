from django.apps import AppConfig


class FollowupConfig(AppConfig):
    name = "followup"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from followup.facts import satisfaction_facts
        from followup.models import FollowupRule
        from followup.rules import followup_rules
        from tickets.conditions import register_fact_provider, register_field

        # Escalation rules may react to a low rating: "csat.rating lte 2".
        register_field("csat.rating", kind="int", label="satisfaction rating (1-5)")
        register_fact_provider(satisfaction_facts)
        followup_rules.invalidate_on_change(FollowupRule)
