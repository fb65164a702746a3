"""
Drop the single-column foreign-key indexes that a composite index already leads with: the SLA
sweep rewrites timers and warnings in batches, and every index is one more write per row.
Only the indexes go; the foreign-key constraints stay (altering the field would drop and
re-create them, locking the tickets table).
"""

import django.db.models.deletion
from django.db import migrations, models

# (table, index Django named for the foreign key, its column, the index that covers it)
DUPLICATES = [
    ("escalation_slatimer", "escalation_slatimer_ticket_id_f8895319", "ticket_id",
     "sla_timer_once"),
    ("escalation_slawarning", "escalation_slawarning_timer_id_6a4d3779", "timer_id",
     "sla_warning_once"),
    ("escalation_slahistory", "escalation_slahistory_ticket_id_c1c6ec0e", "ticket_id",
     "sla_history_ticket"),
]


class Migration(migrations.Migration):

    dependencies = [
        ('escalation', '0004_seed_sla_defaults'),
        ('tickets', '0011_digest_indexes'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    f'DROP INDEX IF EXISTS "{index}"',
                    reverse_sql=f'CREATE INDEX IF NOT EXISTS "{index}" ON "{table}" ("{column}")',
                )
                for table, index, column, _covered_by in DUPLICATES
            ],
            state_operations=[
                migrations.AlterField(
                    model_name='slahistory',
                    name='ticket',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='tickets.ticket'),
                ),
                migrations.AlterField(
                    model_name='slatimer',
                    name='ticket',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='sla_timers', to='tickets.ticket'),
                ),
                migrations.AlterField(
                    model_name='slawarning',
                    name='timer',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='warnings', to='escalation.slatimer'),
                ),
            ],
        ),
    ]
