"""The command lines of the WSGI servers ``advocacy serve`` runs, in one place (P3 measures the same).

gunicorn is the default: threaded workers forked from a master that has imported and warmed the
application once (``--preload``), with the request-timeout watchdog of core/gunicorn_conf.py. granian
(a Rust HTTP server) is the alternative, measured against it in docs/benchmarks.md (P3).
"""

from __future__ import annotations

import os
import shutil
import sys

SERVERS = ("gunicorn", "granian")


class ServerMissing(Exception):
    """The chosen server is not installed in this environment."""


def executable(server: str) -> str:
    found = shutil.which(server, path=os.path.dirname(sys.executable)) or shutil.which(server)
    if found is None:
        raise ServerMissing(f"{server} is not installed in this environment")
    return found


def server_argv(*, server: str, app: str, bind: str, workers: int, threads: int, timeout: int) -> list[str]:
    """The full command line that serves ``app`` (a WSGI "module:attribute") on ``bind`` (host:port)."""
    if server == "gunicorn":
        return [
            executable("gunicorn"),
            app,
            "--bind",
            bind,
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            "--timeout",
            str(timeout),
            "--preload",  # import and warm once in the master; workers fork warm
            "--config",
            "python:advocacy.core.gunicorn_conf",
            "--access-logfile",
            "-",
        ]
    if server == "granian":
        host, _, port = bind.rpartition(":")
        return [
            executable("granian"),
            "--interface",
            "wsgi",
            "--host",
            host or "127.0.0.1",
            "--port",
            port,
            "--workers",
            str(workers),
            "--blocking-threads",
            str(threads),
            "--respawn-failed-workers",
            "--access-log",
            app,
        ]
    raise ValueError(f"the server must be one of {', '.join(SERVERS)}, not {server!r}")
