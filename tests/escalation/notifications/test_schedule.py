"""Task names are pinned (queued messages and beat rows refer to them by name)."""

from django.conf import settings

from escalation.notifications import tasks


def test_task_names_are_pinned_and_beat_runs_the_periodic_ones():
    names = {tasks.deliver.name, tasks.requeue_stuck_deliveries.name,
             tasks.send_manager_digest.name, tasks.check_escalation_rate.name}

    assert names == {"notifications.deliver", "notifications.requeue_stuck_deliveries",
                     "notifications.send_manager_digest", "notifications.check_escalation_rate"}
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert names - {"notifications.deliver"} <= scheduled
