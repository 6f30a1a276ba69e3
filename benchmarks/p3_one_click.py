"""P3: a burst of one-click survey answers through gunicorn, against a bare Django view on the same server.

Each database gets a worker process of its own (``python -m benchmarks.p3_one_click --worker``), as
in P1, because Django settings are global to a process. The worker migrates a fresh database, makes
customers who consented to surveys, one recurring NPS survey and one wave through the feedback
services (``survey_create``, ``wave_open``: the invitations and tokens real mail would carry), marks
the invitations sent as the send task would, then starts gunicorn with the arguments ``advocacy
serve`` gives it (3 workers × 4 threads, access log on) on ``benchmarks.bare_wsgi:application``: the
product's URLconf plus one bare view. Concurrent clients (threads, ``http.client``, one keep-alive
connection each) then send

1. the reference burst: ``POST /bench/bare/``, a view that returns 200 and nothing else, behind the
   same middleware; then
2. the answer burst: ``POST /survey/a/<token>/<score>/`` (``feedback:answer``, what the score page
   sends by itself after a click in the mail), one per invitation, with one invitation in ten
   clicked a second time with another score straight after the first, so the two clicks race.

Both bursts follow a warm-up. The figures are requests/s over the burst and the p50 and p99 of
each request's latency as the client saw it; the ratio is answers/s ÷ bare requests/s.

An answer is accepted when the server redirects to the comment page (302: the view answers a POST
with a redirect, so "2xx" reads "2xx or 3xx" here). After the burst the worker stops the server and
checks, in the database, that every accepted answer is stored exactly once: one Response row per
invitation with an accepted click, none for any other, no invitation with two rows, and each
stored score one of the scores accepted for that invitation. Then it starts ``advocacy worker``
(``P3_WORKERS`` processes, one by default) and times them until the loop has acted on every answer, and
checks that each detractor's answer opened exactly one case.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.report import Report, at_least, at_most
from benchmarks.workers import on_each_database, worker_result

DEFAULT_ANSWERS = 5_000
CLIENTS = 16
REPEAT_EVERY = 10  # one invitation in ten gets a second click
WARM_UP = 200
FOLLOW_UP_TIMEOUT = 600  # seconds the workers get to follow up every answer of the bursts
FOLLOW_UP_WORKERS = int(os.environ.get("P3_WORKERS", "1"))  # `advocacy worker` processes started for it
WORKERS, THREADS = 3, 4  # the `advocacy serve` defaults (WEB_CONCURRENCY, WEB_THREADS)
WORKLOAD = "P3 one-click answers"
ROOT = Path(__file__).resolve().parent.parent
RESULT_PREFIX = "P3-RESULT "
HOST = "127.0.0.1"
BARE_PATH = "/bench/bare/"
# Score probabilities 0–10, as in P4: detractors open cases and promoters are invited to the hub,
# so the burst does the follow-up work real answers do.
SCORE_P = (0.02, 0.01, 0.02, 0.03, 0.03, 0.06, 0.08, 0.12, 0.18, 0.20, 0.25)


# --- the parent ----------------------------------------------------------------------------------


def run(report: Report, rows: int | None = None) -> None:
    answers = rows or DEFAULT_ANSWERS
    results = on_each_database(
        report, WORKLOAD, "p3", lambda folder, url, name: run_worker(report, folder, url, name, answers)
    )
    for name, result in results.items():
        if result is not None:
            record(report, answers, name, result)


def record(report: Report, answers: int, name: str, result: dict[str, Any]) -> None:
    workload = f"{WORKLOAD} on {server_name()}, {answers:,} invitations, {CLIENTS} clients"
    bare, answer, check = result["bare"], result["answers"], result["check"]
    report.add(
        workload,
        f"{name} answers",
        answer["per_s"],
        "answers/s",
        reference=bare["per_s"],
        reference_label="bare view",
        goal=at_least(0.35, exact=check["ok"]),
    )
    report.add(workload, f"{name} bare view", bare["per_s"], "requests/s")
    report.add(workload, f"{name} answer p50", answer["p50_ms"], "ms", reference=bare["p50_ms"], reference_label="bare")
    report.add(
        workload,
        f"{name} answer p99",
        answer["p99_ms"],
        "ms",
        reference=bare["p99_ms"],
        reference_label="bare",
        goal=at_most(2.0, exact=check["ok"]),
    )
    report.add(workload, f"{name} bare view p99", bare["p99_ms"], "ms")
    report.add(workload, f"{name} stored exactly once", None, "", note=check_note(answer, check))
    follow_up = result["follow_up"]
    report.add(
        workload,
        f"{name} worker's follow-up of every answer",
        follow_up["seconds"],
        "s",
        note=follow_up_note(follow_up),
    )


def follow_up_note(follow_up: dict[str, Any]) -> str:
    verdict = "yes" if follow_up["left"] == 0 and follow_up["cases_ok"] else "NO"
    return (
        f"{verdict}: {follow_up['answers']:,} answers due from {follow_up['task_rows']:,} queued task rows, "
        f"{follow_up.get('workers', 1)} worker(s), "
        f"{follow_up['left']:,} left; {follow_up['cases']:,} cases for {follow_up['detractors']:,} detractors"
    )


def check_note(answer: dict[str, Any], check: dict[str, Any]) -> str:
    verdict = "yes" if check["ok"] else "NO"
    return (
        f"{verdict}: {answer['accepted']:,} of {answer['requests']:,} clicks accepted, "
        f"{answer['refused']:,} refused (by status: {answer['statuses']}); {check['responses']:,} responses for "
        f"{check['answered_invitations']:,} answered invitations; {check['duplicates']} duplicated, "
        f"{check['missing']} missing, {check['unexpected']} unexpected, {check['wrong_score']} wrong score"
    )


def run_worker(report: Report, folder: Path, database_url: str, name: str, answers: int) -> dict[str, Any] | None:
    report.say(f"{WORKLOAD}: {answers:,} invitations on {name} …")
    return worker_result(
        report,
        workload=WORKLOAD,
        name=name,
        module="benchmarks.p3_one_click",
        args=["--rows", str(answers)],
        database_url=database_url,
        var_dir=folder / f"var-{name.lower()}",
        prefix=RESULT_PREFIX,
        summary=summary,
        extra_env={
            # As in production: keep each server thread's connection instead of reconnecting per request.
            "DATABASE_CONN_MAX_AGE": "60",
            "DEBUG": "false",
            "EMAIL_URL": "dummy:",  # promoters' hub invitations are sent, to nowhere
            "TASK_BACKEND": "database",
            # The burst comes from one address (this load generator); the per-IP limit on answers would
            # stop it. The limit is still counted on every request, as in production.
            "LIMIT_ANSWERS_PER_IP": "100000000/m",
        },
    )


def summary(result: dict[str, Any]) -> str:
    bare, answer = result["bare"], result["answers"]
    return (
        f"bare view {bare['per_s']:,.0f}/s (p99 {bare['p99_ms']:.0f} ms); "
        f"answers {answer['per_s']:,.0f}/s (p99 {answer['p99_ms']:.0f} ms); "
        f"stored exactly once: {check_note(answer, result['check'])}; "
        f"followed up in {result['follow_up']['seconds']:.1f} s: {follow_up_note(result['follow_up'])}"
    )


# --- the worker: one database, one server ---------------------------------------------------------


def worker(answers: int) -> None:
    import django
    from django.core.management import call_command
    from django.db import connections

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)
    invitation_ids = invitation_tokens(answers + WARM_UP)
    tokens = list(invitation_ids)
    connections.close_all()  # the server's threads are the only ones at the database during the burst
    warm_tokens, tokens = tokens[:WARM_UP], tokens[WARM_UP:]
    clicks = answer_clicks(tokens)
    port = free_port()
    server = start_server(port)
    try:
        burst(port, [(BARE_PATH, None)] * WARM_UP)
        burst(port, [(answer_path(t, s), (t, s)) for t, s in answer_clicks(warm_tokens)])
        bare = burst(port, [(BARE_PATH, None)] * len(clicks))
        answered = burst(port, [(answer_path(t, s), (t, s)) for t, s in clicks])
    finally:
        stop_server(server)
    results = {
        "bare": bare.figures(),
        "answers": answered.figures(),
        "check": stored_once(answered, invitation_ids, warm_tokens),
    }
    connections.close_all()
    results["follow_up"] = followed_up()
    print(RESULT_PREFIX + json.dumps(results), flush=True)


def invitation_tokens(count: int) -> dict[str, int]:
    """Invitations made the way a wave makes them, marked sent: the token each one's mail carries → its id."""
    from django.utils import timezone

    from advocacy.core.staff.services import user_create
    from advocacy.feedback import links as feedback_links
    from advocacy.feedback.models import Invitation, InvitationStatus
    from advocacy.feedback.surveys import services

    # Detractors' cases need a customer advocate to own them.
    user_create(username="casey", email="casey@bench.example", role="customer_advocate", password=None)
    make_consenting_customers(count)
    survey = services.survey_create(
        name="Relationship NPS", kind="nps", by=None, schedule="recurring", every_n=3, every_unit="months"
    )
    opened = services.wave_open(survey=survey)
    invitations = list(Invitation.objects.filter(wave=opened.wave, status=InvitationStatus.QUEUED).order_by("pk"))
    Invitation.objects.filter(pk__in=[i.pk for i in invitations]).update(
        status=InvitationStatus.SENT, sent_at=timezone.now()
    )
    tokens = {feedback_links.invitation_token(i): i.pk for i in invitations}
    if len(tokens) != count:
        raise RuntimeError(f"expected {count} invitations, the wave made {len(tokens)} ({opened.held} held back)")
    return tokens


def make_consenting_customers(count: int) -> None:
    from datetime import timedelta

    from django.db import transaction
    from django.utils import timezone

    from advocacy.customers.models import Consent, Customer

    since = timezone.now() - timedelta(days=400)
    with transaction.atomic():
        customers = Customer.objects.bulk_create(
            Customer(email=f"c{n}@bench.example", first_name="Pat", last_name=f"Bench{n}") for n in range(count)
        )
        Consent.objects.bulk_create(
            Consent(customer=c, purpose="surveys", granted=True, source="benchmark", recorded_at=since)
            for c in customers
        )


def answer_clicks(tokens: list[str]) -> list[tuple[str, int]]:
    """One click per invitation; every tenth invitation gets a second click, with another score, next."""
    rng = random.Random(3)
    clicks: list[tuple[str, int]] = []
    for n, token in enumerate(tokens):
        first = rng.choices(range(11), weights=SCORE_P)[0]
        clicks.append((token, first))
        if n % REPEAT_EVERY == 0:
            clicks.append((token, (first + rng.randint(1, 10)) % 11))
    return clicks


def answer_path(token: str, score: int) -> str:
    from django.urls import reverse

    return reverse("feedback:answer", kwargs={"token": token, "score": score})


# --- the server ---------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def start_server(port: int) -> subprocess.Popen[bytes]:
    """The server ``advocacy serve`` runs (P3_SERVER: gunicorn, the default, or granian), with the same
    command line, on the WSGI module with the bare view."""
    from advocacy.core.servers import server_argv

    argv = server_argv(
        server=server_name(),
        app="benchmarks.bare_wsgi:application",
        bind=f"{HOST}:{port}",
        workers=WORKERS,
        threads=THREADS,
        timeout=60,
    )
    # The access log is written as it would be in production (here to nowhere); errors go to stderr,
    # which the parent shows when the check fails.
    server = subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.DEVNULL)
    wait_until_serving(port, server)
    return server


def server_name() -> str:
    return os.environ.get("P3_SERVER", "gunicorn")


def wait_until_serving(port: int, server: subprocess.Popen[bytes], seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"{server_name()} exited with {server.returncode} before serving")
        try:
            if request(http.client.HTTPConnection(HOST, port, timeout=5), BARE_PATH)[0] == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{server_name()} did not answer on port {port} within {seconds:.0f} s")


def stop_server(server: subprocess.Popen[bytes]) -> None:
    server.send_signal(signal.SIGTERM)  # the server finishes the requests in flight, then exits
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


# --- the clients --------------------------------------------------------------------------------


@dataclass
class Burst:
    seconds: float
    outcomes: list[tuple[int, float, Any]]  # (HTTP status, latency in s, what was sent) in order sent

    def figures(self) -> dict[str, Any]:
        latencies = sorted(latency for _, latency, _ in self.outcomes)
        accepted = sum(1 for status, _, _ in self.outcomes if 200 <= status < 400)
        return {
            "requests": len(self.outcomes),
            "accepted": accepted,
            "refused": len(self.outcomes) - accepted,
            "statuses": dict(Counter(str(status) for status, _, _ in self.outcomes)),
            "seconds": round(self.seconds, 3),
            "per_s": len(self.outcomes) / self.seconds,
            "p50_ms": 1000 * statistics.median(latencies),
            "p99_ms": 1000 * latencies[min(len(latencies) - 1, round(0.99 * (len(latencies) - 1)))],
        }


def burst(port: int, jobs: list[tuple[str, Any]]) -> Burst:
    """Send every job's POST from CLIENTS threads, each on its own keep-alive connection."""
    shares = [jobs[n::CLIENTS] for n in range(CLIENTS)]
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        per_client = list(pool.map(lambda share: client(port, share), shares))
    seconds = time.perf_counter() - started
    return Burst(seconds, [outcome for outcomes in per_client for outcome in outcomes])


def client(port: int, jobs: list[tuple[str, Any]]) -> list[tuple[int, float, Any]]:
    connection = http.client.HTTPConnection(HOST, port, timeout=60)
    outcomes = []
    for path, sent in jobs:
        started = time.perf_counter()
        try:
            status, _ = request(connection, path, method="POST")
        except (OSError, http.client.HTTPException):
            connection.close()
            connection = http.client.HTTPConnection(HOST, port, timeout=60)
            status = 0  # no answer: counted as refused, and the check expects nothing stored for it
        outcomes.append((status, time.perf_counter() - started, sent))
    connection.close()
    return outcomes


def request(connection: http.client.HTTPConnection, path: str, method: str = "GET") -> tuple[int, bytes]:
    connection.request(method, path, body=b"" if method == "POST" else None)
    response = connection.getresponse()
    return response.status, response.read()


# --- the check ----------------------------------------------------------------------------------


def stored_once(answered: Burst, invitation_ids: dict[str, int], warm_tokens: list[str]) -> dict[str, Any]:
    """Compare what the server accepted with what the database holds, invitation by invitation."""
    from django.db.models import Count

    from advocacy.feedback.models import Response

    accepted: dict[int, set[int]] = {}
    for status, _, (token, score) in answered.outcomes:
        if 200 <= status < 400:
            accepted.setdefault(invitation_ids[token], set()).add(score)
    warm_ids = {invitation_ids[t] for t in warm_tokens}
    rows = Response.objects.exclude(invitation_id__in=warm_ids)
    stored = dict(rows.values_list("invitation_id", "score"))
    duplicates = rows.values("invitation_id").annotate(n=Count("id")).filter(n__gt=1).count()
    missing = sum(1 for i in accepted if i not in stored)
    unexpected = sum(1 for i in stored if i not in accepted)
    wrong_score = sum(1 for i, scores in accepted.items() if i in stored and stored[i] not in scores)
    return {
        "responses": rows.count(),
        "answered_invitations": len(accepted),
        "duplicates": duplicates,
        "missing": missing,
        "unexpected": unexpected,
        "wrong_score": wrong_score,
        "ok": not (duplicates or missing or unexpected or wrong_score) and rows.count() == len(accepted),
    }


def followed_up(seconds: float = FOLLOW_UP_TIMEOUT) -> dict[str, Any]:
    """After the bursts, start ``advocacy worker`` (P3_WORKERS of them, one by default) and time them until
    the loop has acted on every answer (each detractor's case opened, each promoter's hub invitation made);
    then check that it acted once. The time includes the workers' start, about a second."""
    from django.db import connections

    from advocacy.feedback.models import Response

    queued = queued_follow_up_rows()
    due = Response.objects.filter(settles_at__isnull=False)
    answers = due.count()
    command = [sys.executable, "-m", "advocacy", "worker"]
    workers = [
        subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(FOLLOW_UP_WORKERS)
    ]
    started = time.perf_counter()
    try:
        while due.exists() and time.perf_counter() - started < seconds:
            time.sleep(0.05)
        took = time.perf_counter() - started
        left = due.count()
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.wait(timeout=30)
        connections.close_all()
    return {
        "answers": answers,
        "task_rows": queued,
        "workers": len(workers),
        "seconds": round(took, 2),
        "left": left,
        **cases_once(),
    }


def queued_follow_up_rows() -> int:
    """The task rows the clicks queued for their follow-up (one a click before wake-ups)."""
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(task_path__startswith="advocacy.feedback.answers.tasks.follow_up").count()


def cases_once() -> dict[str, Any]:
    """Every detractor's answer opened one case, and no other answer opened one."""
    from advocacy.casework.models import Case
    from advocacy.feedback.models import Response

    detractors = {f"response:{pk}" for pk in Response.objects.filter(score__lte=6).values_list("pk", flat=True)}
    origins = list(Case.objects.filter(origin__startswith="response:").values_list("origin", flat=True))
    return {"detractors": len(detractors), "cases": len(origins), "cases_ok": sorted(origins) == sorted(detractors)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="P3 one-click answers benchmark (see benchmarks/run.py)")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--rows", type=int, default=None, help="invitations to answer")
    args = parser.parse_args(argv)
    if args.worker:
        worker(args.rows or DEFAULT_ANSWERS)
        return 0
    from benchmarks.run import main as run_main

    return run_main(["p3", *(["--rows", str(args.rows)] if args.rows else [])])


if __name__ == "__main__":
    sys.exit(main())
