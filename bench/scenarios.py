"""The measured API calls: ticket intake (POST) and the ticket list (GET) in its common forms."""

from __future__ import annotations

import json
import random
import subprocess
import sys
import uuid
from collections.abc import Callable
from urllib.parse import urlencode, urlsplit

from bench.db import ROOT, django_env
from bench.fakedata import (
    CLOSINGS,
    DETAILS,
    FIRST_NAMES,
    LAST_NAMES,
    PRODUCT_AREAS,
    SENTENCES,
    SUBJECTS,
    TAGS,
    fill,
)
from bench.loadgen import Client, Request, RunResult, run

TICKETS = "/api/v1/tickets/"
CURSOR_PAGES = 10
CATEGORY_HINTS = ["billing", "bug_report", "account_access", "refund_request", "general",
                  "onboarding", "service_outage", "feature_request"]
IMPACTS = {"billing": ["billing"], "service_outage": ["outage"], "refund_request": ["billing"]}


def create_api_key(db_url: str, name: str, scopes: str) -> str:
    """Create a key in the bench database through the project's own command."""
    done = subprocess.run(
        [sys.executable, "manage.py", "create_api_key", name, "--scopes", scopes],
        cwd=ROOT, env=django_env(db_url, DEBUG="false"), check=True, capture_output=True,
        text=True,
    )
    return done.stdout.strip().splitlines()[-1]


def intake_payload(number: int, rng: random.Random) -> dict[str, object]:
    """A form submission shaped like shared/API.md's example, from a few thousand people
    at a few thousand known organisations (so both new and existing contacts occur)."""
    category = CATEGORY_HINTS[number % len(CATEGORY_HINTS)]
    area = rng.choice(PRODUCT_AREAS)
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    person, org = rng.randint(1, 5000), rng.randint(1, 2000)
    description = " ".join([
        "Hi,", fill(SENTENCES[category], rng, area),
        *(fill(line, rng, area) for line in rng.sample(DETAILS, 2)),
        fill(rng.choice(CLOSINGS), rng, area),
    ])
    return {
        "subject": fill(rng.choice(SUBJECTS[category]), rng, area),
        "description": description,
        "requester": {"email": f"{first.lower()}.{person}@org{org}.example",
                      "name": f"{first} {last}", "phone": "+1 555 0100"},
        "organization": {"external_id": f"acct-{org}", "name": f"{last} Corp {org}"},
        "channel": "web_form",
        "product_area": area,
        "impact": IMPACTS.get(category, []),
        "language": "en",
        "tags": TAGS[category][:1],
        "custom_fields": {"order_id": f"A-{rng.randint(1000, 99999)}"},
        "external_id": f"form-{uuid.uuid4().hex[:12]}",
    }


def intake_requests(key: str, seed: int) -> Callable[[int], Request]:
    def make(number: int) -> Request:
        body = json.dumps(intake_payload(number, random.Random(seed * 1_000_003 + number)))
        headers = {"Authorization": f"Token {key}", "Content-Type": "application/json",
                   # Integrations retry safely with a key per submission (shared/API.md).
                   "Idempotency-Key": uuid.uuid4().hex}
        return Request("POST", TICKETS, headers, body.encode())

    return make


def _path(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def cursor_paths(base_url: str, headers: dict[str, str], pages: int = CURSOR_PAGES) -> list[str]:
    """Follow `next` from the first page and return the paths of the pages after it."""
    client = Client(base_url)
    paths: list[str] = []
    url: str | None = TICKETS
    try:
        while url and len(paths) < pages:
            url = client.get_json(_path(url), headers).get("next")
            if url:
                paths.append(_path(url))
    finally:
        client.close()
    return paths


def list_scenarios(base_url: str, key: str) -> dict[str, list[str]]:
    """Name -> the request paths it cycles through."""
    headers = {"Authorization": f"Token {key}"}
    return {
        "list first page": [TICKETS],
        "list status=open&priority=P1": [f"{TICKETS}?status=open&priority=P1"],
        f"list next cursor (pages 2-{CURSOR_PAGES + 1})": cursor_paths(base_url, headers),
        "list q=refund": [f"{TICKETS}?q=refund"],
        "list q=locked password": [f"{TICKETS}?{urlencode({'q': 'locked password'})}"],
    }


def run_list(
    base_url: str, key: str, *, requests: int, concurrency: int, warmup: int, label: str
) -> list[RunResult]:
    headers = {"Authorization": f"Token {key}"}
    results = []
    for name, paths in list_scenarios(base_url, key).items():

        def make(number: int, paths: list[str] = paths) -> Request:
            return Request("GET", paths[number % len(paths)], headers)

        run(f"warm-up {name}", base_url, make, warmup, concurrency)
        result = run(f"{name} @{label}", base_url, make, requests, concurrency)
        print(f"    {result.name}: p50 {result.percentile(50):.1f} ms, "
              f"p95 {result.percentile(95):.1f} ms, {result.throughput:.0f}/s")
        results.append(result)
    return results
