"""Writes of the advocate score: a full rescore, a rescore of the customers with new activity, and the weights.

**Full** (``scores_recompute``): every customer is scored, measured against every customer (the
population scales: the typical count of recent events, the revenues per currency), and the scales
are kept with the run. On demand (the API, the weights), and nightly by the schedule.

**Incremental** (``scores_refresh``, hourly): only the customers whose score can have changed since
the last run's moment (the watermark, ``ScoringRun.scored_at``) are scored, against the kept scales:

- every customer a trigger marked (scoring/changes.py: any insert, update or delete of a row the score
  reads — events, orders, answers, cases, referrals, reference calls, stories, submissions, the
  customer), and
- every customer whose rows crossed a boundary of a window the score counts in, between the two
  moments: an event or an answer dated in (watermark, now] that was in the future before; an event
  that left the 90- or 365-day window (dated in [watermark − 90 d, now − 90 d]), a detractor answer
  that left its 90 days; an order, referral, reference call or story whose date arrived.

What an incremental run leaves as it was: the customers without any of these keep their stored score,
including the parts that move with the clock alone (recency halving every 30 days, tenure, how long
ago a detractor answered) and the population scales; the nightly full rescore brings those up to date.

Either way only rows whose score, tier, parts or reasons differ are written, set-based: the scores
are staged in a temporary table (COPY on PostgreSQL, executemany on SQLite), then, on PostgreSQL, one
``UPDATE … FROM`` changes the rows that differ and one ``INSERT … SELECT`` adds the missing ones; on
SQLite one ``INSERT … SELECT … ON CONFLICT DO UPDATE … WHERE`` (differs) does both. The run
row, the written scores and the deletion of the marks it took commit together: a worker killed mid-run
leaves the watermark and the marks where they were, and the next run does the work again.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import numpy as np
from django.db import connection, transaction
from django.db.backends.utils import CursorWrapper
from django.db.models.expressions import RawSQL
from django.utils import timezone

from advocacy.advocates.models import AdvocateScore, ScoreChange, ScoreWeights, ScoringRun
from advocacy.advocates.scoring.method import (
    PART_NAMES,
    POSITIVE_COMPONENTS,
    WEIGHT_FIELDS,
    Population,
    Scores,
    customer_features,
    population_of,
    score,
)
from advocacy.advocates.scoring.queries import due_sql, last_run
from advocacy.advocates.scoring.staging import stage, unstage
from advocacy.core import events
from advocacy.core.errors import InvalidInput
from advocacy.core.models import User

SCORE_TABLE = AdvocateScore._meta.db_table
BATCH_TABLE = "scoring_batch"  # the customers an incremental run scores
TAKEN_TABLE = "scoring_taken"  # the change marks a run took: (customer, version)
NEW_TABLE = "scoring_new"  # the scores a run computed, staged for the set-based write


def score_weights() -> ScoreWeights:
    weights, _ = ScoreWeights.objects.get_or_create(id=1)
    return weights


@transaction.atomic
def scores_recompute(*, now: datetime | None = None) -> int:
    """Score every customer and write the rows that changed; returns how many were scored.

    Running it twice with the same ``now`` writes nothing the second time.
    """
    now = now or timezone.now()
    weights = _lock_weights()
    return _full(now, weights)


@transaction.atomic
def scores_refresh(*, now: datetime | None = None) -> int:
    """Score the customers with new activity since the last run (see the module's docstring); returns how
    many were scored. Without a full run to measure against, scores everyone."""
    now = now or timezone.now()
    weights = _lock_weights()
    last = last_run()
    base = ScoringRun.objects.filter(full=True).order_by("-id").first()
    if last is None or base is None or base.typical_events_90 is None:
        return _full(now, weights)
    population = Population.from_bytes(base.typical_events_90, base.revenue_scale or b"")
    with connection.cursor() as cursor:
        _take_changes(cursor)
        _stage_batch(cursor, since=last.scored_at, now=now)
        features = customer_features(now, only=RawSQL(f"SELECT customer_id FROM {BATCH_TABLE}", []))
        scores = score(features, weights, population)
        written = _write(cursor, scores, now)
        _clear_taken(cursor)
        unstage(cursor, BATCH_TABLE)
    ScoringRun.objects.create(scored_at=now, full=False, scored=len(scores), written=written)
    return len(scores)


def _lock_weights() -> ScoreWeights:
    """The weights row, locked until the run commits: two rescores never overlap (PostgreSQL; SQLite
    has one writer at a time anyway)."""
    score_weights()
    return ScoreWeights.objects.select_for_update().get(id=1)


def _full(now: datetime, weights: ScoreWeights) -> int:
    """Score every customer; returns how many were scored."""
    with connection.cursor() as cursor:
        _take_changes(cursor)  # before the reads: a change that commits later keeps its mark
        features = customer_features(now)
        population = population_of(features)
        scores = score(features, weights, population)
        written = _write(cursor, scores, now)
        _clear_taken(cursor)
    run = ScoringRun.objects.create(
        scored_at=now,
        full=True,
        scored=len(scores),
        written=written,
        typical_events_90=population.typical_events_90,
        revenue_scale=population.to_bytes(),
    )
    # Only the latest scales are ever read; a million revenues are megabytes, kept once.
    ScoringRun.objects.filter(full=True, revenue_scale__isnull=False).exclude(pk=run.pk).update(revenue_scale=None)
    return len(scores)


# --- the change marks ---------------------------------------------------------------------------


def _take_changes(cursor: CursorWrapper) -> None:
    stage(cursor, connection.vendor, TAKEN_TABLE, [("customer_id", "bigint"), ("version", "integer")], [])
    cursor.execute(f"INSERT INTO {TAKEN_TABLE} (customer_id, version) SELECT customer_id, version FROM {_changes()}")


def _clear_taken(cursor: CursorWrapper) -> None:
    """Delete the marks this run took, exactly as it took them: one bumped since then stays."""
    changes = _changes()
    taken = f"SELECT 1 FROM {TAKEN_TABLE} t WHERE t.customer_id = m.customer_id AND t.version = m.version"
    if connection.vendor == "postgresql":
        # A mark locked by a writer is being bumped: it stays for the next run, and the run never
        # waits on a writer (so a writer that waits on this run cannot close a deadlock).
        cursor.execute(
            f"DELETE FROM {changes} WHERE customer_id IN (SELECT m.customer_id FROM {changes} m "
            f"WHERE EXISTS ({taken}) FOR UPDATE OF m SKIP LOCKED)"
        )
    else:
        cursor.execute(f"DELETE FROM {changes} AS m WHERE EXISTS ({taken})")
    unstage(cursor, TAKEN_TABLE)


def _changes() -> str:
    return ScoreChange._meta.db_table


# --- which customers an incremental run scores ---------------------------------------------------


def _stage_batch(cursor: CursorWrapper, *, since: datetime, now: datetime) -> None:
    """The customers to score: those this run took marks for, and those whose rows crossed a window."""
    stage(cursor, connection.vendor, BATCH_TABLE, [("customer_id", "bigint")], [])
    due, params = due_sql(marks=TAKEN_TABLE, since=since, now=now)
    cursor.execute(f"INSERT INTO {BATCH_TABLE} (customer_id) {due}", params)
    if connection.vendor == "postgresql":
        cursor.execute(f"ANALYZE {BATCH_TABLE}")  # a temporary table has no statistics: the planner needs its size


# --- writing the scores that changed ------------------------------------------------------------

JSON_TYPE = {"postgresql": "jsonb", "sqlite": "text"}  # PostgreSQL parses the JSON once, as COPY reads it


def new_columns(vendor: str) -> list[tuple[str, str]]:
    return [
        ("customer_id", "bigint"),
        ("score", "double precision"),
        ("tier", "varchar(16)"),
        ("parts", JSON_TYPE[vendor]),
        ("reasons", JSON_TYPE[vendor]),
    ]


CHUNK = 50_000  # customers turned into rows at a time, to bound memory


def _write(cursor: CursorWrapper, scores: Scores, now: datetime) -> int:
    """Stage every computed score, then change the stored rows that differ and add the missing ones;
    returns the rows written."""
    stage(cursor, connection.vendor, NEW_TABLE, new_columns(connection.vendor), _staged_rows(scores))
    if connection.vendor == "postgresql":
        cursor.execute(f"ANALYZE {NEW_TABLE}")  # a temporary table has no statistics: the planner needs its size
        cursor.execute(UPDATE_CHANGED, [now])
        written = cursor.rowcount
        cursor.execute(INSERT_MISSING, [now])
        written += cursor.rowcount
    else:
        cursor.execute(UPSERT_CHANGED, [now])
        written = cursor.rowcount
    unstage(cursor, NEW_TABLE)
    return written


def _staged_rows(scores: Scores) -> Any:
    """(customer, score, tier, parts JSON, reasons JSON) per customer, a chunk at a time; whole-chunk
    conversions to plain Python first (per-element numpy access is slow at a million rows)."""
    for start in range(0, len(scores), CHUNK):
        rows = np.arange(start, min(start + CHUNK, len(scores)))
        ids = scores.ids[rows].tolist()
        totals = scores.score[rows].tolist()
        tiers = scores.tier[rows].tolist()
        parts = np.round(scores.parts[rows], 1).tolist()
        reasons = scores.reasons_json_of(rows)
        for n in range(len(rows)):
            yield ids[n], totals[n], tiers[n], parts_json(parts[n]), reasons[n]


PARTS_TEMPLATE = "{" + ", ".join(f'"{name}": %r' for name in PART_NAMES) + "}"


def parts_json(points: list[float]) -> str:
    """A score's parts as the JSON object json.dumps writes, without its per-call overhead."""
    return PARTS_TEMPLATE % tuple(points)


# PostgreSQL: one UPDATE … FROM of the rows that differ (a hash join), one INSERT of the missing ones.
UPDATE_CHANGED = (
    f"UPDATE {SCORE_TABLE} AS s SET score = n.score, tier = n.tier, parts = n.parts, "
    f"reasons = n.reasons, computed_at = %s FROM {NEW_TABLE} AS n WHERE s.customer_id = n.customer_id "
    "AND (s.score <> n.score OR s.tier <> n.tier OR s.parts <> n.parts OR s.reasons <> n.reasons)"
)
INSERT_MISSING = (
    f"INSERT INTO {SCORE_TABLE} (customer_id, score, tier, parts, reasons, computed_at) "
    f"SELECT n.customer_id, n.score, n.tier, n.parts, n.reasons, %s FROM {NEW_TABLE} AS n "
    f"WHERE NOT EXISTS (SELECT 1 FROM {SCORE_TABLE} AS s WHERE s.customer_id = n.customer_id) "
    "AND EXISTS (SELECT 1 FROM customers_customer AS c WHERE c.id = n.customer_id) "  # not deleted meanwhile
    "ON CONFLICT (customer_id) DO NOTHING"
)
# SQLite: one upsert driven by the staged rows (its UPDATE … FROM would scan every stored score), which
# updates a stored row only where it differs; JSON is text there, compared as written.
UPSERT_CHANGED = (
    f"INSERT INTO {SCORE_TABLE} AS s (customer_id, score, tier, parts, reasons, computed_at) "
    f"SELECT n.customer_id, n.score, n.tier, n.parts, n.reasons, %s FROM {NEW_TABLE} AS n "
    "JOIN customers_customer AS c ON c.id = n.customer_id "  # not deleted meanwhile
    "WHERE true ON CONFLICT (customer_id) DO UPDATE SET score = excluded.score, tier = excluded.tier, "
    "parts = excluded.parts, reasons = excluded.reasons, computed_at = excluded.computed_at "
    "WHERE s.score <> excluded.score OR s.tier <> excluded.tier OR s.parts <> excluded.parts "
    "OR s.reasons <> excluded.reasons"
)


# --- the weights --------------------------------------------------------------------------------


def check_weights(weights: dict[str, float]) -> None:
    errors = {name: "must be 0 or more" for name, value in weights.items() if value is None or value < 0}
    if not errors and sum(weights.get(c, 0.0) for c in POSITIVE_COMPONENTS) <= 0:
        errors["satisfaction"] = "at least one of satisfaction, engagement, value or advocacy history must count"
    unknown = set(weights) - set(WEIGHT_FIELDS)
    errors.update({name: "not a score weight" for name in unknown})
    if errors:
        raise InvalidInput(errors)


@transaction.atomic
def weights_update(*, by: User | None, **weights: float) -> ScoreWeights:
    """Set the score weights and recompute every score once the change is committed."""
    check_weights(weights)
    row = score_weights()
    for name, value in weights.items():
        setattr(row, name, float(value))
    row.save()
    events.audit(actor=by, verb="score_weights.updated", obj=row, data={k: float(v) for k, v in weights.items()})
    recompute_enqueue()
    return row


def recompute_enqueue() -> Any:
    """Queue a full recompute of every score (run after commit); returns the job (its id and status)."""
    from advocacy.advocates.scoring.tasks import recompute_scores  # the task module imports this one

    return recompute_scores.enqueue()
