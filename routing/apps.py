from django.apps import AppConfig


class RoutingConfig(AppConfig):
    name = "routing"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from tickets.conditions import register_field

        # Facts that routing.services.handoffs.transfer_facts gives escalation rules.
        register_field("routing.transfers", kind="int", label="transfers between teams")
        register_field("routing.bounced", kind="bool", label="bounced between teams")

        from routing.models import RoutingRule, RoutingRuleSkill, TeamProfile
        from routing.snapshot import snapshots
        from tickets.models import Team

        snapshots.invalidate_on_change(RoutingRule, RoutingRuleSkill, TeamProfile, Team)
