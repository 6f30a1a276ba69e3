"""The ``advocacy import`` command: summary, error report, exit status."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from advocacy.customers.models import Customer

pytestmark = pytest.mark.django_db

GOOD_AND_BAD = (
    "Email Address,First Name,Time Zone\nann@example.com,Ann,UTC\n=cmd@x,Bo,UTC\ncy@example.com,Cy,Moon/Base\n"
)


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("import", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_a_clean_file_imports_and_prints_the_counts(csv_file):  # type: ignore[no-untyped-def]
    output = run("customers", str(csv_file("Email\nann@example.com\nbo@example.com\n", name="clean.csv")))
    assert "customers from clean.csv (utf-8): written" in output
    assert "│    2 │       2 │       0 │         0 │      0 │" in output
    assert Customer.objects.count() == 2


def test_bad_rows_exit_with_status_1_and_go_to_the_errors_csv(csv_file, tmp_path):  # type: ignore[no-untyped-def]
    errors = tmp_path / "errors.csv"
    with pytest.raises(CommandError) as failed:
        run("customers", str(csv_file(GOOD_AND_BAD)), "--errors-csv", str(errors))
    assert (failed.value.returncode, str(failed.value)) == (1, "2 of 3 rows were not imported.")
    assert errors.read_bytes().decode("utf-8") == (
        "line,column,value,reason\r\n"
        "3,Email Address,'=cmd@x,'=cmd@x' is not a valid email address\r\n"
        "4,Time Zone,Moon/Base,unknown time zone 'Moon/Base'; use an IANA name such as 'Europe/Berlin'\r\n"
    )
    assert list(Customer.objects.values_list("email", flat=True)) == ["ann@example.com"]


def test_a_refused_file_exits_with_status_2(csv_file, settings):  # type: ignore[no-untyped-def]
    settings.IMPORT_MAX_BYTES = 10
    with pytest.raises(CommandError) as refused:
        run("customers", str(csv_file("Email\nann@example.com\n")))
    assert refused.value.returncode == 2
    assert str(refused.value).startswith("The file is 22 bytes, over the import limit of 10 bytes")


def test_dry_run_atomic_encoding_and_mapping_options_reach_the_import(csv_file):  # type: ignore[no-untyped-def]
    path = csv_file("Mail,Name\nrene@example.com,René\n", encoding="cp1252")
    output = run(
        "customers",
        str(path),
        "--encoding",
        "cp1252",
        "--map",
        "Mail=email",
        "--map",
        "Name=first_name",
        "--dry-run",
        "--atomic",
        "--batch-size",
        "1",
    )
    assert "customers from import.csv (windows-1252): dry run, nothing written" in output
    assert Customer.objects.count() == 0
    run("customers", str(path), "--encoding", "cp1252", "--map", "Mail=email", "--map", "Name=first_name")
    assert list(Customer.objects.values_list("email", "first_name")) == [("rene@example.com", "René")]


def test_a_mapping_without_an_equals_sign_is_refused(csv_file):  # type: ignore[no-untyped-def]
    with pytest.raises(CommandError, match="mapping line 'Mail' should look like 'Header=field'"):
        run("customers", str(csv_file("Mail\na@example.com\n")), "--map", "Mail")
