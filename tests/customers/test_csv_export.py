"""CSV exports cannot carry spreadsheet formulas (OWASP CSV injection)."""

from __future__ import annotations

import pytest

from advocacy.core.csvexport import csv_response, neutralise


@pytest.mark.parametrize(
    ("cell", "safe"),
    [
        ('=HYPERLINK("http://evil.example")', '\'=HYPERLINK("http://evil.example")'),
        ("+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("-12.50", "-12.50"),
        ("+49", "+49"),
        ("Ann Lee", "Ann Lee"),
        ("", ""),
        (42, 42),
        (None, None),
    ],
)
def test_cells_that_would_run_as_formulas_are_made_text(cell, safe):  # type: ignore[no-untyped-def]
    assert neutralise(cell) == safe


def test_a_csv_download_neutralises_every_cell_header_included():  # type: ignore[no-untyped-def]
    response = csv_response("errors report.csv", ["=line", "value"], [[3, "=cmd()"], [4, "-12.50"]])
    body = b"".join(response.streaming_content).decode("utf-8")  # type: ignore[arg-type]
    assert response["Content-Disposition"] == 'attachment; filename="errors-report.csv"'
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert body == "\ufeff'=line,value\r\n3,'=cmd()\r\n4,-12.50\r\n"
