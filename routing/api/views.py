"""Routing's REST endpoints, under /api/v1/routing/."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from routing.api.serializers import PreviewInput, PreviewOutput
from routing.preview import draft_ticket, preview_routing
from tickets.api.permissions import CanAssignTickets
from tickets.api.tickets import caller_tickets
from tickets.conditions.facts import FACT_RELATIONS
from tickets.models import Ticket


def _visible_ticket(request: Request, ticket_id: int) -> Ticket:
    tickets = caller_tickets(request).select_related(*FACT_RELATIONS)
    return get_object_or_404(tickets, pk=ticket_id)


class RoutingPreviewApi(APIView):
    """Where would this ticket go? A dry run of routing that changes nothing."""

    permission_classes = [CanAssignTickets]

    @extend_schema(operation_id="routing_preview", request=PreviewInput,
                   responses=PreviewOutput)
    def post(self, request: Request) -> Response:
        payload = PreviewInput(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        if "ticket" in data:
            ticket = _visible_ticket(request, data["ticket"])
        else:
            draft = dict(data["draft"])
            ticket = draft_ticket(fields=draft, requester_email=draft.pop("requester_email"),
                                  organization=draft.pop("organization"))
        return Response(PreviewOutput(preview_routing(ticket=ticket)).data)
