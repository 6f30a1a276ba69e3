"""The one way in for every import: the command, the upload page, the API and the background task.

``import_file`` reads a file in batches of ``IMPORT_BATCH_SIZE`` records. Each batch is one
transaction and keeps its valid rows; with ``atomic`` the whole file is one transaction and any
bad row leaves nothing written; with ``dry_run`` nothing is written and the counts say what would be.
"""

from __future__ import annotations

import csv
import json
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TextIO

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from advocacy.core.batches import batched
from advocacy.core.collector import collector_between_batches
from advocacy.core.csvexport import neutralise
from advocacy.core.events import audit
from advocacy.core.jobs.runner import Liveness, current_runner
from advocacy.core.models import User
from advocacy.customers.importing.bulk import sqlite_tuned_for_import
from advocacy.customers.importing.mapping import KINDS, ColumnMap, map_columns
from advocacy.customers.importing.readers import (
    ImportRefused,
    Source,
    encoding_name,
    open_binary,
    read_table,
    size_refusal,
)
from advocacy.customers.importing.rows import RecordCleaner, Row, RowError
from advocacy.customers.importing.writer import WRITERS, BatchWriter, Outcome
from advocacy.customers.models import ImportJob, ImportStatus

__all__ = ["ImportRefused", "ImportReport", "RowError", "import_file", "import_job_create", "import_job_run"]

ERRORS_HEADER = ["line", "column", "value", "reason"]


@dataclass
class ImportReport:
    """What an import read, wrote and refused, row by row.

    The errors kept are bounded: each value, column and reason is cut to a readable length, and
    errors stop being kept once the report reaches IMPORT_REPORT_MAX_BYTES (they are still counted).
    """

    kind: str
    file_name: str
    encoding: str = ""
    rows_read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: int = 0
    errors: list[RowError] = field(default_factory=list)
    errors_total: int = 0
    ignored_columns: list[str] = field(default_factory=list)
    accounts_created: list[str] = field(default_factory=list)
    dry_run: bool = False
    atomic: bool = False
    applied: bool = False
    _kept_bytes = 0

    @property
    def errors_omitted(self) -> int:
        return self.errors_total - len(self.errors)

    @property
    def written(self) -> int:
        """Rows this import wrote (none in a dry run, or in an all-or-nothing import with a bad row)."""
        return self.created + self.updated if self.applied else 0

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["errors_omitted"] = self.errors_omitted
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ImportReport:
        values = {name: data[name] for name in cls.__dataclass_fields__ if name in data}
        values["errors"] = [RowError(**error) for error in data.get("errors", [])]
        values.setdefault("errors_total", len(values["errors"]))
        values.setdefault("failed", len({error.line for error in values["errors"]}))
        return cls(**values)

    def error_rows(self) -> Iterator[list[Any]]:
        for error in self.errors:
            yield [error.line, error.column, error.value, error.reason]

    def errors_csv(self, out: TextIO) -> None:
        """Write the errors as CSV; values from the file are neutralised against formula injection."""
        writer = csv.writer(out)
        writer.writerow(ERRORS_HEADER)
        writer.writerows([neutralise(cell) for cell in row] for row in self.error_rows())

    def add_errors(self, errors: Iterable[RowError]) -> None:
        limit = settings.IMPORT_REPORT_MAX_BYTES
        for error in errors:
            self.errors_total += 1
            kept = reported(error)
            size = len(json.dumps(asdict(kept)))
            if self._kept_bytes + size <= limit:
                self.errors.append(kept)
                self._kept_bytes += size

    def add(self, outcome: Outcome) -> None:
        self.created += outcome.created
        self.updated += outcome.updated
        self.unchanged += outcome.unchanged
        self.failed += len({error.line for error in outcome.errors})
        self.add_errors(outcome.errors)
        room = ACCOUNTS_LISTED - len(self.accounts_created)
        self.accounts_created += [shortened(name, 100) for name in outcome.accounts_created[: max(room, 0)]]


ACCOUNTS_LISTED = 200  # the report lists this many new accounts by name (it stays small)


def shortened(text: str, limit: int) -> str:
    """Text cut to ``limit`` characters, saying how long it was."""
    return text if len(text) <= limit else f"{text[:limit]}… ({len(text):,} characters)"


def reported(error: RowError) -> RowError:
    """A row error as the report keeps it: the value, column and reason each cut to a readable length."""
    return RowError(
        line=error.line,
        column=shortened(error.column, 100),
        value=shortened(error.value, settings.IMPORT_REPORT_VALUE_CHARS),
        reason=shortened(error.reason, 300),
    )


def import_file(
    *,
    kind: str,
    source: Source,
    file_name: str = "",
    encoding: str | None = None,
    mapping: dict[str, str] | None = None,
    dry_run: bool = False,
    atomic: bool = False,
    batch_size: int | None = None,
    progress: Callable[[int], None] | None = None,
    by: User | None = None,
) -> ImportReport:
    """Import ``source`` as ``kind`` rows. Raises ImportRefused when the file as a whole is unusable."""
    if kind not in KINDS:
        raise ImportRefused(f"Unknown import kind {kind!r}; use one of: {', '.join(KINDS)}.")
    with open_binary(source) as stream, sqlite_tuned_for_import():
        table = read_table(stream, encoding=encoding)
        columns = map_columns(kind, table.headers, mapping)
        report = ImportReport(
            kind=kind,
            file_name=file_name or _name_of(source),
            encoding=table.encoding,
            ignored_columns=[shortened(header, 100) for header in columns.ignored],
            dry_run=dry_run,
            atomic=atomic,
        )
        writer = WRITERS[kind](columns=columns, by=by, file_name=report.file_name)
        batches = batched(_clean_rows(kind, table.records, columns, report), batch_size)
        if atomic:
            with transaction.atomic():
                _write_batches(batches, writer, report, progress)
                if report.errors_total or dry_run:
                    transaction.set_rollback(True)
        else:
            _write_batches(batches, writer, report, progress)
    # Field errors are found as rows are read, reference errors per batch: show them in file order.
    report.errors.sort(key=lambda error: error.line)
    report.applied = not dry_run and not (atomic and report.errors_total)
    return report


def _name_of(source: Source) -> str:
    if isinstance(source, str | Path):
        return Path(source).name
    return Path(str(getattr(source, "name", "") or "upload")).name


def _clean_rows(
    kind: str, records: Iterable[tuple[int, list[str]]], columns: ColumnMap, report: ImportReport
) -> Iterator[Row]:
    clean = RecordCleaner(kind, columns).clean
    most = settings.IMPORT_MAX_ROWS
    for line, cells in records:
        report.rows_read += 1
        if report.rows_read > most:
            raise ImportRefused(f"The file has more than {most:,} rows (IMPORT_MAX_ROWS).")
        row, errors = clean(line, cells)
        if row is None:
            report.failed += 1
            report.add_errors(errors)
        else:
            yield row


def _write_batches(
    batches: Iterator[list[Row]], writer: BatchWriter, report: ImportReport, progress: Callable[[int], None] | None
) -> None:
    with collector_between_batches() as collect:
        for batch in batches:
            # Once an atomic import has a bad row nothing will be kept, so later batches are only checked.
            apply = not report.dry_run and not (report.atomic and report.errors_total)
            with transaction.atomic():
                report.add(writer.write(batch, apply=apply))
            collect()
            if progress:
                progress(report.rows_read)
    if progress:
        progress(report.rows_read)


# --- import jobs (the upload page, the API and the background task) -----------------------------


def check_upload_size(upload: UploadedFile) -> None:
    message = size_refusal(upload.size or 0)
    if message:
        raise ImportRefused(message)


def store_upload(upload: UploadedFile) -> str:
    """Save the upload under MEDIA_ROOT/imports/ with a random name; return the path relative to MEDIA_ROOT."""
    relative = f"imports/{uuid.uuid4().hex}"
    path = Path(settings.MEDIA_ROOT) / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    return relative


def import_job_create(
    *,
    kind: str,
    upload: UploadedFile,
    by: User,
    encoding: str = "",
    mapping: dict[str, str] | None = None,
    dry_run: bool = False,
    atomic: bool = False,
) -> ImportJob:
    """Store the file and record a queued job; the caller enqueues ``run_import_job`` on commit."""
    if kind not in KINDS:
        raise ImportRefused(f"Unknown import kind {kind!r}; use one of: {', '.join(KINDS)}.")
    check_upload_size(upload)
    if encoding:
        encoding_name(encoding)  # refused now, before anything is stored
    if any("\x00" in text for pair in (mapping or {}).items() for text in pair):
        raise ImportRefused("The mapping holds a NUL character (%00); write each line as Header=field.")
    return ImportJob.objects.create(
        kind=kind,
        file_name=Path(upload.name or "upload").name[:255],
        stored_path=store_upload(upload),
        encoding=encoding,
        mapping=mapping or {},
        dry_run=dry_run,
        atomic=atomic,
        created_by=by,
    )


def import_job_run(*, job_id: int) -> ImportJob | None:
    """Run a queued job once. A job another worker claimed, or one already done, is left alone."""
    claimed = ImportJob.objects.filter(pk=job_id, status=ImportStatus.QUEUED).update(
        status=ImportStatus.RUNNING, runner=current_runner(), started_at=timezone.now()
    )
    if not claimed:
        return None
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    path = Path(settings.MEDIA_ROOT) / job.stored_path
    try:
        report = import_file(
            kind=job.kind,
            source=path,
            file_name=job.file_name,
            encoding=job.encoding or None,
            mapping=job.mapping or None,
            dry_run=job.dry_run,
            atomic=job.atomic,
            by=job.created_by,
        )
    except ImportRefused as exc:
        return _finish(job, ImportStatus.FAILED, {"refused": str(exc)})
    except Exception:
        _finish(
            job,
            ImportStatus.FAILED,
            {"refused": "The import stopped on an unexpected error; rows from batches before it were kept."},
        )
        raise
    finally:
        # The file holds personal data; the report keeps all that is needed afterwards.
        path.unlink(missing_ok=True)
    _finish(job, ImportStatus.DONE, report.to_dict())
    if report.applied:
        audit(
            actor=job.created_by,
            verb="import.applied",
            obj=job,
            data={
                "kind": job.kind,
                "created": report.created,
                "updated": report.updated,
                "unchanged": report.unchanged,
                "failed": report.failed,
            },
        )
    return job


def _finish(job: ImportJob, status: str, report: dict[str, Any]) -> ImportJob:
    job.status, job.report, job.finished_at = status, report, timezone.now()
    job.save(update_fields=["status", "report", "finished_at"])
    return job


# --- the sweep: imports whose process died --------------------------------------------------------

ABANDONED = (
    "The import stopped: the process running it ended before it finished (a crash, a restart or the request "
    "timeout). Rows from batches before that point were kept; the uploaded file was removed."
)


def import_jobs_sweep(now: datetime | None = None) -> int:
    """Fail the jobs left running by a dead process and remove their files; then remove uploads that no
    job will read. Returns how many jobs it failed. Registered with core's job sweep."""
    now = now or timezone.now()
    running = list(ImportJob.objects.filter(status=ImportStatus.RUNNING))
    liveness = Liveness((job.runner for job in running), now=now)
    # An import run inside a web request ends with the request: its lease is the request timeout.
    lease = settings.REQUEST_TIMEOUT_SECONDS * 2
    failed = 0
    for job in running:
        if liveness.lost(job.runner, claimed_at=job.started_at or job.created_at, lease_seconds=lease):
            failed += import_job_abandon(job=job, now=now)
    uploads_prune(now=now)
    return failed


def import_job_abandon(*, job: ImportJob, now: datetime) -> int:
    done = ImportJob.objects.filter(pk=job.pk, status=ImportStatus.RUNNING, runner=job.runner).update(
        status=ImportStatus.FAILED, report={"refused": ABANDONED}, finished_at=now
    )
    if done:
        (Path(settings.MEDIA_ROOT) / job.stored_path).unlink(missing_ok=True)
        audit(actor=None, verb="import.abandoned", obj=job, data={"runner": job.runner}, label="sweep")
    return done


def uploads_prune(*, now: datetime, older_than: timedelta = timedelta(days=1)) -> int:
    """Uploaded files (personal data) that no queued or running job will read: a transaction that stored
    the file then rolled back, a job failed by the sweep."""
    folder = Path(settings.MEDIA_ROOT) / "imports"
    if not folder.is_dir():
        return 0
    wanted = set(
        ImportJob.objects.filter(status__in=[ImportStatus.QUEUED, ImportStatus.RUNNING]).values_list(
            "stored_path", flat=True
        )
    )
    removed = 0
    for path in folder.iterdir():
        old = path.stat().st_mtime < (now - older_than).timestamp()
        if path.is_file() and old and f"imports/{path.name}" not in wanted:
            path.unlink(missing_ok=True)
            removed += 1
    return removed
