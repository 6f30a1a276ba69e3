"""P3b: one-click answers written straight into PostgreSQL from twelve connections, with the dashboard's
roll-ups kept and without them.

P3 measures an answer through the server, where the server's Python is most of the cost on a small
machine; this measures what the database alone can take, so that a change to the answer's write (its
triggers, its locks) shows even where the server hides it. The worker migrates a throwaway PostgreSQL
database, makes one wave's invitations the way P3 does (``invitation_tokens``), and queues them in a
table of its own. ``pgbench`` (the PostgreSQL client's load generator, in C, so that the client costs
the two cores little) then runs CLIENTS connections, each answer its own transaction: an
``INSERT … ON CONFLICT (invitation_id) DO UPDATE`` of the next queued invitation with a random score,
with every trigger the product installs (the roll-ups, the score-change marks), as the answer's
statement writes it. The reference is the same run with the two roll-up triggers of answers disabled:
the ratio is what keeping the dashboard's roll-ups exact in the answer's transaction leaves of the
database's speed. The two alternate, ROUNDS times each, on emptied tables; the figure is the mean.
Afterwards the roll-ups of the last run with them are checked against the answers, counted afresh.

SQLite takes one writer at a time, so concurrent writers only queue there; it has no row here.
No goal: the issue's goal for answers is P3's, through the server.
"""

from __future__ import annotations

import argparse
import glob
import json
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.report import Report  # noqa: E402
from benchmarks.workers import DATABASES_RUN, on_postgres, worker_result  # noqa: E402

WORKLOAD = "P3b one-click answers written into PostgreSQL"
RESULT_PREFIX = "P3B-RESULT "
DEFAULT_ANSWERS = 12_000  # a run; each client writes its share
CLIENTS = 12  # the server's threads, `advocacy serve`'s 3 workers × 4 threads
ROUNDS = 2
ROLLUP_TRIGGERS = ("feedback_rollup_response_insert", "feedback_rollup_response_update")


def pgbench() -> str | None:
    """pgbench on the PATH, or in a Debian PostgreSQL's bin folder (not on the PATH there)."""
    return shutil.which("pgbench") or next(iter(sorted(glob.glob("/usr/lib/postgresql/*/bin/pgbench"))[-1:]), None)


# --- the parent ----------------------------------------------------------------------------------


def run(report: Report, rows: int | None = None) -> None:
    if "postgresql" not in DATABASES_RUN:
        return
    answers = rows or DEFAULT_ANSWERS
    if pgbench() is None:
        report.skip(WORKLOAD, "PostgreSQL", "no pgbench here (Debian: postgresql-client)")
        return
    result = on_postgres(report, WORKLOAD, lambda url: run_worker(report, url, answers))
    if result is not None:
        record(report, answers, result)


def run_worker(report: Report, database_url: str, answers: int) -> dict[str, Any] | None:
    report.say(f"{WORKLOAD}: {answers:,} answers a run from {CLIENTS} connections …")
    with tempfile.TemporaryDirectory(prefix="advocacy-p3b-") as folder:
        return worker_result(
            report,
            workload=WORKLOAD,
            name="PostgreSQL",
            module="benchmarks.p3b_answer_writes",
            args=["--rows", str(answers)],
            database_url=database_url,
            var_dir=Path(folder),
            prefix=RESULT_PREFIX,
            summary=summary,
        )


def record(report: Report, answers: int, result: dict[str, Any]) -> None:
    workload = f"{WORKLOAD}, {answers:,} answers a run, {CLIENTS} connections"
    with_rollups, without = result["with_rollups"], result["without_rollups"]
    report.add(
        workload,
        "answers with the roll-ups",
        statistics.mean(with_rollups),
        "answers/s",
        reference=statistics.mean(without),
        reference_label="without",
        note=f"runs {', '.join(f'{v:,.0f}' for v in with_rollups)} against {', '.join(f'{v:,.0f}' for v in without)}",
    )
    report.add(workload, "roll-ups equal the answers", None, "", note="yes" if result["exact"] else "NO")


def summary(result: dict[str, Any]) -> str:
    return (
        f"with the roll-ups {statistics.mean(result['with_rollups']):,.0f} answers/s, without "
        f"{statistics.mean(result['without_rollups']):,.0f}; roll-ups exact: {result['exact']}"
    )


# --- the worker ----------------------------------------------------------------------------------


def worker(answers: int) -> None:
    import django
    from django.core.management import call_command
    from django.db import connection

    from benchmarks.p3_one_click import invitation_tokens

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)
    invitation_tokens(answers)
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE bench_queue AS SELECT row_number() OVER (ORDER BY id) AS n, id AS invitation_id, "
            "customer_id, survey_id, wave_id FROM feedback_invitation"
        )
        cursor.execute("CREATE UNIQUE INDEX ON bench_queue (n)")
        cursor.execute("ANALYZE")
    script = Path(tempfile.mkdtemp(prefix="advocacy-p3b-")) / "answer.sql"
    script.write_text(ANSWER_SCRIPT)
    runs: dict[str, list[float]] = {"with_rollups": [], "without_rollups": []}
    for _ in range(ROUNDS):
        for name, triggers_on in (("with_rollups", True), ("without_rollups", False)):
            set_rollup_triggers(on=triggers_on)
            empty_the_answers()
            runs[name].append(answers_per_second(script, answers))
    set_rollup_triggers(on=True)
    empty_the_answers()
    answers_per_second(script, answers)
    print(RESULT_PREFIX + json.dumps({**runs, "exact": rollups_exact()}), flush=True)


# Each transaction answers the next queued invitation (a sequence hands them out), as a burst of first
# clicks does; the score is random, so the roll-ups count every score.
ANSWER_SCRIPT = """\\set score random(0, 10)
INSERT INTO feedback_response (kind, channel, score, comment, answered_at, updated_at, customer_id,
  invitation_id, survey_id, wave_id, duplicate)
SELECT 'nps', 'email', :score, '', now(), now(), q.customer_id, q.invitation_id, q.survey_id, q.wave_id, false
FROM (SELECT nextval('bench_next') AS n) k JOIN bench_queue q USING (n)
ON CONFLICT (invitation_id) DO UPDATE SET score = excluded.score, updated_at = excluded.updated_at;
"""


def set_rollup_triggers(*, on: bool) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        for name in ROLLUP_TRIGGERS:
            cursor.execute(f"ALTER TABLE feedback_response {'ENABLE' if on else 'DISABLE'} TRIGGER {name}")


def empty_the_answers() -> None:
    """No answers, no roll-ups, no marks, the queue from its start; a checkpoint so that no run pays for
    the one before."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE feedback_response, feedback_responserollup, advocates_scorechange")
        cursor.execute("DROP SEQUENCE IF EXISTS bench_next")
        cursor.execute("CREATE SEQUENCE bench_next")
        cursor.execute("CHECKPOINT")


def answers_per_second(script: Path, answers: int) -> float:
    from django.db import connection

    settings = connection.settings_dict
    command = [
        str(pgbench()),
        "--no-vacuum",
        "--protocol=prepared",
        f"--file={script}",
        f"--client={CLIENTS}",
        "--jobs=2",
        f"--transactions={answers // CLIENTS}",
        f"--host={settings['HOST']}",
        f"--port={settings['PORT'] or 5432}",
        f"--username={settings['USER']}",
        str(settings["NAME"]),
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    tps = re.search(r"^tps = ([0-9.]+) \(without initial connection time\)", done.stdout, re.MULTILINE)
    if done.returncode != 0 or "failed transactions: 0 " not in done.stdout or tps is None:
        raise RuntimeError(f"pgbench failed: {done.stdout[-800:]} {done.stderr[-800:]}")
    return float(tps.group(1))


def rollups_exact() -> bool:
    from advocacy.feedback import rollups

    stored = Counter(rollups.stored_rows())
    return stored == Counter(rollups.expected_rows()) and sum(stored.values()) > 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="P3b answers written into PostgreSQL (see benchmarks/run.py)")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--rows", type=int, default=None, help="answers a run")
    args = parser.parse_args(argv)
    if args.worker:
        worker(args.rows or DEFAULT_ANSWERS)
        return 0
    from benchmarks.run import main as run_main

    return run_main(["p3b", *(["--rows", str(args.rows)] if args.rows else [])])


if __name__ == "__main__":
    sys.exit(main())
