from django.db import migrations

import routing.models.decisions


class Migration(migrations.Migration):
    """
    A decision's candidates are kept as compact JSON text: PostgreSQL no longer parses them
    into jsonb on every routing decision. Stored decisions keep their content (jsonb as text).
    """

    dependencies = [
        ("routing", "0005_decision_candidates_compact"),
    ]

    operations = [
        migrations.AlterField(
            model_name="routingdecision",
            name="considered",
            field=routing.models.decisions.PackedJSONField(
                blank=True, db_column="candidates", default=dict
            ),
        ),
    ]
