import django.contrib.postgres.indexes
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('tickets', '0003_workspace_macros_articles'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='organization',
            index=django.contrib.postgres.indexes.GinIndex(fields=['email_domains'], name='org_email_domains'),
        ),
    ]
