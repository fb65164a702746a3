from django.apps import AppConfig


class TriageConfig(AppConfig):
    name = "triage"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from tickets.conditions import register_fact_provider, register_field
        from triage.models import (
            AccountEnrichmentHook,
            Extractor,
            PriorityRule,
            RequiredField,
            TriageRule,
            TriageSettings,
        )
        from triage.rulebook import rulebooks
        from triage.text import ticket_text_facts

        # Facts triage adds to the ticket's own, so that rules (and their dry-runs) test them.
        register_field("triage.text", kind="str", label="subject and description")
        register_fact_provider(ticket_text_facts)
        rulebooks.invalidate_on_change(
            TriageRule, PriorityRule, Extractor, RequiredField, TriageSettings,
            AccountEnrichmentHook,
        )
