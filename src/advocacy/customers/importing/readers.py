"""Open an import file and stream its records as (line number, cells), whatever its format.

CSV is decoded incrementally, so a 100 MB file is never held in memory as one string; XLSX is read
with openpyxl's read-only mode, which streams rows from the zip.
"""

from __future__ import annotations

import codecs
import csv
import io
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import IO, BinaryIO

from charset_normalizer import from_bytes
from charset_normalizer.md import mess_ratio
from django.conf import settings

Source = BinaryIO | IO[bytes] | str | Path

XLSX_MAGIC = b"PK\x03\x04"
OLD_EXCEL_MAGIC = b"\xd0\xcf\x11\xe0"
UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
CHUNK = 1024 * 1024
SAMPLE = 64 * 1024
# Above this share of oddities, Windows-1252 is a misreading (Cyrillic read as Latin, say).
CP1252_MAX_MESS = 0.2
DELIMITERS = (",", ";", "\t", "|")


class ImportRefused(Exception):
    """The file as a whole cannot be imported; the message says why, for a person to read."""


@dataclass
class Table:
    """A file's header and a lazy stream of its records, each with the line it starts on."""

    headers: list[str]
    header_line: int
    records: Iterator[tuple[int, list[str]]]
    encoding: str


def human_size(size: int) -> str:
    value = float(size)
    for unit in ("bytes", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{size:,} bytes" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1024
    raise AssertionError("unreachable")


def size_refusal(size: int, limit: int | None = None) -> str | None:
    """The message for a file over the limit, or None when it fits."""
    limit = settings.IMPORT_MAX_BYTES if limit is None else limit
    if size <= limit:
        return None
    return (
        f"The file is {human_size(size)}, over the import limit of {human_size(limit)} "
        f"(IMPORT_MAX_BYTES). Split it into smaller files."
    )


@contextmanager
def open_binary(source: Source) -> Iterator[IO[bytes]]:
    """A seekable binary stream positioned at the start, refused if over IMPORT_MAX_BYTES."""
    if isinstance(source, str | Path):
        path = Path(source)
        _refuse_if_too_big(path.stat().st_size)
        with path.open("rb") as stream:
            yield stream
        return
    if source.seekable():
        start = source.tell()
        size = source.seek(0, io.SEEK_END) - start
        source.seek(start)
        _refuse_if_too_big(size)
        yield source
        return
    with _spooled_copy(source) as copy:
        yield copy


def _refuse_if_too_big(size: int) -> None:
    message = size_refusal(size)
    if message:
        raise ImportRefused(message)


@contextmanager
def _spooled_copy(source: IO[bytes]) -> Iterator[IO[bytes]]:
    """Copy a pipe or socket so it can be read twice, stopping as soon as it is over the limit."""
    limit = settings.IMPORT_MAX_BYTES
    with tempfile.SpooledTemporaryFile(max_size=8 * CHUNK) as copy:
        while chunk := source.read(CHUNK):
            copy.write(chunk)
            if copy.tell() > limit:
                _refuse_if_too_big(copy.tell() + _remaining(source))
        copy.seek(0)
        yield copy


def _remaining(source: IO[bytes]) -> int:
    """Drain the rest to name the true size in the refusal, without keeping it."""
    total = 0
    while chunk := source.read(CHUNK):
        total += len(chunk)
    return total


def read_table(stream: IO[bytes], *, encoding: str | None = None) -> Table:
    """Sniff the format and return the header and a record stream; refuse unreadable files."""
    head = stream.read(SAMPLE)
    stream.seek(0)
    if not head.strip():
        raise ImportRefused("The file is empty.")
    if head.startswith(XLSX_MAGIC):
        return _xlsx_table(stream)
    if head.startswith(OLD_EXCEL_MAGIC):
        raise ImportRefused("This is an old Excel .xls workbook; save it as .xlsx or CSV and try again.")
    chosen = _checked_encoding(stream, encoding) if encoding else _detected_encoding(stream, head)
    if b"\x00" in head and not chosen.lower().startswith("utf-16"):
        raise ImportRefused("This looks like a binary file, not CSV or XLSX.")
    return _csv_table(stream, chosen)


# --- encodings ----------------------------------------------------------------------------------


def first_decode_error(stream: IO[bytes], encoding: str) -> int | None:
    """The byte offset where the file stops being valid in ``encoding``, or None if it all is."""
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    offset = 0
    stream.seek(0)
    try:
        while chunk := stream.read(CHUNK):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                return offset + exc.start
            offset += len(chunk)
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return offset
        return None
    finally:
        stream.seek(0)


def _checked_encoding(stream: IO[bytes], encoding: str) -> str:
    try:
        name = codecs.lookup(encoding).name
    except LookupError as exc:
        raise ImportRefused(f"Unknown encoding {encoding!r}; try utf-8, cp1252 or latin-1.") from exc
    # Python's "utf-8" would keep a byte-order mark as part of the first header.
    name = "utf-8-sig" if name == "utf-8" else name
    bad = first_decode_error(stream, name)
    if bad is not None:
        raise ImportRefused(
            f"The file is not valid {encoding} (byte {bad:,} cannot be read); "
            f"check the encoding, or leave it out to detect it."
        )
    return name


def _detected_encoding(stream: IO[bytes], head: bytes) -> str:
    """UTF-8 (with or without BOM) if it reads as such, else Windows-1252 or what the bytes suggest."""
    if head.startswith(UTF16_BOMS):
        return "utf-16"
    bad = first_decode_error(stream, "utf-8")
    if bad is None:
        return "utf-8-sig"
    sample = _window(stream, bad)
    for candidate in _legacy_candidates(sample):
        if first_decode_error(stream, candidate) is None:
            return candidate
    raise ImportRefused(
        "The file's text encoding could not be detected; give it explicitly (for example cp1252 or latin-1)."
    )


def _window(stream: IO[bytes], around: int) -> bytes:
    """Bytes around the first non-UTF-8 byte: that is where the evidence about the encoding is."""
    stream.seek(max(0, around - SAMPLE // 2))
    sample = stream.read(SAMPLE)
    stream.seek(0)
    return sample


def _legacy_candidates(sample: bytes) -> list[str]:
    """Windows-1252 first when it reads cleanly (most Western CRM exports), then the detector's guess."""
    candidates = []
    try:
        if mess_ratio(sample.decode("cp1252"), 1.0) < CP1252_MAX_MESS:
            candidates.append("cp1252")
    except UnicodeDecodeError:
        pass
    best = from_bytes(sample).best()
    if best is not None and best.encoding not in candidates:
        candidates.append(best.encoding)
    candidates.extend(name for name in ("cp1252", "latin-1") if name not in candidates)
    return candidates


# --- CSV ----------------------------------------------------------------------------------------


def _csv_table(stream: IO[bytes], encoding: str) -> Table:
    text = io.TextIOWrapper(stream, encoding=encoding, newline="")
    first_line = text.readline()
    text.seek(0)
    reader = csv.reader(text, delimiter=_delimiter(first_line))
    records = _csv_records(reader, text)
    try:
        header_line, headers = next(records)
    except StopIteration:
        raise ImportRefused("The file is empty.") from None
    return Table(
        headers=[h.strip() for h in headers], header_line=header_line, records=records, encoding=_display_name(encoding)
    )


def _delimiter(first_line: str) -> str:
    """Excel writes ';' where the decimal mark is ','; tab-separated exports exist too."""
    counts = {d: first_line.count(d) for d in DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _csv_records(reader: Iterator[list[str]], text: io.TextIOWrapper) -> Iterator[tuple[int, list[str]]]:
    """Yield non-blank records with the physical line each starts on (quoted newlines included)."""
    lines_before = 0
    try:
        for row in reader:
            start = lines_before + 1
            lines_before = reader.line_num  # type: ignore[attr-defined]
            if any(cell.strip() for cell in row):
                yield start, row
    except csv.Error as exc:
        raise ImportRefused(f"Line {lines_before + 1} cannot be read as CSV: {exc}.") from exc
    except UnicodeDecodeError as exc:
        raise ImportRefused(f"Near line {lines_before + 1} the text cannot be decoded: {exc.reason}.") from exc
    finally:
        # Leave the caller's stream open: closing it is the caller's business.
        if not text.closed:
            text.detach()


def _display_name(encoding: str) -> str:
    return {"utf-8-sig": "utf-8", "cp1252": "windows-1252", "latin-1": "iso-8859-1"}.get(encoding, encoding)


# --- XLSX ---------------------------------------------------------------------------------------


def _xlsx_table(stream: IO[bytes]) -> Table:
    records = _xlsx_records(stream)
    try:
        header_line, headers = next(records)
    except StopIteration:
        raise ImportRefused("The workbook's first sheet is empty.") from None
    return Table(headers=[h.strip() for h in headers], header_line=header_line, records=records, encoding="xlsx")


def _xlsx_records(stream: IO[bytes]) -> Iterator[tuple[int, list[str]]]:
    from openpyxl import load_workbook  # imported late: only XLSX imports pay for it

    try:
        workbook = load_workbook(stream, read_only=True, data_only=True)
    except Exception as exc:  # zipfile, XML and openpyxl each raise their own kinds
        raise ImportRefused("This file is a zip archive but not a readable XLSX workbook.") from exc
    try:
        sheet = workbook.worksheets[0]
        # Some writers record wrong sheet dimensions; without this, rows past them would be lost.
        sheet.reset_dimensions()
        for line, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            cells = [cell_text(value) for value in row]
            if any(cells):
                yield line, cells
    finally:
        workbook.close()


def cell_text(value: object) -> str:
    """A spreadsheet cell as the text a CSV export of it would hold."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()
