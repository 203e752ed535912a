# The team queue read in order from a partial index of the open cases.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0002_clock_warning_index'),
        ('configuration', '0002_reach'),
        ('core', '0002_archived_index'),
        ('services', '0003_external_customers'),
        ('suppliers', '0003_obligation_anchor_day_and_date_range'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='case',
            name='cases_team_queue',
        ),
        migrations.AddIndex(
            model_name='case',
            index=models.Index(condition=models.Q(('closed_at__isnull', True)), fields=['team', 'priority', 'opened_at', 'id'], name='cases_team_queue_open'),
        ),
    ]
