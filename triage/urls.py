from django.urls import path

from triage import views

app_name = "triage"

urlpatterns = [
    path("tickets/<int:ticket_id>/parent-incident/", views.ticket_parent_incident,
         name="ticket-parent-incident"),
]
