"""What every workload shares: a worker process per database, and a throwaway PostgreSQL database.

Django settings are global to a process, so each workload runs its measurements in a child
(``python -m benchmarks.<module> --worker …``) whose environment names the database. The child
prints one line, ``<prefix>{json}``, with its figures; everything else it writes is diagnostics.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from benchmarks.report import Report

ROOT = Path(__file__).resolve().parent.parent
# The PostgreSQL server the benchmarks make their throwaway databases on (PGHOST and PGPORT, as libpq reads
# them, to measure against another server, for instance one configured for a million-row table).
PG_HOST, PG_PORT = os.environ.get("PGHOST", "127.0.0.1"), int(os.environ.get("PGPORT", "5432"))
# BENCH_DATABASES=sqlite (or postgresql) runs one database's half only, for a quick A/B of a change.
DATABASES_RUN = {name.strip().lower() for name in os.environ.get("BENCH_DATABASES", "sqlite,postgresql").split(",")}
if DATABASES_RUN - {"sqlite", "postgresql"}:  # a misspelt name would quietly run nothing
    raise SystemExit(f"BENCH_DATABASES names sqlite and postgresql only, not {sorted(DATABASES_RUN)}")

Result = dict[str, Any]


def worker_result(
    report: Report,
    *,
    workload: str,
    name: str,
    module: str,
    args: list[str],
    database_url: str,
    var_dir: Path,
    prefix: str,
    summary: Callable[[Result], str],
    extra_env: dict[str, str] | None = None,
) -> Result | None:
    """Run ``module --worker *args`` on ``database_url``; its figures, or None with the reason reported."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "ADVOCACY_VAR_DIR": str(var_dir),
        "ADVOCACY_ENV": "test",
        "LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "advocacy.settings",
        **(extra_env or {}),
    }
    command = [sys.executable, "-m", module, "--worker", *args]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    for line in done.stdout.splitlines():
        if line.startswith(prefix):
            result: Result = json.loads(line.removeprefix(prefix))
            report.say(f"{workload}: {name} {summary(result)}")
            return result
    report.say(done.stderr[-4000:])
    last_line = (done.stderr.strip().splitlines() or ["no output"])[-1]
    report.skip(workload, name, f"the worker failed (exit {done.returncode}): {last_line[:200]}")
    return None


def on_each_database(
    report: Report, workload: str, stem: str, run_one: Callable[[Path, str, str], Result | None]
) -> dict[str, Result | None]:
    """``run_one(folder, database_url, name)`` on a fresh SQLite file, then on a throwaway PostgreSQL database."""
    with tempfile.TemporaryDirectory(prefix=f"advocacy-{stem}-") as tmp:
        folder = Path(tmp)
        sqlite = postgres = None
        if "sqlite" in DATABASES_RUN:
            sqlite = run_one(folder, f"sqlite:///{folder / f'{stem}.sqlite3'}", "SQLite")
        if "postgresql" in DATABASES_RUN:
            postgres = on_postgres(report, workload, lambda url: run_one(folder, url, "PostgreSQL"))
    return {"SQLite": sqlite, "PostgreSQL": postgres}


def on_postgres(report: Report, workload: str, run_one: Callable[[str], Result | None]) -> Result | None:
    """``run_one(url)`` on a throwaway database, or a "skipped" row saying why there is none."""
    user = postgres_user()
    if user is None:
        report.skip(
            workload, "PostgreSQL", f"no PostgreSQL server accepts user postgres or root on {PG_HOST}:{PG_PORT}"
        )
        return None
    with temporary_database(user) as url:
        return run_one(url)


def postgres_user() -> str | None:
    try:
        import psycopg
    except ImportError:
        return None
    for user in dict.fromkeys([os.environ.get("PGUSER", ""), "postgres", "root"]):
        if not user:
            continue
        try:
            with psycopg.connect(host=PG_HOST, port=PG_PORT, user=user, dbname="postgres", connect_timeout=3):
                return user
        except psycopg.Error:
            continue
    return None


@contextmanager
def temporary_database(user: str) -> Iterator[str]:
    import psycopg

    name = f"advocacy_bench_{os.getpid()}"
    admin = {
        "host": PG_HOST,
        "port": PG_PORT,
        "user": user,
        "dbname": "postgres",
        "autocommit": True,
    }
    with psycopg.connect(**admin) as conn:  # type: ignore[arg-type]
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgres://{user}@{PG_HOST}:{PG_PORT}/{name}"
    finally:
        with psycopg.connect(**admin) as conn:  # type: ignore[arg-type]
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
