"""Transfers between teams over REST: request, accept, reject, and what waits for my teams."""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from routing.models import Handoff
from routing.selectors import decidable_handoffs, may_decide, reachable_handoffs
from routing.services.handoffs import (
    TransferRefused,
    accept_handoff,
    reject_handoff,
    request_transfer,
)
from tickets.api.permissions import CanWorkTickets
from tickets.api.tickets import caller_tickets
from tickets.models import Team


def _person(user: Any) -> dict[str, Any] | None:
    if user is None:
        return None
    return {"id": user.pk, "name": user.get_full_name() or user.get_username()}


def _team(team: Team | None) -> dict[str, Any] | None:
    return {"id": team.pk, "name": team.name} if team is not None else None


def handoff_json(handoff: Handoff) -> dict[str, Any]:
    """Return the handoff as the API shows it (shared/API.md, Routing)."""
    return {
        "id": handoff.pk,
        "ticket": handoff.ticket_id,
        "state": handoff.state,
        "from_team": _team(handoff.from_team),
        "to_team": _team(handoff.to_team),
        "from_agent": _person(handoff.from_agent),
        "requested_by": _person(handoff.requested_by),
        "note": handoff.note,
        "decided_by": _person(handoff.decided_by),
        "rejection_reason": handoff.rejection_reason,
        "created_at": handoff.created_at,
        "decided_at": handoff.decided_at,
    }


_RELATED = ("from_team", "to_team", "from_agent", "requested_by", "decided_by")


def _decidable(request: Request, handoff_id: int) -> Handoff:
    reach = reachable_handoffs(user=request.user, tickets=caller_tickets(request))
    handoff = get_object_or_404(reach, pk=handoff_id)
    if not may_decide(handoff=handoff, user=request.user):
        raise PermissionDenied("Only members of the receiving team may decide this transfer.")
    return handoff


class TransferInput(serializers.Serializer):
    to_team = serializers.PrimaryKeyRelatedField(queryset=Team.objects.all())
    note = serializers.CharField(max_length=2000, required=False, default="", allow_blank=True)
    customer_message = serializers.CharField(max_length=10_000, required=False, default="",
                                             allow_blank=True)


class RejectInput(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class HandoffOutput(serializers.Serializer):
    """Documents the shape that handoff_json builds."""

    id = serializers.IntegerField()
    ticket = serializers.IntegerField()
    state = serializers.CharField()
    from_team = serializers.DictField(allow_null=True)
    to_team = serializers.DictField()
    from_agent = serializers.DictField(allow_null=True)
    requested_by = serializers.DictField(allow_null=True)
    note = serializers.CharField()
    decided_by = serializers.DictField(allow_null=True)
    rejection_reason = serializers.CharField()
    created_at = serializers.DateTimeField()
    decided_at = serializers.DateTimeField(allow_null=True)


class TicketTransferApi(APIView):
    """Hand a ticket to another team under that team's contract."""

    permission_classes = [CanWorkTickets]

    @extend_schema(operation_id="routing_transfer", request=TransferInput,
                   responses={201: HandoffOutput})
    def post(self, request: Request, ticket_id: int) -> Response:
        ticket = get_object_or_404(caller_tickets(request), pk=ticket_id)
        payload = TransferInput(data=request.data)
        payload.is_valid(raise_exception=True)
        try:
            handoff = request_transfer(ticket=ticket, actor=request.user, **payload.validated_data)
        except TransferRefused as refused:
            return Response({"code": refused.code, "detail": refused.detail,
                             "missing": refused.missing}, status=status.HTTP_400_BAD_REQUEST)
        handoff = Handoff.objects.select_related(*_RELATED).get(pk=handoff.pk)
        return Response(handoff_json(handoff), status=status.HTTP_201_CREATED)


class HandoffAcceptApi(APIView):
    """Accept a pending transfer to one of my teams: my team, and I, own the ticket."""

    permission_classes = [CanWorkTickets]

    @extend_schema(operation_id="routing_handoff_accept", request=None,
                   responses=HandoffOutput)
    def post(self, request: Request, handoff_id: int) -> Response:
        handoff = accept_handoff(handoff=_decidable(request, handoff_id), actor=request.user)
        handoff = Handoff.objects.select_related(*_RELATED).get(pk=handoff.pk)
        return Response(handoff_json(handoff))


class HandoffRejectApi(APIView):
    """Reject a pending transfer with a reason: it goes back to its sender."""

    permission_classes = [CanWorkTickets]

    @extend_schema(operation_id="routing_handoff_reject", request=RejectInput,
                   responses=HandoffOutput)
    def post(self, request: Request, handoff_id: int) -> Response:
        handoff = _decidable(request, handoff_id)
        payload = RejectInput(data=request.data)
        payload.is_valid(raise_exception=True)
        handoff = reject_handoff(handoff=handoff, actor=request.user,
                                 reason=payload.validated_data["reason"])
        handoff = Handoff.objects.select_related(*_RELATED).get(pk=handoff.pk)
        return Response(handoff_json(handoff))


class PendingHandoffListApi(APIView):
    """The transfers waiting for a decision by my teams, oldest first."""

    permission_classes = [CanWorkTickets]

    @extend_schema(operation_id="routing_handoffs_pending", responses=HandoffOutput(many=True))
    def get(self, request: Request) -> Response:
        handoffs = decidable_handoffs(user=request.user).select_related("decided_by")[:200]
        return Response({"results": [handoff_json(handoff) for handoff in handoffs]})
