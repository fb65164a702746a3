from datetime import timedelta

from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from tickets.api.key_cache import active_key, remember
from tickets.models import ApiKey
from tickets.models.keys import hash_key

LAST_USED_RESOLUTION = timedelta(minutes=1)


def request_api_key(request: Request) -> ApiKey | None:
    """Return the API key the request authenticated with, or None for a signed-in session."""
    return request.auth if isinstance(request.auth, ApiKey) else None


class ApiKeyAuthentication(authentication.TokenAuthentication):
    """`Authorization: Token <key>`; request.auth is the ApiKey with its scopes."""

    keyword = "Token"

    def authenticate_credentials(self, key: str) -> tuple[object, ApiKey]:
        api_key = active_key(hash_key(key))
        if api_key is None or not api_key.user.is_active:
            raise exceptions.AuthenticationFailed("Invalid or revoked API key.")
        now = timezone.now()
        # Writing on every request would turn reads into writes; a minute's precision is enough.
        if api_key.last_used_at is None or now - api_key.last_used_at > LAST_USED_RESOLUTION:
            ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=now)
            api_key.last_used_at = now
            remember(api_key)
        return api_key.user, api_key

    def authenticate_header(self, request: Request) -> str:
        return self.keyword


class ApiKeyAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "tickets.api.authentication.ApiKeyAuthentication"
    name = "ApiKey"

    def get_security_definition(self, auto_schema: object) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Token <key>`",
        }
