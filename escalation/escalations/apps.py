from django.apps import AppConfig


class EscalationsConfig(AppConfig):
    """Escalation policies, escalation records, the escalation dashboard and panel."""

    name = "escalation.escalations"
    label = "escalations"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from escalation.escalations.facts import register_facts
        from escalation.escalations.models import EscalationPolicy
        from escalation.escalations.policies import escalation_policies

        register_facts()
        escalation_policies.invalidate_on_change(
            EscalationPolicy, EscalationPolicy.notify_users.through
        )
