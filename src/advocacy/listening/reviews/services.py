"""Review exports (G2, Trustpilot, app stores) as CSV, XLSX or JSON, read by the import service's readers
and limits and reported row by row like every import: each refused row with its line, column, value and
a reason; the others become mentions of the source (deduplicated and scored like a feed's)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime, time
from typing import IO

from django.conf import settings
from django.utils.dateparse import parse_date, parse_datetime

from advocacy.core.batches import batched
from advocacy.customers.importing.mapping import normalise
from advocacy.customers.importing.readers import ImportRefused, Table, open_binary, read_table
from advocacy.customers.importing.readers import Source as Upload
from advocacy.customers.importing.rows import RowError
from advocacy.customers.importing.services import ImportReport
from advocacy.listening.mentions.services import Incoming, mentions_ingest
from advocacy.listening.models import Query, Source

# field -> the headers review sites export it under (compared without case, spaces or punctuation).
COLUMNS: dict[str, tuple[str, ...]] = {
    "text": ("text", "review", "review text", "review content", "content", "body", "comment", "what do you like best"),
    "published_at": ("published at", "date", "review date", "created at", "submitted at", "date published", "time"),
    "rating": ("rating", "stars", "star rating", "score", "overall rating"),
    "author": ("author", "reviewer", "reviewer name", "name", "user name", "username", "consumer name"),
    "handle": ("handle", "screen name"),
    "email": ("email", "reviewer email", "author email"),
    "url": ("url", "link", "review url", "review link"),
    "title": ("title", "review title", "headline", "summary"),
    "language": ("language", "lang", "locale"),
    "id": ("id", "review id"),
}
REQUIRED = ("text", "published_at")
JSON_STARTS = (b"[", b"{")


def header_fields(headers: list[str]) -> dict[str, int]:
    """field -> column index, the first header naming each field."""
    lookup = {normalise(name): field for field, names in COLUMNS.items() for name in names}
    found: dict[str, int] = {}
    for index, header in enumerate(headers):
        field = lookup.get(normalise(header))
        if field and field not in found:
            found[field] = index
    missing = [f.replace("_", " ") for f in REQUIRED if f not in found]
    if missing:
        raise ImportRefused(
            f"The file has no column for {', '.join(missing)}; its columns are: {', '.join(headers) or 'none'}."
        )
    return found


def json_table(stream: IO[bytes]) -> Table:
    """A JSON export as a table: a list of objects (or {"reviews": [...]}) whose keys are the headers."""
    try:
        data = json.load(stream)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ImportRefused(f"The file is not valid JSON: {exc}") from exc
    if isinstance(data, dict):
        data = next((v for v in data.values() if isinstance(v, list)), None)
    if not isinstance(data, list) or not all(isinstance(row, dict) for row in data):
        raise ImportRefused('A JSON export is a list of reviews, e.g. [{"review": "…", "date": "2026-03-01"}].')
    headers = list(dict.fromkeys(key for row in data for key in row))
    records = ((i + 1, ["" if row.get(h) is None else str(row.get(h)) for h in headers]) for i, row in enumerate(data))
    return Table(headers=headers, header_line=0, records=records, encoding="utf-8")


def when(value: str) -> datetime:
    moment = parse_datetime(value)
    if moment is None:
        day = parse_date(value[:10])
        if day is None:
            raise ValueError("not a date: use 2026-03-01 or 2026-03-01T09:30:00Z")
        moment = datetime.combine(day, time(12))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def stars(value: str) -> int:
    match = re.fullmatch(r"\s*(\d+(?:\.0+)?)\s*(?:/\s*5|stars?)?\s*", value.lower())
    if not match or not 1 <= float(match.group(1)) <= 5:
        raise ValueError("a rating from 1 to 5, e.g. 4 or 4/5")
    return int(float(match.group(1)))


def row_item(
    line: int, cells: list[str], columns: dict[str, int], headers: list[str]
) -> tuple[Incoming | None, list[RowError]]:
    values = {f: (cells[i].strip() if i < len(cells) else "") for f, i in columns.items()}
    errors = []
    for field, value in values.items():
        if len(value) > settings.IMPORT_MAX_CELL_CHARS:
            errors.append(
                RowError(
                    line,
                    headers[columns[field]],
                    value[:50],
                    f"longer than {settings.IMPORT_MAX_CELL_CHARS:,} characters",
                )
            )
    if not values["text"]:
        errors.append(RowError(line, headers[columns["text"]], "", "the review text is empty"))
    published = rating = None
    try:
        published = when(values["published_at"])
    except ValueError as exc:
        errors.append(RowError(line, headers[columns["published_at"]], values["published_at"], str(exc)))
    if values.get("rating"):
        try:
            rating = stars(values["rating"])
        except ValueError as exc:
            errors.append(RowError(line, headers[columns["rating"]], values["rating"], str(exc)))
    if errors or published is None:
        return None, errors
    item = Incoming(
        text=values["text"],
        published_at=published,
        rating=rating,
        url=values.get("url", ""),
        external_id=values.get("id", ""),
        author=values.get("author", ""),
        handle=values.get("handle", ""),
        author_email=values.get("email", ""),
        title=values.get("title", ""),
        language=values.get("language", ""),
    )
    return item, []


def reviews_import(*, source: Source, upload: Upload, file_name: str = "", query: Query | None = None) -> ImportReport:
    """Import a review export into ``source``. Reviews that name no query's terms are kept under ``query``
    when one is given (a review on a product's own page need not name it). Raises ImportRefused for a
    file that is unusable as a whole."""
    report = ImportReport(kind="reviews", file_name=file_name)
    with open_binary(upload) as stream:
        head = stream.read(64).lstrip(b"\xef\xbb\xbf \r\n\t")
        stream.seek(0)
        table = json_table(stream) if head.startswith(JSON_STARTS) else read_table(stream)
        report.encoding = table.encoding
        columns = header_fields(table.headers)
        report.ignored_columns = [h for i, h in enumerate(table.headers) if i not in columns.values()]

        def good_rows() -> Iterator[Incoming]:
            for line, cells in table.records:
                report.rows_read += 1
                if report.rows_read > settings.IMPORT_MAX_ROWS:
                    raise ImportRefused(f"The file has more than {settings.IMPORT_MAX_ROWS:,} rows (IMPORT_MAX_ROWS).")
                item, errors = row_item(line, cells, columns, table.headers)
                if item is None:
                    report.failed += 1
                    report.add_errors(errors)
                else:
                    yield item

        for batch in batched(good_rows()):
            result = mentions_ingest(source=source, items=batch, default_query=query)
            report.created += len(result.stored)
            report.unchanged += result.duplicates + result.unmatched
    report.errors.sort(key=lambda error: error.line)
    report.applied = True
    return report
