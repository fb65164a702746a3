"""Liveness and readiness probes; readiness names which dependency is down."""

from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.urls import path
from django.views.decorators.http import require_GET


def _postgres_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except Exception:  # any driver error means "not ready"; the probe must not 500
        return False


def _redis_ok() -> bool:
    try:
        client = cache._cache.get_client(write=True)  # type: ignore[attr-defined]
        return bool(client.ping())
    except Exception:  # connection refused, timeout, auth: all mean "not ready"
        return False


@require_GET
def live(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


@require_GET
def ready(request: HttpRequest) -> JsonResponse:
    checks = {"postgres": _postgres_ok(), "redis": _redis_ok()}
    down = [name for name, ok in checks.items() if not ok]
    body = {"status": "ok" if not down else "unavailable", "checks": checks, "down": down}
    return JsonResponse(body, status=503 if down else 200)


urlpatterns = [
    path("health/live", live, name="health-live"),
    path("health/ready", ready, name="health-ready"),
]
