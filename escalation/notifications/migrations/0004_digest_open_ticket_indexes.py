"""
The digest's bounced section reads open tickets only, but a ticket stays bounced once solved,
so an index on the reassignment count alone grows with the desk's whole history and every
read filters the closed tickets out of the heap. This partial index holds the open ones only:
the digest counts the section from the index alone and reads the heap for the rows it lists.
(The escalated section has tickets' ticket_open_escalated.) It lives here, with the query it
serves.
"""

from django.db import migrations

# tickets.choices.UNSOLVED when this was written; a migration keeps its own copy.
_OPEN = "'awaiting_info', 'new', 'on_hold', 'open', 'pending'"


class Migration(migrations.Migration):

    dependencies = [
        ("notifications", "0003_inbox_index_with_id"),
        ("tickets", "0011_digest_indexes"),
    ]

    operations = [
        migrations.RunSQL(
            'CREATE INDEX IF NOT EXISTS "ticket_bounced_open" ON "tickets_ticket" '
            f"(reassignments) WHERE reassignments >= 3 AND status IN ({_OPEN})",
            reverse_sql='DROP INDEX IF EXISTS "ticket_bounced_open"',
        ),
    ]
