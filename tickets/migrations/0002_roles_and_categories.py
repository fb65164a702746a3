from django.db import migrations

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
ADMIN_APPS = ["tickets", "triage", "routing", "escalation", "followup", "reporting"]


def create_permissions_now(apps):
    # Permissions are normally created after migrate; roles need them inside this migration.
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None


def seed(apps, schema_editor):
    create_permissions_now(apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    Category = apps.get_model("tickets", "Category")
    for role, codes in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role.value)
        for code in codes:
            app_label, codename = code.split(".")
            group.permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )
    admin, _ = Group.objects.get_or_create(name=Role.ADMIN.value)
    admin.permissions.add(
        *Permission.objects.filter(content_type__app_label__in=[*ADMIN_APPS, "auth"])
    )
    for slug, name in SEEDED_CATEGORIES:
        Category.objects.get_or_create(slug=slug, defaults={"name": name})


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
