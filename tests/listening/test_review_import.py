"""Review exports (CSV, XLSX, JSON) through the import readers, with row-level errors."""

from __future__ import annotations

import io
import json

import pytest
from openpyxl import Workbook

from advocacy.customers.importing.readers import ImportRefused
from advocacy.listening.models import Mention, Source, SourceKind
from advocacy.listening.reviews.services import reviews_import

pytestmark = pytest.mark.django_db


@pytest.fixture
def g2(db):  # type: ignore[no-untyped-def]
    return Source.objects.create(name="G2 export", kind=SourceKind.IMPORT)


CSV = (
    "Review ID,Reviewer Name,Star Rating,Review Date,What do you like best,Country\n"
    "r1,Ann,5,2026-02-01,Acme saves us hours,DE\n"
    "r2,Ben,seven,2026-02-02,Acme is fine,US\n"
    "r3,Cy,2,yesterday,Acme broke our export,US\n"
    "r4,Di,4/5,2026-02-03T10:00:00+01:00,Solid tool,FR\n"
)


def test_a_csv_export_imports_its_good_rows_and_reports_each_bad_one(g2, acme):
    report = reviews_import(source=g2, upload=io.BytesIO(CSV.encode()), file_name="g2.csv", query=acme)
    assert (report.rows_read, report.created, report.failed) == (4, 2, 2)
    assert [(e.line, e.column, e.reason) for e in report.errors] == [
        (3, "Star Rating", "a rating from 1 to 5, e.g. 4 or 4/5"),
        (4, "Review Date", "not a date: use 2026-03-01 or 2026-03-01T09:30:00Z"),
    ]
    assert report.ignored_columns == ["Country"]
    solid = Mention.objects.get(author="Di")
    assert (solid.rating, solid.matched_terms, list(solid.queries.all())) == (4, [], [acme])  # kept under the query
    assert reviews_import(source=g2, upload=io.BytesIO(CSV.encode()), query=acme).created == 0  # a rerun adds nothing


def test_an_xlsx_export_imports_like_a_csv(g2, acme):
    book = Workbook()
    sheet = book.active
    sheet.append(["Title", "Review", "Date", "Rating"])
    sheet.append(["Great", "Acme is great", "2026-02-01", 5])
    data = io.BytesIO()
    book.save(data)
    data.seek(0)
    report = reviews_import(source=g2, upload=data, file_name="trustpilot.xlsx")
    assert report.created == 1
    assert Mention.objects.get().title == "Great"


def test_a_json_export_imports_its_reviews(g2, acme):
    body = json.dumps({"reviews": [{"review": "Acme app crashes", "date": "2026-02-01", "stars": 1, "author": "Eve"}]})
    report = reviews_import(source=g2, upload=io.BytesIO(body.encode()), file_name="appstore.json")
    assert report.created == 1
    assert Mention.objects.get().rating == 1


def test_a_file_without_a_text_column_is_refused_naming_its_columns(g2):
    with pytest.raises(ImportRefused, match="no column for text; its columns are: Date, Stars"):
        reviews_import(source=g2, upload=io.BytesIO(b"Date,Stars\n2026-01-01,5\n"))


def test_the_api_imports_a_file_and_refuses_a_broken_one(api, g2, acme):
    client = api("program_manager")
    answer = client.post(f"/api/v1/listening/sources/{g2.pk}/reviews", {"file": io.BytesIO(CSV.encode())})
    assert answer.status_code == 201
    assert answer.json()["stored"] == 1  # Di's review names no query and none was given
    broken = client.post(f"/api/v1/listening/sources/{g2.pk}/reviews", {"file": io.BytesIO(b"[1, 2]")})
    assert broken.status_code == 422
    assert broken.json()["errors"][0]["pointer"] == "/body/file"
