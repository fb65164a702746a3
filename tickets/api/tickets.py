"""Ticket collection and detail: list, create (idempotent), read with ETag, patch with If-Match."""

import string
from typing import Any

from django.shortcuts import get_object_or_404
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.filters import OrderingFilter
from rest_framework.pagination import CursorPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from tickets.api.authentication import request_api_key
from tickets.api.permissions import CanCreateTickets, CanReadTickets, CanWorkTickets
from tickets.api.related_rows import attach_related_rows
from tickets.api.serializers import (
    LIST_COLUMNS,
    TicketCreateInput,
    TicketOutput,
    TicketPatchInput,
)
from tickets.filters import TicketFilter
from tickets.models import Ticket
from tickets.selectors import ticket_list, visible_tickets
from tickets.services.idempotency import StoredResponse, request_fingerprint, run_once
from tickets.services.intake import NewTicket, create_ticket
from tickets.services.updates import update_ticket_fields

IDEMPOTENCY_HEADER = OpenApiParameter(
    "Idempotency-Key", str, OpenApiParameter.HEADER, required=False,
    description="1-255 printable characters; a retry with the same key replays the response.",
)
IF_MATCH_HEADER = OpenApiParameter(
    "If-Match", str, OpenApiParameter.HEADER, required=False,
    description="The ETag you read; a stale one gives 412.",
)


class TicketCursorPagination(CursorPagination):
    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 100
    ordering = "-created_at"


class TicketOrdering(OrderingFilter):
    ordering_fields = ["created_at", "updated_at", "priority", "sla_due_at"]


def caller_tickets(request: Request) -> Any:
    return visible_tickets(user=request.user, api_key=request_api_key(request))


def get_visible_ticket(request: Request, ticket_id: int) -> Ticket:
    """Return the ticket, or 404 whether it is missing or out of the caller's reach."""
    tickets = ticket_list(tickets=caller_tickets(request), api_only=True)
    return get_object_or_404(tickets, pk=ticket_id)


def _idempotency_key(request: Request) -> str | None:
    key = request.headers.get("Idempotency-Key")
    if key is None:
        return None
    if not 1 <= len(key) <= 255 or any(ch not in string.printable or ch in "\t\n\r\x0b\x0c"
                                       for ch in key):
        raise ValidationError({"Idempotency-Key": ["Use 1-255 printable characters."]})
    return key


class TicketCollectionApi(APIView):
    filter_backends = [DjangoFilterBackend, TicketOrdering]
    filterset_class = TicketFilter
    pagination_class = TicketCursorPagination
    ordering_fields = TicketOrdering.ordering_fields

    def get_permissions(self) -> list[Any]:
        return [CanCreateTickets()] if self.request.method == "POST" else [CanReadTickets()]

    def get_queryset(self) -> Any:
        return ticket_list(tickets=caller_tickets(self.request), api_only=True)

    @extend_schema(
        operation_id="tickets_list",
        responses=TicketOutput(many=True),
        parameters=[OpenApiParameter("q", str, description="Full-text search")],
    )
    def get(self, request: Request) -> Response:
        # Only the columns the JSON shows: a third of the ticket's columns stay unread.
        # The decision rows are attached to the page below, cheaper than prefetch_related.
        queryset = self.get_queryset().only(*LIST_COLUMNS).prefetch_related(None)
        for backend in self._backends_for(request):
            queryset = backend().filter_queryset(request, queryset, self)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(queryset, request, view=self)
        attach_related_rows(page)
        data = TicketOutput(page, many=True, context={"request": request}).data
        return paginator.get_paginated_response(data)

    def _backends_for(self, request: Request) -> list[Any]:
        # Building the filter form costs a few milliseconds a request; a page without filter
        # parameters (the first page, the cursor's next pages) has nothing for it to do.
        if request.query_params.keys() & self.filterset_class.base_filters.keys():
            return self.filter_backends
        return [TicketOrdering]

    @extend_schema(
        operation_id="tickets_create",
        request=TicketCreateInput,
        responses={201: TicketOutput},
        parameters=[IDEMPOTENCY_HEADER],
    )
    def post(self, request: Request) -> Response:
        key = _idempotency_key(request)
        payload = TicketCreateInput(data=request.data)
        payload.is_valid(raise_exception=True)
        if key is None:
            stored = self._create(request, payload.validated_data)
        else:
            stored = run_once(
                owner=_owner(request),
                key=key,
                fingerprint=request_fingerprint(payload.validated_data),
                run=lambda: self._create(request, payload.validated_data),
            )
        response = Response(stored.body, status=stored.status_code, headers=stored.headers)
        if stored.replayed:
            response["Idempotent-Replayed"] = "true"
        return response

    def _create(self, request: Request, data: dict[str, Any]) -> StoredResponse:
        api_key = request_api_key(request)
        organization = data.get("organization") or {}
        ticket, ctx = create_ticket(
            request=NewTicket(
                subject=data["subject"],
                description=data["description"],
                requester_email=data["requester"]["email"],
                requester_name=data["requester"]["name"],
                requester_phone=data["requester"]["phone"],
                organization_external_id=organization.get("external_id", ""),
                organization_name=organization.get("name", ""),
                channel=data["channel"],
                product_area=data["product_area"],
                impact=data["impact"],
                language=data["language"],
                tags=data["tags"],
                custom_fields=data["custom_fields"],
                external_id=data["external_id"],
            ),
            actor=request.user,
            api_key=api_key,
            payload=dict(request.data) if hasattr(request.data, "items") else {},
        )
        # The stages reported their decisions in ctx: only the ticket's own row is read back.
        ticket = (ticket_list(tickets=Ticket.objects.all(), api_only=True)
                  .prefetch_related(None).only(*LIST_COLUMNS).get(pk=ticket.pk))
        body = TicketOutput(
            ticket, context={"request": request, "decisions": ctx.decisions}
        ).data
        return StoredResponse(status.HTTP_201_CREATED, body, {"Location": body["url"]})


def _owner(request: Request) -> str:
    api_key = request_api_key(request)
    if api_key is not None:
        return f"key:{api_key.pk}"
    return f"user:{request.user.pk}"


class TicketDetailApi(APIView):
    def get_permissions(self) -> list[Any]:
        return [CanWorkTickets()] if self.request.method == "PATCH" else [CanReadTickets()]

    @extend_schema(operation_id="tickets_retrieve", responses=TicketOutput)
    def get(self, request: Request, ticket_id: int) -> Response:
        ticket = get_visible_ticket(request, ticket_id)
        response = Response(TicketOutput(ticket, context={"request": request}).data)
        response["ETag"] = ticket.etag
        return response

    @extend_schema(
        operation_id="tickets_partial_update",
        request=TicketPatchInput,
        responses=TicketOutput,
        parameters=[IF_MATCH_HEADER],
    )
    def patch(self, request: Request, ticket_id: int) -> Response:
        ticket = get_visible_ticket(request, ticket_id)
        payload = TicketPatchInput(data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        changes = dict(payload.validated_data)
        reason = changes.pop("reason", "")
        if_match = request.headers.get("If-Match")
        update_ticket_fields(
            ticket=ticket,
            changes=changes,
            actor=request.user,
            reason=reason,
            expected_etag=None if if_match in (None, "*") else if_match,
        )
        ticket = get_visible_ticket(request, ticket_id)
        response = Response(TicketOutput(ticket, context={"request": request}).data)
        response["ETag"] = ticket.etag
        return response
