"""
Default SLA policies and warning levels, seeded by a data migration and re-seeded by tests
(a transactional test empties the tables). Takes the app registry, so migrations can use it.
"""

from typing import Any, Final

PENDING, ON_HOLD = "pending", "on_hold"
# (priority, first response minutes, resolution minutes, calendar slug)
DEFAULT_POLICIES: Final = (
    ("P1", 15, 4 * 60, "24x7"),
    ("P2", 60, 8 * 60, "business-hours"),
    ("P3", 4 * 60, 24 * 60, "business-hours"),
    ("P4", 24 * 60, 72 * 60, "business-hours"),
)
DEFAULT_LEVELS: Final = ((75, ["assignee"]), (90, ["team_lead"]), (100, ["manager"]))
CALENDARS: Final = {
    "business-hours": {
        "name": "Business hours",
        "time_zone": "Europe/London",
        "hours": {day: [["09:00", "17:00"]] for day in ("mon", "tue", "wed", "thu", "fri")},
        "holiday_country": "GB",
        "holiday_subdivision": "ENG",
    },
    "24x7": {"name": "24x7", "time_zone": "UTC", "always_open": True},
}


def seed_calendars(apps: Any) -> dict[str, Any]:
    """Create the default calendars that are missing; return every default by slug."""
    calendar_model = apps.get_model("escalation", "BusinessCalendar")
    return {
        slug: calendar_model.objects.get_or_create(slug=slug, defaults=values)[0]
        for slug, values in CALENDARS.items()
    }


def seed_sla_defaults(apps: Any) -> None:
    """Create what is missing of the default calendars, policies and levels; keep edits."""
    calendars = seed_calendars(apps)
    level_model = apps.get_model("escalation", "SlaWarningLevel")
    for percent, recipients in DEFAULT_LEVELS:
        level_model.objects.get_or_create(percent=percent, defaults={"recipients": recipients})
    policy_model = apps.get_model("escalation", "SlaPolicy")
    target_model = apps.get_model("escalation", "SlaTarget")
    for order, (priority, first, resolution, slug) in enumerate(DEFAULT_POLICIES, start=1):
        policy, created = policy_model.objects.get_or_create(
            name=f"{priority} default",
            defaults={
                "explanation": f"{priority} tickets: first response within {first} minutes, "
                f"resolution within {resolution // 60} hours.",
                "condition": {"field": "ticket.priority", "op": "equals", "value": priority},
                "order": order * 10,
                "enabled": True,
            },
        )
        if not created:
            continue
        for metric, minutes in (("first_response", first), ("resolution", resolution)):
            pauses = [PENDING, ON_HOLD] if metric == "resolution" else [PENDING]
            target_model.objects.create(policy=policy, metric=metric, minutes=minutes,
                                        calendar=calendars[slug], pause_statuses=pauses)
