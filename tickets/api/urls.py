from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from tickets.api.actions import (
    TicketAssignApi,
    TicketEscalateApi,
    TicketMessageApi,
    TicketStatusApi,
    TicketTimelineApi,
)
from tickets.api.inbound import InboundEmailApi
from tickets.api.tickets import TicketCollectionApi, TicketDetailApi

app_name = "api"

urlpatterns = [
    path("tickets/", TicketCollectionApi.as_view(), name="ticket-list"),
    path("tickets/<int:ticket_id>/", TicketDetailApi.as_view(), name="ticket-detail"),
    path("tickets/<int:ticket_id>/timeline/", TicketTimelineApi.as_view(), name="ticket-timeline"),
    path("tickets/<int:ticket_id>/messages/", TicketMessageApi.as_view(), name="ticket-messages"),
    path("tickets/<int:ticket_id>/status/", TicketStatusApi.as_view(), name="ticket-status"),
    path("tickets/<int:ticket_id>/assign/", TicketAssignApi.as_view(), name="ticket-assign"),
    path("tickets/<int:ticket_id>/escalate/", TicketEscalateApi.as_view(), name="ticket-escalate"),
    path("inbound/email/", InboundEmailApi.as_view(), name="inbound-email"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
]
