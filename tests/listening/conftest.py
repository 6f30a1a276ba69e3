"""A local HTTP server that serves the recorded feeds in tests/listening/feeds/ (nothing reaches the
internet), answering 304 to a conditional GET with the ETag it gave."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from advocacy.listening.models import Query, QueryKind

FEEDS = Path(__file__).parent / "feeds"


class FeedHandler(BaseHTTPRequestHandler):
    requests: list[dict[str, str]] = []

    def do_GET(self) -> None:
        name = self.path.strip("/")
        FeedHandler.requests.append({"path": name, "if-none-match": self.headers.get("If-None-Match", "")})
        if name == "down":
            self.send_error(503, "Service Unavailable")
            return
        path = FEEDS / name
        if not path.is_file():
            self.send_error(404)
            return
        etag = f'"{name}-v1"'
        if self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            self.end_headers()
            return
        body = path.read_bytes()
        self.send_response(200)
        self.send_header("Content-Type", "application/xml")
        self.send_header("ETag", etag)
        self.send_header("Last-Modified", "Mon, 02 Mar 2026 12:00:00 GMT")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def feed_server() -> Iterator[str]:
    FeedHandler.requests = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), FeedHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def acme(db: None) -> Query:
    return Query.objects.create(name="Acme", kind=QueryKind.BRAND, terms=["Acme", "Acme Cloud"], misspellings=["acmee"])
