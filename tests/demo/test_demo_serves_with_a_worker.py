"""``advocacy demo`` serves the pages with a worker and the scheduler beside them (so imports run and
mail goes out, its links pointing at the server the demo runs), and one Ctrl-C stops all three; staff
pages warn when jobs wait with no worker."""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from datetime import timedelta
from http.cookiejar import CookieJar
from pathlib import Path

import pytest
from django.utils import timezone

from advocacy.core.models import Job, WorkerBeat
from tests.conftest import free_port


def wait_for(check, seconds: float) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if check():
                return True
        except Exception:  # noqa: S110  (not up yet)
            pass
        time.sleep(0.5)
    return False


def ask_for_portal_link(site: str, email: str) -> None:
    """Fill in the portal's sign-in form as a customer would (its CSRF cookie and token included)."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
    form = opener.open(f"{site}/portal/sign-in/").read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form)
    assert token, "no CSRF token on the portal's sign-in form"
    body = urllib.parse.urlencode({"csrfmiddlewaretoken": token.group(1), "email": email}).encode()
    request = urllib.request.Request(  # noqa: S310 (the test's own http server)
        f"{site}/portal/sign-in/", data=body, headers={"Referer": f"{site}/portal/sign-in/"}
    )
    assert opener.open(request).status == 200


def live_workers(database: Path) -> int:
    with sqlite3.connect(database) as db:
        return int(db.execute("SELECT count(*) FROM core_workerbeat WHERE stopped_at IS NULL").fetchone()[0])


@pytest.mark.skipif(os.environ.get("DATABASE_URL", "").startswith("postgres"), reason="uses its own SQLite file")
def test_demo_runs_a_worker_beside_the_server_and_ctrl_c_stops_everything(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "ADVOCACY_ENV"}}
    env.update(ADVOCACY_VAR_DIR=str(tmp_path), ADVOCACY_ENV="development", WORKER_HEARTBEAT_SECONDS="2")
    port = free_port()
    demo = subprocess.Popen(
        [sys.executable, "-m", "advocacy", "demo", "--customers", "30", "--bind", f"127.0.0.1:{port}"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        database = tmp_path / "advocacy.sqlite3"
        assert wait_for(lambda: urllib.request.urlopen(f"http://127.0.0.1:{port}/sign-in/").status == 200, 180)
        assert wait_for(lambda: live_workers(database) == 1, 60), "no worker beat"
        email = json.loads((tmp_path / "demo-manifest.json").read_text())["portal_example_email"]
        ask_for_portal_link(f"http://127.0.0.1:{port}", email)
        time.sleep(3)  # the mail is printed by whichever process sends it
    finally:
        os.killpg(demo.pid, signal.SIGINT)  # what Ctrl-C sends to the terminal's process group
        output = demo.communicate(timeout=60)[0].decode()

    assert "a worker and the scheduler" in output
    assert re.search(rf"http://127\.0\.0\.1:{port}/portal/sign-in/[\w-]{{20,}}/", output), "no link to this server"
    assert live_workers(database) == 0, "the worker did not say it stopped"
    leftovers = subprocess.run(["pgrep", "-f", str(tmp_path)], capture_output=True, text=True, check=False)
    assert leftovers.stdout.strip() == ""


@pytest.mark.django_db
def test_staff_pages_say_when_jobs_wait_and_no_worker_runs(client_as):
    analyst = client_as("analyst")
    Job.objects.create(task_path="advocacy.core.jobs.tasks.sweep_jobs", max_attempts=3)
    assert "no worker has been seen lately" in analyst.get("/home/").text

    WorkerBeat.objects.create(worker_id="w1", host="here", pid=1, beat_at=timezone.now())
    assert "no worker has been seen" not in analyst.get("/home/").text

    WorkerBeat.objects.filter(worker_id="w1").update(beat_at=timezone.now() - timedelta(hours=1))
    assert "1 background job (imports, mail, waves) waits" in analyst.get("/home/").text
