"""Raw email from a mail gateway: POST /api/v1/inbound/email/ with Content-Type message/rfc822."""

from typing import Any, BinaryIO

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import ParseError, UnsupportedMediaType
from rest_framework.parsers import BaseParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from tickets.api.authentication import ApiKeyAuthentication
from tickets.api.permissions import CanPostInboundEmail
from tickets.mail.parse import MalformedEmail
from tickets.services.inbound import InboundResult, process_inbound_email

RFC822 = "message/rfc822"


class RawEmailParser(BaseParser):
    """Hand the body over untouched: the email parser needs the exact bytes."""

    media_type = RFC822

    def parse(
        self,
        stream: BinaryIO,
        media_type: str | None = None,
        parser_context: dict[str, Any] | None = None,
    ) -> bytes:
        return stream.read()


InboundEmailOutput = inline_serializer(
    "InboundEmailOutput",
    {
        "ticket": serializers.IntegerField(),
        "reference": serializers.CharField(),
        "message": serializers.IntegerField(),
        "created": serializers.BooleanField(),
        "duplicate": serializers.BooleanField(),
    },
)
IgnoredEmailOutput = inline_serializer(
    "IgnoredEmailOutput", {"ignored": serializers.CharField()}
)


class InboundEmailApi(APIView):
    """Take one raw email from a mail gateway and thread it, open a ticket, or ignore it."""

    # Gateways hold keys; a browser session must not post mail as if it were one.
    authentication_classes = [ApiKeyAuthentication]
    permission_classes = [CanPostInboundEmail]
    parser_classes = [RawEmailParser]

    @extend_schema(
        operation_id="inbound_email_create",
        request={RFC822: OpenApiTypes.BINARY},
        responses={
            201: OpenApiResponse(InboundEmailOutput, description="A new ticket."),
            200: OpenApiResponse(InboundEmailOutput,
                                 description="A reply threaded onto a ticket, or a replay."),
            202: OpenApiResponse(IgnoredEmailOutput,
                                 description="Automated mail (auto-reply, bounce, list)."),
            400: OpenApiResponse(description="Malformed email."),
            413: OpenApiResponse(description="Larger than the multipart body limit."),
            415: OpenApiResponse(description="Content-Type is not message/rfc822."),
        },
    )
    def post(self, request: Request) -> Response:
        raw = self._raw_body(request)
        try:
            result = process_inbound_email(raw=raw)
        except MalformedEmail as error:
            return Response({"detail": str(error)}, status=status.HTTP_400_BAD_REQUEST)
        if result.ignored_reason is not None:
            return Response({"ignored": result.ignored_reason}, status=status.HTTP_202_ACCEPTED)
        code = status.HTTP_201_CREATED if result.created else status.HTTP_200_OK
        return Response(_result_body(result), status=code)

    def _raw_body(self, request: Request) -> bytes:
        if not request.content_type.startswith(RFC822):
            raise UnsupportedMediaType(request.content_type)
        raw = request.data
        # DRF hands an empty body over as {} without calling the parser.
        if not isinstance(raw, bytes) or not raw.strip():
            raise ParseError("The request body must be a raw RFC 822 email.")
        return raw


def _result_body(result: InboundResult) -> dict[str, Any]:
    # Only ignored mail comes back without a ticket and a message.
    assert result.ticket is not None
    assert result.message is not None
    return {
        "ticket": result.ticket.pk,
        "reference": result.ticket.reference,
        "message": result.message.pk,
        "created": result.created,
        "duplicate": result.duplicate,
    }
