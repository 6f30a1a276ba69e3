"""Open an import file and stream its records as (line number, cells), whatever its format.

CSV is decoded incrementally, so a 100 MB file is never held in memory as one string; XLSX is read
with openpyxl's read-only mode, which streams rows from the zip.

Every file is bounded before a row is written (``check_limits``), by a streaming pass that stops at
the first limit it meets: its size (``IMPORT_MAX_BYTES``), for XLSX what its zip declares and what it
really unpacks to (``IMPORT_MAX_UNCOMPRESSED_BYTES``: a zip bomb is refused after reading at most
that much), its rows (``IMPORT_MAX_ROWS``), the length of a line, and its columns
(``IMPORT_MAX_COLUMNS``). A cell longer than ``IMPORT_MAX_CELL_CHARS`` fails its own row (rows.py).
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import tempfile
import zipfile
import zlib
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
MAX_ZIP_MEMBERS = 10_000
SHEET_MEMBER = re.compile(r"xl/worksheets/[^/]+\.xml")
ROW_TAG = re.compile(rb"<(?:\w+:)?row[\s>/]")


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
    """Sniff the format, check the limits, and return the header and a record stream; refuse
    unreadable files and files over a limit."""
    head = stream.read(SAMPLE)
    stream.seek(0)
    if not head.strip():
        raise ImportRefused("The file is empty.")
    if head.startswith(XLSX_MAGIC):
        check_zip_limits(stream)
        return _checked_header(_xlsx_table(stream))
    if head.startswith(OLD_EXCEL_MAGIC):
        raise ImportRefused("This is an old Excel .xls workbook; save it as .xlsx or CSV and try again.")
    chosen = _checked_encoding(stream, encoding) if encoding else _detected_encoding(stream, head)
    if b"\x00" in head and not chosen.lower().startswith("utf-16"):
        raise ImportRefused("This looks like a binary file, not CSV or XLSX.")
    check_text_limits(stream, chosen)
    return _checked_header(_csv_table(stream, chosen))


# --- limits ---------------------------------------------------------------------------------------


def max_line_chars() -> int:
    """The longest line a CSV file may have: every column at its longest cell, with separators."""
    return int(settings.IMPORT_MAX_CELL_CHARS + 3) * int(settings.IMPORT_MAX_COLUMNS)


def _too_many_rows(rows: int, where: str) -> ImportRefused:
    limit = settings.IMPORT_MAX_ROWS
    return ImportRefused(
        f"{where} has more than {limit:,} rows (IMPORT_MAX_ROWS); nothing was imported. Split it into smaller files."
    )


def check_text_limits(stream: IO[bytes], encoding: str) -> None:
    """One streaming pass over the decoded text: lines counted, and no line longer than a record can be."""
    decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
    longest = max_line_chars()
    lines, current = 0, 0  # complete lines so far; length of the line being read
    stream.seek(0)
    try:
        while chunk := stream.read(CHUNK):
            parts = decoder.decode(chunk).split("\n")
            lengths = [current + len(parts[0]), *map(len, parts[1:])]
            over = next((i for i, n in enumerate(lengths) if n > longest), None)
            if over is not None:
                _refuse_long_line(lines + over + 1, longest)
            lines, current = lines + len(parts) - 1, lengths[-1]
            if lines > settings.IMPORT_MAX_ROWS + 1:
                raise _too_many_rows(lines, "The file")
    finally:
        stream.seek(0)
    if lines + (current > 0) > settings.IMPORT_MAX_ROWS + 1:
        raise _too_many_rows(lines, "The file")


def _refuse_long_line(line: int, longest: int) -> None:
    raise ImportRefused(
        f"Line {line:,} is longer than {longest:,} characters (IMPORT_MAX_COLUMNS columns of "
        f"IMPORT_MAX_CELL_CHARS characters); nothing was imported. Is this a CSV file?"
    )


def check_zip_limits(stream: IO[bytes]) -> None:
    """What the workbook's zip declares, then what it really unpacks to, read in chunks and stopped at
    the limit: a zip bomb costs at most IMPORT_MAX_UNCOMPRESSED_BYTES of reading, never of memory.
    Worksheet rows are counted on the way."""
    limit = settings.IMPORT_MAX_UNCOMPRESSED_BYTES
    try:
        archive = zipfile.ZipFile(stream)
        members = archive.infolist()
    except (zipfile.BadZipFile, zlib.error, ValueError, EOFError) as exc:
        raise ImportRefused("This file is a zip archive but not a readable XLSX workbook.") from exc
    if len(members) > MAX_ZIP_MEMBERS:
        raise ImportRefused(f"The workbook holds {len(members):,} files; an XLSX workbook holds a few dozen.")
    declared = sum(member.file_size for member in members)
    if declared > limit:
        raise ImportRefused(
            f"The workbook unpacks to {human_size(declared)}, over the limit of {human_size(limit)} "
            f"(IMPORT_MAX_UNCOMPRESSED_BYTES); nothing was imported. Split it, or save it as CSV."
        )
    unpacked = 0
    try:
        for member in members:
            unpacked = _unpack_counting(archive, member, unpacked, limit)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError) as exc:
        raise ImportRefused(
            f"The workbook is damaged or not what it says it is ({exc}); nothing was imported."
        ) from exc
    finally:
        stream.seek(0)


def _unpack_counting(archive: zipfile.ZipFile, member: zipfile.ZipInfo, unpacked: int, limit: int) -> int:
    is_sheet = bool(SHEET_MEMBER.fullmatch(member.filename))
    rows, tail = 0, b""
    with archive.open(member) as data:
        while chunk := data.read(CHUNK):
            unpacked += len(chunk)
            if unpacked > limit:
                raise ImportRefused(
                    f"The workbook unpacks to more than {human_size(limit)} (IMPORT_MAX_UNCOMPRESSED_BYTES) "
                    f"although it declares less; it was refused unread. Is it a zip bomb?"
                )
            if is_sheet:
                window = tail + chunk
                rows += len(ROW_TAG.findall(window)) - len(ROW_TAG.findall(tail))
                tail = window[-16:]
                if rows > settings.IMPORT_MAX_ROWS + 1:
                    raise _too_many_rows(rows, f"The sheet {member.filename.rsplit('/', 1)[-1]}")
    return unpacked


def _checked_header(table: Table) -> Table:
    if len(table.headers) > settings.IMPORT_MAX_COLUMNS:
        raise ImportRefused(
            f"The header names {len(table.headers):,} columns, more than {settings.IMPORT_MAX_COLUMNS:,} "
            f"(IMPORT_MAX_COLUMNS); nothing was imported. Leave out the columns you do not import."
        )
    return table


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


def encoding_name(encoding: str) -> str:
    """The codec's own name for an encoding a person gave; refused when Python knows no such codec."""
    try:
        return codecs.lookup(encoding).name
    except (LookupError, ValueError) as exc:  # ValueError: a NUL inside the name
        raise ImportRefused(f"Unknown encoding {encoding!r}; try utf-8, cp1252 or latin-1.") from exc


def _checked_encoding(stream: IO[bytes], encoding: str) -> str:
    name = encoding_name(encoding)
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
