"""Refuse oversized API bodies with 413 before anything reads them."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse

API_PREFIX = "/api/"


class ApiBodyLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith(API_PREFIX):
            refused = self._refuse_oversized(request)
            if refused is not None:
                return refused
        return self.get_response(request)

    def _refuse_oversized(self, request: HttpRequest) -> HttpResponse | None:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return JsonResponse({"detail": "Invalid Content-Length header."}, status=400)
        content_type = request.META.get("CONTENT_TYPE", "")
        multipart = content_type.startswith(("multipart/", "message/rfc822"))
        limit = (
            settings.HELPDESK_MAX_MULTIPART_BODY if multipart else settings.HELPDESK_MAX_JSON_BODY
        )
        if length > limit:
            return JsonResponse(
                {"detail": f"Request body is larger than {limit} bytes.", "limit": limit},
                status=413,
            )
        return None
