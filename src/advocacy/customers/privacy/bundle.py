"""A customer's export as one ZIP: ``data.json`` with everything, and one CSV per section."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder

from advocacy.core.csvexport import neutralise


def bundle_zip(export: dict[str, Any]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("data.json", json.dumps(export, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False))
        archive.writestr("customer.csv", csv_text([export["customer"]]))
        for name, rows in export["sections"].items():
            archive.writestr(f"{name}.csv", csv_text(rows))
    return buffer.getvalue()


def csv_text(rows: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    columns = list(dict.fromkeys(column for row in rows for column in row))
    writer = csv.DictWriter(out, fieldnames=columns)
    writer.writeheader()
    for row in rows:
        writer.writerow({column: cell(row.get(column)) for column in columns})
    return out.getvalue()


def cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, dict | list):
        return json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False)
    return neutralise(value if isinstance(value, str) else str(value))
