"""Security headers for every response: a Content-Security-Policy without inline script."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse


class SecurityHeadersMiddleware:
    """Set the CSP and related headers unless a view chose its own (downloads do)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        exempt = any(request.path.startswith(p) for p in settings.HELPDESK_CSP_EXEMPT_PATHS)
        if not exempt:
            response.headers.setdefault("Content-Security-Policy", settings.HELPDESK_CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        return response
