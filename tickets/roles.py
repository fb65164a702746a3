"""The four roles as Django groups, and the seeded categories; used by a migration and tests."""

from typing import Any

from tickets.choices import SEEDED_CATEGORIES, Role

AGENT_PERMISSIONS = [
    "tickets.view_ticket",
    "tickets.work_ticket",
    "tickets.assign_ticket",
    "tickets.escalate_ticket",
    "tickets.view_contact",
    "tickets.view_organization",
]
ROLE_PERMISSIONS = {
    Role.AGENT: AGENT_PERMISSIONS,
    Role.TEAM_LEAD: AGENT_PERMISSIONS,
    Role.MANAGER: [*AGENT_PERMISSIONS, "tickets.view_all_tickets"],
}
ADMIN_APPS = ["tickets", "triage", "routing", "escalation", "followup", "reporting", "auth"]


def _create_permissions(apps: Any) -> None:
    # Permissions are normally created after migrate; roles need them before that.
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        models_module = getattr(app_config, "models_module", None)
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = models_module


def seed_roles_and_categories(apps: Any) -> None:
    """Create the role groups with their permissions and the seeded categories; idempotent."""
    _create_permissions(apps)
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    category_model = apps.get_model("tickets", "Category")
    for role, codes in ROLE_PERMISSIONS.items():
        group, _ = group_model.objects.get_or_create(name=role.value)
        for code in codes:
            app_label, codename = code.split(".")
            group.permissions.add(
                permission_model.objects.get(content_type__app_label=app_label, codename=codename)
            )
    admin, _ = group_model.objects.get_or_create(name=Role.ADMIN.value)
    admin.permissions.add(
        *permission_model.objects.filter(content_type__app_label__in=ADMIN_APPS)
    )
    for slug, name in SEEDED_CATEGORIES:
        category_model.objects.get_or_create(slug=slug, defaults={"name": name})
