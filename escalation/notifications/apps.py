from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    """Notifications of escalation: in-app, email, chat webhook and SMS, with manager summaries."""

    name = "escalation.notifications"
    label = "notifications"
    default_auto_field = "django.db.models.BigAutoField"
