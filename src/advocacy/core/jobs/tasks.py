"""The one task the backend (database queue or RQ) knows, and the periodic upkeep of the job ledger.

``run_job`` is a plain Tasks API task: the backend only carries a job id; what to run, how often it
was tried and whether it is done lives in the ``Job`` row, whichever backend carries it.
"""

from __future__ import annotations

from django_tasks import task

from advocacy.core.jobs import services
from advocacy.core.jobs.durable import durable_task


@task()
def run_job(job_id: int) -> str:
    return services.job_run(job_id=job_id)


@durable_task(max_attempts=1)
def sweep_jobs() -> dict[str, int]:
    """Take back the jobs of dead workers and dispatch forgotten ones (every worker also does this)."""
    result = services.jobs_sweep()
    return {"lost": result.lost, "redispatched": result.redispatched, **result.apps}


@durable_task()
def prune_jobs() -> dict[str, int]:
    return services.jobs_prune()
