from django.db import migrations, models


class Migration(migrations.Migration):
    """
    The token of routing's rules and rosters moves from Redis to a row: read in the query
    that every decision already makes, it costs no round trip of its own, and it changes for
    others exactly when the edit commits.
    """

    dependencies = [
        ("routing", "0008_live_rows_leave_room"),
    ]

    operations = [
        migrations.CreateModel(
            name="SnapshotToken",
            fields=[
                ("id", models.PositiveSmallIntegerField(default=1, primary_key=True,
                                                        serialize=False)),
                ("token", models.BigIntegerField()),
            ],
            options={
                "constraints": [models.CheckConstraint(condition=models.Q(("id", 1)),
                                                       name="one_snapshot_token")],
            },
        ),
        migrations.RunSQL(
            "INSERT INTO routing_snapshottoken (id, token) "
            "VALUES (1, 1 + floor(random() * 9.2e18)::bigint)",
            reverse_sql=migrations.RunSQL.noop,
        ),
    ]
