from django.db import migrations


class Migration(migrations.Migration):
    """
    Every routed ticket rewrites its agent's profile row (the round-robin clock) and load
    row (the counters). With full pages the new version of a row lands on another page, its
    indexes gain an entry, and the tables every decision reads whole grow until vacuumed.
    Half-empty pages keep each new version on its row's page (a heap-only update), where the
    next reader prunes the old one. The tables hold one row per agent, so the room is cheap.
    """

    dependencies = [
        ("routing", "0007_decision_rows_inline"),
    ]

    operations = [
        migrations.RunSQL(
            "ALTER TABLE routing_agentprofile SET (fillfactor = 50); "
            "ALTER TABLE routing_agentload SET (fillfactor = 50)",
            reverse_sql="ALTER TABLE routing_agentprofile RESET (fillfactor); "
            "ALTER TABLE routing_agentload RESET (fillfactor)",
        ),
    ]
