"""Where a webhook may go, and the one request that goes there.

A destination is allowed when its host matches ``WEBHOOK_ALLOWED_HOSTS`` (``hooks.example.com``,
``*.example.com``, or ``*`` for any) and every address it resolves to is public, or inside
``WEBHOOK_ALLOWED_NETWORKS`` (CIDRs, for an internal receiver). The request then connects to the
address that was checked, not to a second lookup (no DNS rebinding), follows no redirect, and reads
at most a little of the answer.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass
from urllib.parse import SplitResult, urlsplit

from django.conf import settings

RESPONSE_READ_LIMIT = 64 * 1024
EXCERPT = 500


class DestinationRefused(Exception):
    """This URL may not receive webhooks; the message says which setting decides."""


@dataclass(frozen=True)
class Destination:
    url: SplitResult
    host: str
    port: int
    address: str


def host_allowed(host: str) -> bool:
    host = host.lower().rstrip(".")
    for pattern in settings.WEBHOOK_ALLOWED_HOSTS:
        pattern = pattern.lower().strip()
        if pattern == "*" or pattern == host or (pattern.startswith("*.") and host.endswith(pattern[1:])):
            return True
    return False


def address_allowed(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    networks = [ipaddress.ip_network(n.strip(), strict=False) for n in settings.WEBHOOK_ALLOWED_NETWORKS if n.strip()]
    if any(ip in network for network in networks):
        return True
    mapped = getattr(ip, "ipv4_mapped", None)
    return bool((mapped or ip).is_global)


def check_url(url: str) -> SplitResult:
    """What can be said of a URL without the network: scheme, credentials, host allow-list."""
    parts = urlsplit(url.strip())
    if parts.scheme not in {"https", "http"} or not parts.hostname:
        raise DestinationRefused("Give an https:// URL.")
    if parts.scheme == "http" and settings.WEBHOOK_REQUIRE_HTTPS:
        raise DestinationRefused("Webhooks go over https only (WEBHOOK_REQUIRE_HTTPS).")
    if parts.username or parts.password:
        raise DestinationRefused("Leave credentials out of the URL; the signature authenticates each message.")
    if not host_allowed(parts.hostname):
        raise DestinationRefused(
            f"{parts.hostname} is not an allowed webhook host; an admin adds it to WEBHOOK_ALLOWED_HOSTS."
        )
    return parts


def resolve(url: str) -> Destination:
    parts = check_url(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise DestinationRefused(f"{host} does not resolve: {exc.strerror}.") from exc
    addresses = [str(info[4][0]) for info in found]
    refused = [a for a in addresses if not address_allowed(a)]
    if refused:
        raise DestinationRefused(
            f"{host} resolves to {refused[0]}, a private or reserved address; an admin allows its network "
            f"in WEBHOOK_ALLOWED_NETWORKS if it is meant to receive webhooks."
        )
    return Destination(parts, host, port, addresses[0])


class PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, destination: Destination, timeout: float) -> None:
        super().__init__(destination.host, destination.port, timeout=timeout)
        self.address = destination.address

    def connect(self) -> None:
        self.sock = socket.create_connection((self.address, self.port), self.timeout)


class PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, destination: Destination, timeout: float) -> None:
        super().__init__(destination.host, destination.port, timeout=timeout, context=ssl.create_default_context())
        self.address = destination.address

    def connect(self) -> None:
        sock = socket.create_connection((self.address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Answer:
    status: int
    excerpt: str
    duration_ms: int


def post(destination: Destination, *, body: bytes, headers: dict[str, str]) -> Answer:
    """POST once; raises OSError (and http.client's errors) when no answer came."""
    connection_class = PinnedHTTPSConnection if destination.url.scheme == "https" else PinnedHTTPConnection
    connection = connection_class(destination, timeout=settings.WEBHOOK_TIMEOUT_SECONDS)
    target = destination.url.path or "/"
    if destination.url.query:
        target += "?" + destination.url.query
    started = time.monotonic()
    try:
        connection.request("POST", target, body=body, headers=headers)
        response = connection.getresponse()
        text = response.read(RESPONSE_READ_LIMIT).decode("utf-8", "replace")
    finally:
        connection.close()
    return Answer(response.status, text[:EXCERPT], int((time.monotonic() - started) * 1000))
