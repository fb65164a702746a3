from django.db import migrations

from tickets.roles import seed_roles_and_categories


def seed(apps, schema_editor):
    seed_roles_and_categories(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
