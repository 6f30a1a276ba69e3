"""``advocacy serve`` forks its workers from a warmed application, on gunicorn or, by choice, granian."""

from __future__ import annotations

import os
import sys

import pytest
from django.core.management import CommandError, call_command
from django.template import engines
from django.urls import get_resolver

from advocacy.core import servers
from advocacy.core.warmup import template_names, warm


def launched_argv(monkeypatch, *args: str) -> list[str]:  # type: ignore[no-untyped-def]
    launched: list[list[str]] = []
    monkeypatch.setattr(os, "execv", lambda path, argv: launched.append(argv))
    call_command("serve", *args)
    return launched[0]


def test_serve_preloads_the_application_so_workers_fork_warm(monkeypatch):
    argv = launched_argv(monkeypatch, "--bind", "127.0.0.1:9", "--workers", "2", "--threads", "8")

    assert argv[1] == "advocacy.wsgi:application"
    assert "--preload" in argv
    assert (argv[argv.index("--workers") + 1], argv[argv.index("--threads") + 1]) == ("2", "8")


def test_serve_runs_granian_when_asked(monkeypatch):
    monkeypatch.setattr(servers, "executable", lambda name: f"/opt/bin/{name}")

    argv = launched_argv(monkeypatch, "--server", "granian", "--bind", "10.0.0.5:8080", "--threads", "6")

    assert argv[0] == "/opt/bin/granian" and argv[-1] == "advocacy.wsgi:application"
    pairs = dict(zip(argv[1:-1:2], argv[2:-1:2], strict=False))
    assert pairs["--interface"] == "wsgi" and (pairs["--host"], pairs["--port"]) == ("10.0.0.5", "8080")
    assert pairs["--blocking-threads"] == "6" and pairs["--workers"] == "3"


def test_serve_says_which_server_is_missing(monkeypatch):
    monkeypatch.setattr(servers.shutil, "which", lambda *args, **kwargs: None)

    with pytest.raises(CommandError, match="granian is not installed in this environment"):
        call_command("serve", "--server", "granian")


@pytest.mark.django_db
def test_warming_compiles_every_template_builds_the_url_resolver_and_imports_what_pages_import_late():
    sys.modules.pop("advocacy.feedback.themes.clustering", None)  # the NPS page imports it when it shows themes

    warmed = warm()

    assert "advocacy.feedback.themes.clustering" in sys.modules and warmed["modules"] > 300

    assert warmed["templates"] == len(template_names()) and "feedback/answer.html" in template_names()
    cached = engines["django"].engine.template_loaders[0].get_template_cache
    assert set(template_names()) <= set(cached), "every page's template is compiled before the first request"
    assert warmed["routes"] > 100 and get_resolver()._populated
