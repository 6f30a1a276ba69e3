"""Background work that survives crashes: durable tasks, their retries, the sweep and the dead letters.

Every app declares its tasks with ``durable_task`` (``durable.py``); each enqueue is a ``core.Job`` row
written in the caller's transaction. ``runner.py`` says who runs a job and whether that runner is
still alive; ``services.py`` claims, runs, retries and sweeps; the admins' page lists dead letters.
"""
