from django.urls import path

from routing.api.handoffs import (
    HandoffAcceptApi,
    HandoffRejectApi,
    PendingHandoffListApi,
    TicketTransferApi,
)
from routing.api.views import RoutingPreviewApi

app_name = "routing-api"

urlpatterns = [
    path("preview/", RoutingPreviewApi.as_view(), name="preview"),
    path("tickets/<int:ticket_id>/transfer/", TicketTransferApi.as_view(), name="transfer"),
    path("handoffs/", PendingHandoffListApi.as_view(), name="handoffs"),
    path("handoffs/<int:handoff_id>/accept/", HandoffAcceptApi.as_view(), name="accept"),
    path("handoffs/<int:handoff_id>/reject/", HandoffRejectApi.as_view(), name="reject"),
]
