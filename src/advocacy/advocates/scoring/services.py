"""Writes of the advocate score: recomputing every score, and the weights (each one transaction)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import numpy as np
from django.db import transaction
from django.utils import timezone

from advocacy.advocates.models import (
    AdvocateScore,
    ScoreWeights,
)
from advocacy.advocates.scoring.method import (
    PART_NAMES,
    POSITIVE_COMPONENTS,
    WEIGHT_FIELDS,
    Scores,
    customer_features,
    score,
)
from advocacy.core import events
from advocacy.core.errors import InvalidInput
from advocacy.core.models import User


def score_weights() -> ScoreWeights:
    weights, _ = ScoreWeights.objects.get_or_create(id=1)
    return weights


UPDATE_FIELDS = ["score", "tier", "parts", "reasons", "computed_at"]


@transaction.atomic
def scores_recompute(*, now: datetime | None = None, batch: int = 5000) -> int:
    """Score every customer and upsert their AdvocateScore rows; returns how many were scored.

    Running it twice with the same ``now`` writes the same rows (one per customer, by its key).
    """
    now = now or timezone.now()
    scores = score(customer_features(now), score_weights())
    for start in range(0, len(scores), batch):
        AdvocateScore.objects.bulk_create(
            score_rows(scores, range(start, min(start + batch, len(scores))), now),
            update_conflicts=True,
            unique_fields=["customer"],
            update_fields=UPDATE_FIELDS,
        )
    return len(scores)


def score_rows(scores: Scores, rows: range, now: datetime) -> list[AdvocateScore]:
    # Whole-batch conversions to plain Python first: per-element numpy access is slow at a million rows.
    window = slice(rows.start, rows.stop)
    ids, totals, tier = scores.ids[window].tolist(), scores.score[window].tolist(), scores.tier[window].tolist()
    parts = np.round(scores.parts[window], 1).tolist()
    return [
        AdvocateScore(
            customer_id=ids[n],
            score=totals[n],
            tier=tier[n],
            parts=dict(zip(PART_NAMES, parts[n], strict=True)),
            reasons=scores.reasons[i],
            computed_at=now,
        )
        for n, i in enumerate(rows)
    ]


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
    """Queue a recompute of every score (run after commit); returns the job (its id and status)."""
    from advocacy.advocates.scoring.tasks import recompute_scores  # the task module imports this one

    return recompute_scores.enqueue()
