from django.db import migrations

from triage.seed import seed_default_rules


def seed(apps, schema_editor):
    seed_default_rules(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("triage", "0001_initial"),
        ("tickets", "0002_roles_and_categories"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
