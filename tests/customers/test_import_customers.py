"""Importing customers from CRM exports: what lands, what is reported, and what a repeat changes."""

from __future__ import annotations

from datetime import date, time

import pytest

from advocacy.customers.importing.readers import ImportRefused
from advocacy.customers.importing.rows import RowError
from advocacy.customers.importing.services import import_file
from advocacy.customers.models import Consent, ContactWindow, Customer
from tests.factories import AccountFactory, ConsentFactory, CustomerFactory

pytestmark = pytest.mark.django_db

HUBSPOT_EXPORT = (
    "Record ID,First Name,Last Name,Email Address,Company Name,Time Zone,Became a Customer Date,"
    "Contact hours,Surveys consent,Lead Source\n"
    "101,Ann,Lee,ann@example.com,ACME-1,Europe/Berlin,2024-03-05,Mon-Fri 09:00-17:00,yes,Web\n"
    "102,Bo,Berg,not-an-email,ACME-1,UTC,2024-03-05,,,Web\n"
    '103,Cy,"Chu, Jr",cy@example.com,Globex,Mars/Olympus,2024-03-05,,,"Trade\nshow"\n'
    "104,Di,Diaz,di@example.com,Initech,UTC,2024-03-05,,,Web\n"
    "105,Ed,Eng,ed@example.com,ACME-1,America/New_York,03/04/2024,,,Web\n"
    "101,Fay,Fox,fay@example.com,ACME-1,UTC,2024-03-05,,,Web\n"
    "107,Gus,Gray,ANN@example.com,ACME-1,UTC,2024-03-05,,,Web\n"
    "108,Hal,Hart,hal@example.com,Globex Corp,Asia/Tokyo,13/04/2024,Sat 10:00-12:00,no,Referral\n"
)


@pytest.fixture
def accounts():  # type: ignore[no-untyped-def]
    return {
        "acme": AccountFactory(external_id="ACME-1", name="Acme"),
        "globex": AccountFactory(external_id="GLX-9", name="Globex Corp"),
    }


def test_a_mixed_crm_export_lands_every_good_row_and_reports_each_bad_one(csv_file, accounts, settings):  # type: ignore[no-untyped-def]
    settings.IMPORT_UNKNOWN_ACCOUNTS = "link"  # only existing accounts: the unknown company is a row error
    report = import_file(kind="customers", source=csv_file(HUBSPOT_EXPORT, name="hubspot.csv"))

    assert (report.rows_read, report.created, report.updated, report.unchanged, report.failed) == (8, 2, 0, 0, 6)
    assert report.errors == [
        RowError(3, "Email Address", "not-an-email", "'not-an-email' is not a valid email address"),
        RowError(
            4, "Time Zone", "Mars/Olympus", "unknown time zone 'Mars/Olympus'; use an IANA name such as 'Europe/Berlin'"
        ),
        RowError(
            6,
            "Company Name",
            "Initech",
            "unknown account 'Initech': no account has this external id or name; import accounts first "
            "(or set IMPORT_UNKNOWN_ACCOUNTS=create)",
        ),
        RowError(
            7,
            "Became a Customer Date",
            "03/04/2024",
            "date '03/04/2024' is ambiguous (day/month or month/day); write it as 2024-04-03 or 2024-03-04",
        ),
        RowError(8, "Record ID", "101", "duplicate of line 2"),
        RowError(9, "Email Address", "ANN@example.com", "duplicate of line 2"),
    ]
    assert report.ignored_columns == ["Lead Source"]
    assert report.applied is True
    ann, hal = Customer.objects.order_by("email")
    assert (
        ann.external_id,
        ann.first_name,
        ann.last_name,
        ann.email,
        ann.account,
        ann.time_zone,
        ann.customer_since,
    ) == ("101", "Ann", "Lee", "ann@example.com", accounts["acme"], "Europe/Berlin", date(2024, 3, 5))
    assert (hal.account, hal.customer_since) == (accounts["globex"], date(2024, 4, 13))
    assert list(hal.contact_windows.values_list("weekday", "starts", "ends")) == [(5, time(10), time(12))]
    assert [
        (c.customer.email, c.purpose, c.granted, c.source) for c in Consent.objects.order_by("customer__email")
    ] == [
        ("ann@example.com", "surveys", True, "import"),
        ("hal@example.com", "surveys", False, "import"),
    ]


def test_a_second_import_of_the_same_file_changes_nothing(csv_file, accounts, settings):  # type: ignore[no-untyped-def]
    settings.IMPORT_UNKNOWN_ACCOUNTS = "link"  # the export's unknown company stays a row error
    path = csv_file(HUBSPOT_EXPORT)
    import_file(kind="customers", source=path)
    before = list(Customer.objects.order_by("pk").values_list("pk", "updated_at"))
    counts = (Customer.objects.count(), ContactWindow.objects.count(), Consent.objects.count())

    again = import_file(kind="customers", source=path)

    assert (again.created, again.updated, again.unchanged, again.failed) == (0, 0, 2, 6)
    assert list(Customer.objects.order_by("pk").values_list("pk", "updated_at")) == before
    assert (Customer.objects.count(), ContactWindow.objects.count(), Consent.objects.count()) == counts == (2, 6, 2)


def test_a_changed_row_updates_only_that_customer(csv_file):  # type: ignore[no-untyped-def]
    ann = CustomerFactory(external_id="101", email="ann@example.com", first_name="Ann", time_zone="UTC")
    bo = CustomerFactory(external_id="102", email="bo@example.com", first_name="Bo", time_zone="UTC")
    bo_updated_at = bo.updated_at
    path = csv_file("Contact ID,E-mail,First name,Timezone\n101,ann@example.com,Annie,UTC\n102,bo@example.com,Bo,UTC\n")

    report = import_file(kind="customers", source=path)

    assert (report.created, report.updated, report.unchanged) == (0, 1, 1)
    ann.refresh_from_db()
    bo.refresh_from_db()
    assert (ann.first_name, bo.first_name, bo.updated_at) == ("Annie", "Bo", bo_updated_at)


def test_a_row_found_by_email_gets_the_external_id_from_the_file(csv_file):  # type: ignore[no-untyped-def]
    customer = CustomerFactory(external_id=None, email="ann@example.com")
    report = import_file(kind="customers", source=csv_file("Record ID,Email\nCRM-7,Ann@Example.com\n"))
    customer.refresh_from_db()
    assert (report.updated, customer.external_id) == (1, "CRM-7")


def test_an_email_that_belongs_to_another_customer_is_refused(csv_file):  # type: ignore[no-untyped-def]
    CustomerFactory(external_id="1", email="ann@example.com")
    CustomerFactory(external_id="2", email="bo@example.com")
    report = import_file(kind="customers", source=csv_file("Record ID,Email\n1,bo@example.com\n"))
    assert report.errors == [
        RowError(2, "Email", "bo@example.com", "bo@example.com belongs to another customer (external id 2)"),
    ]


def test_atomic_import_writes_nothing_when_one_row_is_bad(csv_file, accounts, settings):  # type: ignore[no-untyped-def]
    settings.IMPORT_UNKNOWN_ACCOUNTS = "link"  # the export's unknown company stays a row error
    report = import_file(kind="customers", source=csv_file(HUBSPOT_EXPORT), atomic=True, batch_size=2)
    assert (report.created, report.failed, report.applied) == (2, 6, False)
    assert (Customer.objects.count(), ContactWindow.objects.count(), Consent.objects.count()) == (0, 0, 0)


def test_atomic_import_of_a_clean_file_writes_it_all(csv_file):  # type: ignore[no-untyped-def]
    path = csv_file("Email,First Name\na@example.com,A\nb@example.com,B\nc@example.com,C\n")
    report = import_file(kind="customers", source=path, atomic=True, batch_size=2)
    assert (report.created, report.applied, Customer.objects.count()) == (3, True, 3)


def test_a_dry_run_counts_what_would_happen_and_writes_nothing(csv_file, accounts, settings):  # type: ignore[no-untyped-def]
    settings.IMPORT_UNKNOWN_ACCOUNTS = "link"  # the export's unknown company stays a row error
    CustomerFactory(external_id="101", email="ann@example.com", first_name="Old", account=accounts["acme"])
    report = import_file(kind="customers", source=csv_file(HUBSPOT_EXPORT), dry_run=True)
    assert (report.created, report.updated, report.unchanged, report.failed, report.applied) == (1, 1, 0, 6, False)
    assert list(Customer.objects.values_list("email", "first_name")) == [("ann@example.com", "Old")]
    assert (ContactWindow.objects.count(), Consent.objects.count()) == (0, 0)


def test_consent_history_gets_a_row_only_when_the_consent_changes(csv_file):  # type: ignore[no-untyped-def]
    customer = CustomerFactory(email="ann@example.com")
    ConsentFactory(customer=customer, purpose="surveys", granted=True, source="portal")
    ConsentFactory(customer=customer, purpose="marketing", granted=True, source="portal")
    path = csv_file("Email,Surveys consent,Marketing consent,Testimonial consent\nann@example.com,yes,no,\n")

    first = import_file(kind="customers", source=path)
    second = import_file(kind="customers", source=path)

    history = Consent.objects.filter(customer=customer).order_by("id")
    assert [(c.purpose, c.granted, c.source) for c in history] == [
        ("surveys", True, "portal"),
        ("marketing", True, "portal"),
        ("marketing", False, "import"),
    ]
    assert (first.updated, second.updated, second.unchanged) == (1, 0, 1)


def test_new_contact_hours_replace_the_old_ones(csv_file):  # type: ignore[no-untyped-def]
    customer = CustomerFactory(email="ann@example.com")
    ContactWindow.objects.create(customer=customer, weekday=0, starts=time(8), ends=time(9))
    report = import_file(
        kind="customers", source=csv_file("Email,Contact hours\nann@example.com,Tue-Wed 14:00-16:30\n")
    )
    assert report.updated == 1
    assert list(customer.contact_windows.values_list("weekday", "starts", "ends")) == [
        (1, time(14), time(16, 30)),
        (2, time(14), time(16, 30)),
    ]


def test_churn_needs_a_date_and_a_date_means_churned(csv_file):  # type: ignore[no-untyped-def]
    path = csv_file(
        "Email,Status,Churn date\na@example.com,churned,\nb@example.com,,2025-01-31\nc@example.com,active,2025-01-31\n"
    )
    report = import_file(kind="customers", source=path)
    assert report.errors == [
        RowError(2, "Status", "churned", "status is churned but no churn date is given"),
        RowError(4, "Churn date", "2025-01-31", "a churn date is given but status is active"),
    ]
    assert list(Customer.objects.values_list("email", "status", "churned_on")) == [
        ("b@example.com", "churned", date(2025, 1, 31)),
    ]


def test_a_primary_advocate_must_be_a_customer_advocate(csv_file, staff):  # type: ignore[no-untyped-def]
    path = csv_file(
        "Email,Primary advocate\na@example.com,carol\nb@example.com,SAM@staff.example\nc@example.com,nobody\n"
    )
    report = import_file(kind="customers", source=path)
    assert report.errors == [
        RowError(3, "Primary advocate", "SAM@staff.example", "'SAM@staff.example' is a sales, not a customer advocate"),
        RowError(4, "Primary advocate", "nobody", "no active staff user has username or email 'nobody'"),
    ]
    assert Customer.objects.get().primary_advocate == staff["customer_advocate"]


def test_crm_header_names_are_understood_whatever_their_case_and_punctuation(csv_file):  # type: ignore[no-untyped-def]
    path = csv_file(
        "CONTACT_ID;e-mail address;first-name;LAST NAME;Phone Number\nX1;a@example.com;Ann;Lee;+49 30 1234\n"
    )
    import_file(kind="customers", source=path)
    assert list(Customer.objects.values_list("external_id", "email", "first_name", "last_name", "phone")) == [
        ("X1", "a@example.com", "Ann", "Lee", "+49 30 1234"),
    ]


def test_an_explicit_mapping_reads_columns_with_any_name(csv_file):  # type: ignore[no-untyped-def]
    path = csv_file("Mail,Vorname,Email\na@example.com,Anna,old@example.com\n")
    report = import_file(
        kind="customers", source=path, mapping={"Mail": "email", "Vorname": "first name", "Email": "-"}
    )
    assert list(Customer.objects.values_list("email", "first_name")) == [("a@example.com", "Anna")]
    assert report.ignored_columns == ["Email"]


def test_a_mapping_to_an_unknown_field_is_refused(csv_file):  # type: ignore[no-untyped-def]
    with pytest.raises(ImportRefused, match="The mapping sends 'Mail' to 'mailbox', which is not a customers field"):
        import_file(kind="customers", source=csv_file("Mail\na@example.com\n"), mapping={"Mail": "mailbox"})


def test_missing_required_columns_are_named_with_the_columns_found(csv_file):  # type: ignore[no-untyped-def]
    with pytest.raises(ImportRefused) as refused:
        import_file(kind="customers", source=csv_file("ann@example.com,Ann\nbo@example.com,Bo\n"))
    assert str(refused.value) == (
        "Missing required column(s) for customers: email. Columns found: 'ann@example.com', 'Ann'. "
        "The first line must name the columns; give a mapping if they have other names."
    )


def test_of_two_columns_meaning_the_same_field_the_first_is_read(csv_file):  # type: ignore[no-untyped-def]
    report = import_file(kind="customers", source=csv_file("Email,E-mail Address\na@example.com,b@example.com\n"))
    assert (report.ignored_columns, list(Customer.objects.values_list("email", flat=True))) == (
        ["E-mail Address"],
        ["a@example.com"],
    )


def test_two_columns_mapped_to_one_field_are_refused(csv_file):  # type: ignore[no-untyped-def]
    with pytest.raises(ImportRefused, match=r"^The mapping sends two columns to email; keep one\.$"):
        import_file(
            kind="customers",
            source=csv_file("A,B\na@example.com,b@example.com\n"),
            mapping={"A": "email", "B": "email"},
        )


def test_customers_import_from_xlsx(xlsx_file):  # type: ignore[no-untyped-def]
    path = xlsx_file([["Email Address", "First Name", "Customer since"], ["a@example.com", "Ann", date(2023, 7, 1)]])
    report = import_file(kind="customers", source=path)
    assert (report.encoding, report.created) == ("xlsx", 1)
    assert list(Customer.objects.values_list("email", "first_name", "customer_since")) == [
        ("a@example.com", "Ann", date(2023, 7, 1)),
    ]


def test_a_windows_1252_export_keeps_its_accents(csv_file):  # type: ignore[no-untyped-def]
    import_file(
        kind="customers",
        source=csv_file("Email,First Name,Last Name\nrene@example.com,René,Müller\n", encoding="cp1252"),
    )
    assert list(Customer.objects.values_list("first_name", "last_name")) == [("René", "Müller")]


CONTACTS_WITH_COMPANIES = (
    "First Name,Last Name,Email,Company\n"
    "Ann,Lee,ann@example.com,Acme\n"
    "Bo,Berg,bo@example.com,Umbrella Health\n"
    "Cy,Chu,cy@example.com,umbrella health\n"
    "Di,Diaz,di@example.com,Initech\n"
)


def test_a_crm_contacts_export_creates_the_companies_it_names_once_and_lists_them(csv_file, accounts):  # type: ignore[no-untyped-def]
    report = import_file(kind="customers", source=csv_file(CONTACTS_WITH_COMPANIES, name="contacts.csv"))

    assert (report.created, report.failed) == (4, 0)
    assert report.accounts_created == ["Umbrella Health", "Initech"]
    by_email = {c.email: c.account.name for c in Customer.objects.select_related("account")}
    assert by_email == {
        "ann@example.com": "Acme",
        "bo@example.com": "Umbrella Health",
        "cy@example.com": "Umbrella Health",
        "di@example.com": "Initech",
    }
    again = import_file(kind="customers", source=csv_file(CONTACTS_WITH_COMPANIES, name="contacts.csv"))
    assert (again.unchanged, again.accounts_created) == (4, [])


def test_a_dry_run_lists_the_companies_it_would_create_and_creates_none(csv_file):  # type: ignore[no-untyped-def]
    from advocacy.customers.models import Account

    report = import_file(kind="customers", source=csv_file(CONTACTS_WITH_COMPANIES, name="c.csv"), dry_run=True)

    assert report.accounts_created == ["Acme", "Umbrella Health", "Initech"]
    assert not Account.objects.exists() and not Customer.objects.exists()
