import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_live_and_ready_when_everything_is_up(client):
    assert client.get("/health/live").json() == {"status": "ok"}
    ready = client.get("/health/ready")
    assert ready.status_code == 200
    assert ready.json()["checks"] == {"postgres": True, "redis": True}


def _ready_with(**env: str) -> tuple[int, dict]:
    """Ask /health/ready in a fresh process whose services point nowhere."""
    script = (
        "import django, json; django.setup();"
        "from django.test import Client;"
        "r = Client().get('/health/ready');"
        "print(json.dumps([r.status_code, r.json()]))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "helpdesk.settings.test",
             "ALLOWED_HOSTS": "testserver", **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    status, body = json.loads(result.stdout.strip().splitlines()[-1])
    return status, body


def test_ready_is_503_naming_redis_when_redis_is_down():
    status, body = _ready_with(REDIS_URL="redis://127.0.0.1:1/0")
    assert status == 503
    assert body["down"] == ["redis"]


def test_ready_is_503_naming_postgres_when_postgres_is_down():
    status, body = _ready_with(DATABASE_URL="postgres://nobody@127.0.0.1:1/none")
    assert status == 503
    assert body["down"] == ["postgres"]


@pytest.mark.django_db
def test_the_bare_address_leads_to_the_agent_workspace(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/agent/"
