from django.apps import AppConfig


class RoutingConfig(AppConfig):
    name = "routing"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Signals only rebuild a cache here (STYLE.md, "What we avoid" 6): no business logic.
        from django.db.models.signals import post_delete, post_save

        from tickets.conditions import register_field

        # Facts that routing.services.handoffs.transfer_facts gives escalation rules.
        register_field("routing.transfers", kind="int", label="transfers between teams")
        register_field("routing.bounced", kind="bool", label="bounced between teams")

        from routing.models import RoutingRule, RoutingRuleSkill, TeamProfile
        from tickets.models import Team

        for model in (RoutingRule, RoutingRuleSkill, TeamProfile, Team):
            post_save.connect(_invalidate, sender=model, dispatch_uid=f"routing-{model.__name__}")
            post_delete.connect(
                _invalidate, sender=model, dispatch_uid=f"routing-del-{model.__name__}"
            )


def _invalidate(**kwargs: object) -> None:
    from routing.snapshot import invalidate_snapshot

    invalidate_snapshot()
