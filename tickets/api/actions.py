"""Working a ticket: timeline, replies and notes, status, assignment, escalation."""

from typing import Any

from django.contrib.auth import get_user_model
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from tickets.api.permissions import (
    CanAssignTickets,
    CanEscalateTickets,
    CanReadTimeline,
    CanWorkTickets,
)
from tickets.api.serializers import (
    AssignInput,
    EscalateInput,
    MessageInput,
    StatusInput,
    TicketOutput,
    TimelineEntryOutput,
    timeline_entry,
)
from tickets.api.tickets import get_visible_ticket
from tickets.models import Team
from tickets.selectors import ticket_timeline
from tickets.services.assignment import UNCHANGED, assign_ticket
from tickets.services.lifecycle import change_status, escalate_ticket
from tickets.services.messages import add_agent_message


def _ticket_response(request: Request, ticket_id: int, code: int = 200) -> Response:
    ticket = get_visible_ticket(request, ticket_id)
    response = Response(TicketOutput(ticket, context={"request": request}).data, status=code)
    response["ETag"] = ticket.etag
    return response


class TicketTimelineApi(APIView):
    permission_classes = [CanReadTimeline]

    @extend_schema(responses=TimelineEntryOutput(many=True))
    def get(self, request: Request, ticket_id: int) -> Response:
        ticket = get_visible_ticket(request, ticket_id)
        entries = ticket_timeline(ticket=ticket, include_internal=True)
        return Response({"results": [timeline_entry(entry) for entry in entries]})


class TicketMessageApi(APIView):
    permission_classes = [CanWorkTickets]
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(request=MessageInput, responses={201: TimelineEntryOutput})
    def post(self, request: Request, ticket_id: int) -> Response:
        ticket = get_visible_ticket(request, ticket_id)
        payload = MessageInput(data=request.data)
        payload.is_valid(raise_exception=True)
        files = [(upload.name, upload) for upload in payload.validated_data["attachments"]]
        message = add_agent_message(
            ticket=ticket,
            author=request.user,
            body=payload.validated_data["body"],
            public=payload.validated_data["public"],
            attachments=files,
        )
        return Response(timeline_entry(message), status=status.HTTP_201_CREATED)


class TicketStatusApi(APIView):
    permission_classes = [CanWorkTickets]

    @extend_schema(request=StatusInput, responses={200: TicketOutput})
    def post(self, request: Request, ticket_id: int) -> Response:
        ticket = get_visible_ticket(request, ticket_id)
        payload = StatusInput(data=request.data)
        payload.is_valid(raise_exception=True)
        change_status(
            ticket=ticket,
            status=payload.validated_data["status"],
            actor=request.user,
            reason=payload.validated_data["reason"],
            reason_code="api",
        )
        return _ticket_response(request, ticket_id)


class TicketAssignApi(APIView):
    permission_classes = [CanAssignTickets]

    @extend_schema(request=AssignInput, responses={200: TicketOutput})
    def post(self, request: Request, ticket_id: int) -> Response:
        ticket = get_visible_ticket(request, ticket_id)
        payload = AssignInput(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        assign_ticket(
            ticket=ticket,
            agent=_lookup(data, "assignee", get_user_model().objects.filter(is_active=True)),
            team=_lookup(data, "team", Team.objects.all()),
            reason_code=data["reason_code"],
            actor=request.user,
        )
        return _ticket_response(request, ticket_id)


def _lookup(data: dict[str, Any], name: str, queryset: Any) -> Any:
    if name not in data:
        return UNCHANGED
    if data[name] is None:
        return None
    found = queryset.filter(pk=data[name]).first()
    if found is None:
        raise ValidationError({name: [f"No {name} with id {data[name]}."]})
    return found


class TicketEscalateApi(APIView):
    permission_classes = [CanEscalateTickets]

    @extend_schema(request=EscalateInput, responses={200: TicketOutput})
    def post(self, request: Request, ticket_id: int) -> Response:
        ticket = get_visible_ticket(request, ticket_id)
        payload = EscalateInput(data=request.data)
        payload.is_valid(raise_exception=True)
        escalate_ticket(ticket=ticket, actor=request.user, reason=payload.validated_data["reason"])
        return _ticket_response(request, ticket_id)
