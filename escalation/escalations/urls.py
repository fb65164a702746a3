"""Escalation pages, mounted under /agent/escalations/."""

from django.urls import path

from escalation.escalations import views

app_name = "escalations"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("<int:escalation_id>/acknowledge/", views.acknowledge, name="acknowledge"),
    path("<int:escalation_id>/de-escalate/", views.de_escalate_view, name="de-escalate"),
    path("<int:escalation_id>/label/", views.label, name="label"),
    path("tickets/<int:ticket_id>/escalate/", views.escalate, name="escalate"),
]
