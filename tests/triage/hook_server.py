"""A real HTTP server on 127.0.0.1 that plays the account-enrichment endpoint in tests."""

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest


@dataclass
class HookEndpoint:
    """What the endpoint answers next, and every request it was sent."""

    url: str = ""
    status: int = 200
    body: bytes = b"{}"
    delay: float = 0.0
    redirect_to: str = ""
    requests: list[dict[str, Any]] = field(default_factory=list)

    def answer(self, payload: Any = None, *, status: int = 200, raw: bytes | None = None,
               delay: float = 0.0, redirect_to: str = "") -> None:
        self.status, self.delay, self.redirect_to = status, delay, redirect_to
        self.body = raw if raw is not None else json.dumps(payload).encode()


def _handler(endpoint: HookEndpoint) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            endpoint.requests.append({
                "path": self.path, "headers": dict(self.headers),
                "json": json.loads(self.rfile.read(length) or b"null"),
            })
            time.sleep(endpoint.delay)
            if endpoint.redirect_to:
                self.send_response(302)
                self.send_header("Location", endpoint.redirect_to)
                self.end_headers()
                return
            self.send_response(endpoint.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(endpoint.body)))
            self.end_headers()
            self.wfile.write(endpoint.body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


@pytest.fixture
def hook_endpoint() -> Iterator[HookEndpoint]:
    """Yield a HookEndpoint served by a real ThreadingHTTPServer on a free local port."""
    endpoint = HookEndpoint()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(endpoint))
    server.daemon_threads = True
    endpoint.url = f"http://127.0.0.1:{server.server_address[1]}/accounts"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield endpoint
    finally:
        server.shutdown()
        server.server_close()
