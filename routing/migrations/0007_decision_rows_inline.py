from django.db import migrations


class Migration(migrations.Migration):
    """
    A decision of a large team (200 agents: about 3.5 kB of candidates) stays in its row as
    written: by default PostgreSQL compresses or moves out of line any row over 2 kB, which
    cost a third of the decision's write. Teams of a few dozen agents stay under 2 kB anyway.
    """

    dependencies = [
        ("routing", "0006_decision_candidates_as_text"),
    ]

    operations = [
        migrations.RunSQL(
            "ALTER TABLE routing_routingdecision SET (toast_tuple_target = 8160)",
            reverse_sql="ALTER TABLE routing_routingdecision RESET (toast_tuple_target)",
        ),
    ]
