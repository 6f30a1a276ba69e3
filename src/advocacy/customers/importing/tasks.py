"""Background tasks of the customers app; each calls a service and is safe to run twice."""

from __future__ import annotations

from advocacy.core.jobs.durable import durable_task
from advocacy.customers.importing.services import import_job_run


@durable_task(max_attempts=1)  # a file that crashed its worker is not run again: the sweep fails it
def run_import_job(job_id: int) -> None:
    """Run an uploaded import. The job is claimed queued→running first, so a repeat does nothing."""
    import_job_run(job_id=job_id)
