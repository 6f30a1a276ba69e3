"""``advocacy import KIND FILE``: import a CSV or XLSX file with a progress bar and a summary.

Exit status: 0 when every row was imported, 1 when any row failed, 2 when the file was refused.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from advocacy.customers.importing.mapping import KINDS, parse_mapping_lines
from advocacy.customers.importing.services import ImportRefused, ImportReport, import_file

ERRORS_SHOWN = 50


class Command(BaseCommand):
    help = "Import customers, accounts, products, orders or engagement events from a CSV or XLSX file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=KINDS)
        parser.add_argument("file", type=Path)
        parser.add_argument("--encoding", help="The CSV's text encoding (detected when left out).")
        parser.add_argument(
            "--map",
            action="append",
            default=[],
            metavar="HEADER=FIELD",
            help="Read the column HEADER as FIELD; repeat for more columns.",
        )
        parser.add_argument("--dry-run", action="store_true", help="Check and count, write nothing.")
        parser.add_argument("--atomic", action="store_true", help="Write nothing unless every row is valid.")
        parser.add_argument("--batch-size", type=int, help="Records per transaction (IMPORT_BATCH_SIZE).")
        parser.add_argument("--errors-csv", type=Path, metavar="PATH", help="Write every row error to PATH.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            mapping = parse_mapping_lines(options["map"])
        except ValueError as exc:
            raise CommandError(str(exc), returncode=2) from exc
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"No such file: {path}", returncode=2)
        try:
            report = self.run_with_progress(path, options, mapping)
        except ImportRefused as exc:
            raise CommandError(str(exc), returncode=2) from exc
        self.stdout.write(render_summary(report))
        if options["errors_csv"]:
            with options["errors_csv"].open("w", newline="", encoding="utf-8") as out:
                report.errors_csv(out)
        if report.errors_total:
            raise CommandError(failure_message(report), returncode=1)

    def run_with_progress(self, path: Path, options: dict[str, Any], mapping: dict[str, str]) -> ImportReport:
        # The bar goes to stderr so that stdout holds only the summary, fit for a log or a pipe.
        columns = (
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            TextColumn("{task.completed:,} rows"),
            TimeElapsedColumn(),
        )
        with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
            task_id = bar.add_task(f"Importing {path.name}", total=None)
            return import_file(
                kind=options["kind"],
                source=path,
                encoding=options["encoding"],
                mapping=mapping or None,
                dry_run=options["dry_run"],
                atomic=options["atomic"],
                batch_size=options["batch_size"],
                progress=lambda rows: bar.update(task_id, completed=rows),
            )


def render_summary(report: ImportReport) -> str:
    """The counts, then the first errors, as plain text a terminal or a log can hold."""
    console = Console(file=io.StringIO(), width=110, color_system=None)
    console.print(summary_title(report))
    counts = Table(show_header=True)
    for name in ("read", "created", "updated", "unchanged", "failed"):
        counts.add_column(name, justify="right")
    counts.add_row(
        *(f"{n:,}" for n in (report.rows_read, report.created, report.updated, report.unchanged, report.failed))
    )
    console.print(counts)
    if report.ignored_columns:
        console.print(Text(f"Columns ignored: {', '.join(report.ignored_columns)}"))
    if report.errors:
        console.print(errors_table(report))
        if report.errors_total > ERRORS_SHOWN:
            console.print(f"… and {report.errors_total - ERRORS_SHOWN:,} more; --errors-csv PATH writes them.")
        if report.errors_omitted:
            console.print(f"{report.errors_omitted:,} errors were counted but not kept (IMPORT_REPORT_MAX_BYTES).")
    return console.file.getvalue()  # type: ignore[attr-defined]


def summary_title(report: ImportReport) -> str:
    if report.dry_run:
        state = "dry run, nothing written"
    elif not report.applied:
        state = "atomic, nothing written because some rows are bad"
    else:
        state = "written"
    return escape(f"{report.kind} from {report.file_name} ({report.encoding}): {state}")


def errors_table(report: ImportReport) -> Table:
    table = Table(title="Rows not imported")
    for name, justify in (("line", "right"), ("column", "left"), ("value", "left"), ("reason", "left")):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for error in report.errors[:ERRORS_SHOWN]:
        # Text, not markup: values come from the file and may hold square brackets.
        table.add_row(str(error.line), Text(error.column), Text(error.value), Text(error.reason))
    return table


def failure_message(report: ImportReport) -> str:
    return f"{report.failed:,} of {report.rows_read:,} rows were not imported."
