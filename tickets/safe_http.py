"""
Posting JSON to admin-configured URLs without letting them reach inside the network.

A URL is checked when the channel is saved and again before every post: the host is resolved
and every address it resolves to must be public. The connection then goes to the address that
was checked, so a DNS answer that changes between check and connect (rebinding) cannot point
the post at an internal service. Redirects are not followed.
"""

import http.client
import ipaddress
import json
import socket
import ssl
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

CONNECT_TIMEOUT_SECONDS = 5.0
MAX_RESPONSE_BYTES = 64 * 1024


class UnsafeUrl(ValueError):
    """The URL is malformed, unresolvable, or points at an address that is not public."""


class HttpStatusError(OSError):
    """The receiver answered with a status other than 2xx."""

    def __init__(self, status: int, body: str) -> None:
        super().__init__(f"HTTP {status}: {body[:200]}")
        self.status = status

    @property
    def permanent(self) -> bool:
        """A 4xx other than 408/429 will not get better by retrying (revoked hook, bad input)."""
        return 400 <= self.status < 500 and self.status not in (408, 429)


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str
    address: str


def is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    # is_global is False for private, loopback, link-local, reserved, shared (100.64/10) and
    # unspecified ranges; multicast is "global" for some ranges but never a webhook.
    return ip.is_global and not ip.is_multicast


def check_url(url: str, *, allow_private: bool) -> Target:
    """
    Return where a post to `url` will connect; raise UnsafeUrl when it must not be used.

    Without `allow_private`, every address the host resolves to must be public: one private
    answer among public ones is refused too, since the connection could use either.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UnsafeUrl("Use an http:// or https:// URL with a host name.")
    if parts.username or parts.password:
        raise UnsafeUrl("Put credentials in the secret field, not in the URL.")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        infos = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except (OSError, ValueError) as error:
        raise UnsafeUrl(f"The host {parts.hostname!r} cannot be resolved ({error}).") from error
    addresses = [info[4][0] for info in infos]
    refused = sorted({a for a in addresses if not is_public(a)})
    if refused and not allow_private:
        raise UnsafeUrl(
            f"The host {parts.hostname!r} resolves to a private, loopback, link-local or "
            f"reserved address ({', '.join(refused)}). Tick 'allow private address' only if "
            "the receiver runs inside your own network."
        )
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    return Target(parts.scheme, parts.hostname, port, path, addresses[0])


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connect to the checked address while the Host header keeps the name."""

    def __init__(self, target: Target, timeout: float) -> None:
        super().__init__(target.host, target.port, timeout=timeout)
        self._address = target.address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """As above, with TLS verified against the host name (SNI), not the address."""

    def __init__(self, target: Target, timeout: float) -> None:
        super().__init__(target.host, target.port, timeout=timeout,
                         context=ssl.create_default_context())
        self._address = target.address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def post_json(
    url: str, payload: dict[str, Any], *, allow_private: bool, secret: str = "",
    timeout: float = CONNECT_TIMEOUT_SECONDS,
) -> int:
    """POST `payload` as JSON after checking the URL; return the status, raise on non-2xx."""
    target = check_url(url, allow_private=allow_private)
    connection_class = (
        _PinnedHTTPSConnection if target.scheme == "https" else _PinnedHTTPConnection
    )
    connection = connection_class(target, timeout)
    headers = {"Content-Type": "application/json", "User-Agent": "helpdesk-notifications"}
    if secret:
        headers["Authorization"] = f"Bearer {secret}"
    try:
        connection.request("POST", target.path, body=json.dumps(payload).encode(),
                           headers=headers)
        response = connection.getresponse()
        body = response.read(MAX_RESPONSE_BYTES).decode(errors="replace")
    finally:
        connection.close()
    if not 200 <= response.status < 300:
        raise HttpStatusError(response.status, body)
    return response.status
