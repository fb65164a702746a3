"""The in-app inbox, mounted under /agent/notifications/."""

from django.urls import path

from escalation.notifications import views

app_name = "notifications"

urlpatterns = [
    path("", views.notification_list, name="list"),
    path("bell/", views.notification_bell, name="bell"),
    path("read-all/", views.notification_read_all, name="read-all"),
    path("<int:notification_id>/read/", views.notification_read, name="read"),
]
