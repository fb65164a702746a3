import re
from pathlib import Path

import pytest
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema

API_DOC = Path(__file__).resolve().parents[3] / "shared" / "API.md"


def documented_calls() -> set[tuple[str, str]]:
    """Read every `METHOD /api/v1/...` call out of the public contract."""
    calls = set()
    for method, path in re.findall(r"`(GET|POST|PATCH|PUT|DELETE) (/api/v1/[^`]*)`",
                                   API_DOC.read_text()):
        for single in path.split(", "):
            calls.add((method, re.sub(r"\{\w+\}", "{}", single.strip())))
    return calls


@pytest.fixture(scope="module")
def schema() -> dict:
    return SchemaGenerator().get_schema(request=None, public=True)


def test_schema_is_valid_openapi(schema):
    validate_schema(schema)  # raises on an invalid document


@pytest.mark.skipif(not API_DOC.exists(), reason="shared/API.md sits beside the checkout")
def test_schema_lists_every_documented_call(schema):
    served = {
        (method.upper(), re.sub(r"\{\w+\}", "{}", path))
        for path, operations in schema["paths"].items()
        for method in operations
    }
    missing = {call for call in documented_calls() if call not in served
               and call[1] not in {"/api/v1/schema/", "/api/v1/docs/"}}
    assert documented_calls(), "no calls found in API.md"
    assert not missing, f"documented but not served: {sorted(missing)}"


@pytest.mark.django_db
def test_schema_and_docs_are_served(client):
    schema = client.get("/api/v1/schema/")
    docs = client.get("/api/v1/docs/")
    assert schema.status_code == 200
    assert b"/api/v1/tickets/" in schema.content
    assert docs.status_code == 200
    assert b"swagger" in docs.content.lower()
    assert b"cdn" not in docs.content.lower()
    assert b"/static/drf_spectacular_sidecar/" in docs.content
