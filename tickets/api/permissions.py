"""Who may call what: API key scopes first, then the user's role permissions."""

from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.views import APIView

from tickets.api.authentication import request_api_key
from tickets.choices import ApiScope
from tickets.models import ApiKey


def _key(request: Request) -> ApiKey | None:
    return request_api_key(request)


def _allowed(request: Request, scopes: set[str], perm: str | None) -> bool:
    key = _key(request)
    if key is not None:
        if not scopes.intersection(key.scopes):
            return False
        if key.is_integration:
            return True
    return perm is None or request.user.has_perm(perm)


class CanCreateTickets(BasePermission):
    def has_permission(self, request: Request, view: APIView) -> bool:
        return _allowed(request, {ApiScope.INTAKE, ApiScope.AGENT}, "tickets.work_ticket")


class CanReadTickets(BasePermission):
    def has_permission(self, request: Request, view: APIView) -> bool:
        return _allowed(
            request, {ApiScope.READ, ApiScope.AGENT, ApiScope.INTAKE}, "tickets.view_ticket"
        )


class CanReadTimeline(BasePermission):
    """Timelines hold internal notes, so an intake key may not read them."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        return _allowed(request, {ApiScope.READ, ApiScope.AGENT}, "tickets.view_ticket")


class CanWorkTickets(BasePermission):
    def has_permission(self, request: Request, view: APIView) -> bool:
        key = _key(request)
        if key is not None and key.is_integration:
            return False
        return _allowed(request, {ApiScope.AGENT}, "tickets.work_ticket")


class CanAssignTickets(BasePermission):
    def has_permission(self, request: Request, view: APIView) -> bool:
        key = _key(request)
        if key is not None and key.is_integration:
            return False
        return _allowed(request, {ApiScope.AGENT}, "tickets.assign_ticket")


class CanEscalateTickets(BasePermission):
    def has_permission(self, request: Request, view: APIView) -> bool:
        key = _key(request)
        if key is not None and key.is_integration:
            return False
        return _allowed(request, {ApiScope.AGENT}, "tickets.escalate_ticket")


class CanPostInboundEmail(BasePermission):
    def has_permission(self, request: Request, view: APIView) -> bool:
        key = _key(request)
        return key is not None and key.has_scope(ApiScope.INBOUND)
