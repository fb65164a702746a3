from django.db import migrations

from escalation.seeds import seed_calendars


def seed(apps, schema_editor):
    seed_calendars(apps)


class Migration(migrations.Migration):
    dependencies = [("escalation", "0001_calendars")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
