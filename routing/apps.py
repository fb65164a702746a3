from django.apps import AppConfig


class RoutingConfig(AppConfig):
    name = "routing"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from routing.facts import BOUNCED, TRANSFERS, transfer_facts
        from tickets.conditions import register_fact_provider, register_field

        # Facts for escalation rules: transfers between teams, and bouncing past the limit.
        register_field(TRANSFERS, kind="int", label="transfers between teams")
        register_field(BOUNCED, kind="bool", label="bounced between teams more than allowed")
        register_fact_provider(transfer_facts)

        from routing.models import RoutingRule, RoutingRuleSkill, TeamProfile
        from routing.snapshot import invalidate_rosters_on_change, snapshots
        from tickets.models import Team

        snapshots.invalidate_on_change(RoutingRule, RoutingRuleSkill, TeamProfile, Team)
        invalidate_rosters_on_change()
