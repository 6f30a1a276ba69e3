"""Reading import files: encodings, quoting, XLSX, and the files that are refused as a whole."""

from __future__ import annotations

import io

import pytest

from advocacy.customers.importing.readers import ImportRefused, open_binary, read_table


def read_all(path, encoding=None):  # type: ignore[no-untyped-def]
    with open_binary(path) as stream:
        table = read_table(stream, encoding=encoding)
        return table.encoding, table.headers, list(table.records)


def test_utf8_without_bom_is_read_as_utf8(csv_file):  # type: ignore[no-untyped-def]
    path = csv_file("Email,Name\nzoe@example.com,Zoë Müller\n")
    assert read_all(path) == ("utf-8", ["Email", "Name"], [(2, ["zoe@example.com", "Zoë Müller"])])


def test_a_byte_order_mark_is_not_part_of_the_first_header(csv_file):  # type: ignore[no-untyped-def]
    path = csv_file("\ufeffEmail,Name\nzoe@example.com,Zoë\n")
    assert read_all(path) == ("utf-8", ["Email", "Name"], [(2, ["zoe@example.com", "Zoë"])])


def test_a_windows_1252_file_is_detected_and_its_accents_and_euro_sign_survive(csv_file):  # type: ignore[no-untyped-def]
    path = csv_file("Email,Name,Note\nrene@example.com,René Müller,paid 5 €\n", encoding="cp1252")
    assert read_all(path) == (
        "windows-1252",
        ["Email", "Name", "Note"],
        [(2, ["rene@example.com", "René Müller", "paid 5 €"])],
    )


def test_a_non_ascii_byte_far_into_the_file_is_still_detected(csv_file):  # type: ignore[no-untyped-def]
    rows = "".join(f"c{n}@example.com,Plain{n}\n" for n in range(5000))
    path = csv_file("Email,Name\n" + rows + "last@example.com,Jürgen\n", encoding="cp1252")
    encoding, _, records = read_all(path)
    assert (encoding, records[-1]) == ("windows-1252", (5002, ["last@example.com", "Jürgen"]))


def test_an_explicit_encoding_overrides_detection(csv_file):  # type: ignore[no-untyped-def]
    # Valid UTF-8 bytes, but the file was meant as Latin-1: the caller knows better than the guess.
    path = csv_file("Email,Name\nzoe@example.com,Zoë\n")
    assert read_all(path, encoding="latin-1")[2] == [(2, ["zoe@example.com", "ZoÃ«"])]


def test_an_explicit_encoding_the_file_does_not_match_is_refused(csv_file):  # type: ignore[no-untyped-def]
    path = csv_file("Email,Name\nrene@example.com,René\n", encoding="cp1252")
    with pytest.raises(ImportRefused, match=r"not valid utf-8 \(byte 31 cannot be read\)"):
        read_all(path, encoding="utf-8")


def test_an_unknown_encoding_is_refused_by_name(csv_file):  # type: ignore[no-untyped-def]
    with pytest.raises(ImportRefused, match="Unknown encoding 'klingon'"):
        read_all(csv_file("Email\na@example.com\n"), encoding="klingon")


def test_quoted_commas_and_newlines_stay_in_their_field_and_lines_stay_true(csv_file):  # type: ignore[no-untyped-def]
    text = (
        "Email,Name,Note\r\n"
        'a@example.com,"Lee, Ann","first line\r\nsecond line"\r\n'
        'b@example.com,"Bo ""The Boss"" Berg",plain\r\n'
        "\r\n"
        "c@example.com,Cy,\r\n"
    )
    assert read_all(csv_file(text))[2] == [
        (2, ["a@example.com", "Lee, Ann", "first line\r\nsecond line"]),
        (4, ["b@example.com", 'Bo "The Boss" Berg', "plain"]),
        (6, ["c@example.com", "Cy", ""]),
    ]


def test_semicolon_separated_files_from_european_excel_are_read(csv_file):  # type: ignore[no-untyped-def]
    path = csv_file("Email;Amount\na@example.com;12,50\n")
    assert read_all(path)[1:] == (["Email", "Amount"], [(2, ["a@example.com", "12,50"])])


def test_xlsx_rows_are_read_with_their_row_numbers_and_cells_as_text(xlsx_file):  # type: ignore[no-untyped-def]
    from datetime import date, datetime

    path = xlsx_file(
        [
            ["Email", "Since", "Seen", "Phone", "Price"],
            ["a@example.com", date(2024, 3, 5), datetime(2024, 3, 5, 14, 30), 4915112345678, 12.5],
            [None, None, None, None, None],
            ["b@example.com", None, None, None, 3],
        ]
    )
    assert read_all(path) == (
        "xlsx",
        ["Email", "Since", "Seen", "Phone", "Price"],
        [
            (2, ["a@example.com", "2024-03-05", "2024-03-05T14:30:00", "4915112345678", "12.5"]),
            (4, ["b@example.com", "", "", "", "3"]),
        ],
    )


def test_a_file_over_the_size_limit_is_refused_naming_both_sizes(csv_file, settings):  # type: ignore[no-untyped-def]
    settings.IMPORT_MAX_BYTES = 1000
    path = csv_file("Email\n" + "someone@example.com\n" * 100)
    with pytest.raises(ImportRefused) as refused:
        read_all(path)
    assert str(refused.value) == (
        "The file is 2.0 KB, over the import limit of 1,000 bytes (IMPORT_MAX_BYTES). Split it into smaller files."
    )


def test_an_oversized_stream_that_cannot_seek_is_refused_too(settings):  # type: ignore[no-untyped-def]
    settings.IMPORT_MAX_BYTES = 1000

    class Pipe(io.BytesIO):
        def seekable(self) -> bool:
            return False

    with (
        pytest.raises(ImportRefused, match=r"The file is 2\.0 KB, over the import limit of 1,000 bytes"),
        open_binary(Pipe(b"x" * 2048)),
    ):
        pass


@pytest.mark.parametrize("text", ["\n\n", " , ,\n,,\n"])
def test_an_empty_file_is_refused(csv_file, text):  # type: ignore[no-untyped-def]
    with pytest.raises(ImportRefused, match=r"^The file is empty\.$"):
        read_all(csv_file(text))


def test_a_binary_file_is_refused(csv_file, tmp_path):  # type: ignore[no-untyped-def]
    path = tmp_path / "photo.csv"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00" + bytes(range(256)))
    with pytest.raises(ImportRefused, match=r"^This looks like a binary file, not CSV or XLSX\.$"):
        read_all(path)


def test_a_zip_that_is_not_a_workbook_is_refused(tmp_path):  # type: ignore[no-untyped-def]
    import zipfile

    path = tmp_path / "archive.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "hello")
    with pytest.raises(ImportRefused, match=r"^This file is a zip archive but not a readable XLSX workbook\.$"):
        read_all(path)


def test_an_old_xls_workbook_is_refused_with_what_to_do(tmp_path):  # type: ignore[no-untyped-def]
    path = tmp_path / "old.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100)
    with pytest.raises(ImportRefused, match=r"old Excel \.xls workbook; save it as \.xlsx or CSV"):
        read_all(path)
