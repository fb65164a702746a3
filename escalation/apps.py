from django.apps import AppConfig


class EscalationConfig(AppConfig):
    name = "escalation"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from escalation.calendars import invalidate_calendars_on_change
        from escalation.facts import sla_facts
        from escalation.models import BusinessCalendar, CalendarClosure, SlaPolicy, SlaTarget
        from escalation.policies import sla_policies
        from tickets.conditions import register_fact_provider, register_field

        register_field("sla.state", kind="str", label="SLA state")
        register_field("sla.breached", kind="bool", label="SLA breached")
        register_field("sla.near_breach", kind="bool", label="SLA near breach")
        register_fact_provider(sla_facts)
        sla_policies.invalidate_on_change(SlaPolicy, SlaTarget, BusinessCalendar, CalendarClosure)
        invalidate_calendars_on_change(BusinessCalendar, CalendarClosure)
