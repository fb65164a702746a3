"""A real HTTP receiver on 127.0.0.1 in a thread, standing in for Slack or an SMS provider."""

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    payload: dict


@dataclass
class Receiver:
    """Keep every POST; answer `fail_status` to the first `fail_first` of them."""

    port: int = 0
    fail_first: int = 0
    fail_status: int = 503
    received: list[Received] = field(default_factory=list)
    calls: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/desk"

    def answer(self, request: Received) -> int:
        with self.lock:
            self.calls += 1
            if self.calls <= self.fail_first:
                return self.fail_status
            self.received.append(request)
            return 200


def _handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            status = receiver.answer(Received(self.path, dict(self.headers), json.loads(body)))
            self.send_response(status)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args: object) -> None:
            pass

    return Handler


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """Yield a running receiver; set `fail_first` on it to make early posts fail."""
    state = Receiver()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    state.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
