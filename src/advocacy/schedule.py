"""The periodic tasks of Advocacy, in one place: `advocacy scheduler` enqueues each on its interval."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from advocacy.advocates.hub.tasks import retry_held_hub_invitations
from advocacy.advocates.scoring.tasks import recompute_scores, refresh_scores
from advocacy.casework.appointments.tasks import remind_appointments
from advocacy.casework.cases.tasks import sweep_cadence
from advocacy.core.api.tasks import prune_idempotency_records
from advocacy.core.jobs.tasks import prune_jobs, sweep_jobs
from advocacy.feedback.answers.tasks import settle_answers
from advocacy.feedback.dashboard.tasks import fold_rollup_stripes
from advocacy.feedback.learned.tasks import train_sentiment_model
from advocacy.feedback.surveys.tasks import open_due_waves
from advocacy.feedback.themes.tasks import refresh_themes
from advocacy.insights.costs.tasks import sync_reward_costs
from advocacy.insights.lifetime.tasks import refit_lifetime_value
from advocacy.listening.alerts.tasks import scan_for_spikes
from advocacy.listening.authenticity.tasks import flag_new_author_bursts
from advocacy.listening.sources.tasks import poll_feeds


@dataclass(frozen=True)
class Periodic:
    name: str
    task: Any
    every_minutes: int


PERIODIC_TASKS: list[Periodic] = [
    Periodic("case cadence sweep: warnings, breaches, escalations", sweep_cadence, 5),
    Periodic("open due survey waves", open_due_waves, 15),
    Periodic("appointment reminders", remind_appointments, 15),
    Periodic("refresh comment themes", refresh_themes, 6 * 60),
    # New activity shows in a score within the hour; the nightly full run keeps the parts that move with
    # the clock alone (recency, tenure) and the population scales no more than a day old. A full run of
    # a million customers takes about a minute now (benchmark P2), so freshness costs little.
    Periodic("rescore the customers with new activity (incremental)", refresh_scores, 60),
    Periodic(
        "recompute every advocate score (full: the clock-driven parts, the population scales)",
        recompute_scores,
        24 * 60,
    ),
    Periodic("retry held hub invitations", retry_held_hub_invitations, 24 * 60),
    Periodic("prune idempotency records", prune_idempotency_records, 60),
    Periodic("settle changed answers: the loop acts on the change", settle_answers, 1),
    Periodic("fold the dashboard roll-ups' stripes of past days into one row", fold_rollup_stripes, 24 * 60),
    Periodic("sweep jobs of lost workers (workers sweep too)", sweep_jobs, 5),
    Periodic("prune finished jobs", prune_jobs, 24 * 60),
    Periodic("book reward costs in the program cost ledger", sync_reward_costs, 60),
    Periodic("poll the listening feeds that are due", poll_feeds, 5),
    Periodic("scan mentions for spikes", scan_for_spikes, 60),
    Periodic("flag bursts of new authors", flag_new_author_bursts, 24 * 60),
    Periodic("retrain the learned sentiment model", train_sentiment_model, 24 * 60),
    Periodic("fit the lifetime value models (BG/NBD, Gamma-Gamma)", refit_lifetime_value, 24 * 60),
]
