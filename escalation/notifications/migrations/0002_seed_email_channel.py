from django.db import migrations


def seed_email_channel(apps, schema_editor):
    channel = apps.get_model("notifications", "NotificationChannel")
    channel.objects.get_or_create(
        name="Email", defaults={"kind": "email", "enabled": True, "default_on": True}
    )


class Migration(migrations.Migration):
    """Email reaches everyone unless they opt out; webhooks and SMS are added in admin."""

    dependencies = [("notifications", "0001_initial")]

    operations = [migrations.RunPython(seed_email_channel, migrations.RunPython.noop)]
