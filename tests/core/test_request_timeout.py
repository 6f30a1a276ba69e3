"""The request timeout holds under gunicorn's threads: a busy request is stopped with a 503, a request
stuck in a C call takes its worker down with it and a fresh worker serves the next request."""

from __future__ import annotations

import http.client
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import RequestFactory

from advocacy.core.middleware import RequestTimeoutMiddleware
from advocacy.core.watchdog import RequestTimedOut, Watchdog
from tests.conftest import free_port

ROOT = Path(__file__).resolve().parents[2]


def test_the_watchdog_interrupts_python_code_and_reports_a_request_stuck_in_c():
    stuck: list[str] = []
    dog = Watchdog(timeout=0.2, grace=0.3, on_stuck=stuck.append, every=0.05)
    dog.start()
    outcomes: dict[str, str] = {}

    def request(label: str, work) -> None:  # type: ignore[no-untyped-def]
        dog.started(label)
        try:
            work()
            outcomes[label] = "finished"
        except RequestTimedOut:
            outcomes[label] = "timed out"
        finally:
            dog.finished()

    def busy() -> None:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            sum(range(1000))

    threads = [
        threading.Thread(target=request, args=("GET /busy", busy)),
        threading.Thread(target=request, args=("GET /stuck", lambda: time.sleep(1.5))),
        threading.Thread(target=request, args=("GET /quick", lambda: None)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=15)
    dog.stop()
    assert outcomes == {"GET /busy": "timed out", "GET /stuck": "timed out", "GET /quick": "finished"}
    assert stuck == ["GET /stuck"]


def get(port: int, path: str) -> tuple[int, str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read().decode()
    finally:
        connection.close()


def wait_until_up(port: int) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            get(port, "/fast")
            return
        except OSError:
            time.sleep(0.1)
    raise AssertionError("gunicorn did not start")


def test_gunicorn_with_the_serve_hooks_enforces_the_timeout_on_every_thread():
    port = free_port()
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    options = ["--bind", f"127.0.0.1:{port}", "--workers", "1", "--threads", "4", "--timeout", "1"]
    server = subprocess.Popen(
        [gunicorn, "tests.core.slow_wsgi:app", "--config", "python:advocacy.core.gunicorn_conf", *options],
        cwd=ROOT,
        env={**os.environ, "REQUEST_TIMEOUT_GRACE_SECONDS": "1"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_until_up(port)
        assert get(port, "/busy") == (503, "timed out")
        with pytest.raises((http.client.RemoteDisconnected, ConnectionResetError)):
            get(port, "/stuck")
        wait_until_up(port)
        assert get(port, "/fast") == (200, "finished /fast")
    finally:
        server.terminate()
        _, errors = server.communicate(timeout=20)
    assert "GET /stuck ran past the request timeout and cannot be interrupted: restarting worker" in errors


def test_a_stopped_request_answers_503_with_retry_after(settings):
    settings.REQUEST_TIMEOUT_SECONDS = 60

    def view(request):  # type: ignore[no-untyped-def]
        raise RequestTimedOut

    api = RequestTimeoutMiddleware(view)(RequestFactory().post("/api/v1/imports/customers"))
    assert (api.status_code, api["Retry-After"], api["Content-Type"]) == (503, "60", "application/problem+json")
    assert json.loads(api.content)["detail"].startswith("The request ran longer than 60 s and was stopped")
    page = RequestTimeoutMiddleware(view)(RequestFactory().get("/customers/"))
    assert page.status_code == 503 and page.content.decode().startswith("The request ran longer than 60 s")


def test_serve_runs_gunicorn_with_the_watchdog_and_the_configured_timeout(monkeypatch, settings):
    settings.REQUEST_TIMEOUT_SECONDS = 45
    launched: list[list[str]] = []
    monkeypatch.setattr(os, "execv", lambda path, argv: launched.append(argv))

    call_command("serve", "--bind", "127.0.0.1:9")

    argv = launched[0]
    assert argv[argv.index("--timeout") + 1] == "45"
    assert argv[argv.index("--config") + 1] == "python:advocacy.core.gunicorn_conf"
    assert "--preload" in argv, "the watchdog starts in each worker after the fork (post_worker_init)"
