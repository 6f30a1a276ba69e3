"""Fixtures for the import tests: files written to tmp_path the way CRMs and spreadsheets write them."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook


@pytest.fixture
def csv_file(tmp_path: Path) -> Callable[..., Path]:
    """csv_file("a,b\\n1,2\\n", encoding="cp1252", name="x.csv") → the path of that file."""

    def make(text: str, *, encoding: str = "utf-8", name: str = "import.csv") -> Path:
        path = tmp_path / name
        path.write_bytes(text.encode(encoding))
        return path

    return make


@pytest.fixture
def xlsx_file(tmp_path: Path) -> Callable[..., Path]:
    """xlsx_file([["Email", "Name"], ["a@example.com", "Ann"]]) → a workbook with those rows."""

    def make(rows: list[list[Any]], *, name: str = "import.xlsx") -> Path:
        workbook = Workbook()
        sheet = workbook.active
        assert sheet is not None
        for row in rows:
            sheet.append(row)
        path = tmp_path / name
        workbook.save(path)
        return path

    return make
