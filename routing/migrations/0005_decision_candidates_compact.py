from django.db import migrations, models


class Migration(migrations.Migration):
    """
    The candidates of a decision are stored compactly (routing.candidates.pack_candidates)
    in the same column: only the field's name in Python changes, so the database is left as
    it is, and decisions stored before read as they were (RoutingDecision.candidates).
    """

    dependencies = [
        ("routing", "0004_agent_loads"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RenameField(
                    model_name="routingdecision", old_name="candidates", new_name="considered",
                ),
                migrations.AlterField(
                    model_name="routingdecision",
                    name="considered",
                    field=models.JSONField(blank=True, db_column="candidates", default=dict),
                ),
            ],
        ),
    ]
