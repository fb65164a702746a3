from django.urls import path

from routing import views

app_name = "routing"

urlpatterns = [
    path("presence/", views.presence_switch, name="presence"),
    path("handoffs/", views.handoff_list, name="handoffs"),
    path("handoffs/<int:handoff_id>/accept/", views.handoff_accept, name="handoff-accept"),
    path("handoffs/<int:handoff_id>/reject/", views.handoff_reject, name="handoff-reject"),
    path("tickets/<int:ticket_id>/transfer/", views.ticket_transfer, name="ticket-transfer"),
    path("tickets/<int:ticket_id>/follow/", views.ticket_follow, name="ticket-follow"),
]
