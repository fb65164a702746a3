from django.db import migrations

from escalation.seeds import seed_sla_defaults


def seed(apps, schema_editor):
    seed_sla_defaults(apps)


class Migration(migrations.Migration):
    dependencies = [("escalation", "0003_sla_policies_and_timers")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
