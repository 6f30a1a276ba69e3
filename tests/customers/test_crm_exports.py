"""The standard contact and company exports of HubSpot, Salesforce, Pipedrive and Zoho import as they
come: no header edited, no mapping given (issue 12, item 2)."""

from __future__ import annotations

import pytest

from advocacy.core.roles import Role
from advocacy.core.staff.services import user_create
from advocacy.customers.importing.services import import_file
from advocacy.customers.models import Account, Customer

pytestmark = pytest.mark.django_db

# The headers each CRM writes in its standard export, with a few columns we do not use left in.
CONTACT_EXPORTS = {
    "hubspot": (
        "Record ID,First Name,Last Name,Email,Phone Number,Company Name,Contact owner,Lifecycle Stage,Create Date\n"
        "9001,Ann,Lee,ann@example.com,+49 30 1234,Brightside GmbH,Sam Seller,customer,2024-03-05 10:00\n"
    ),
    "salesforce": (
        "Contact ID,First Name,Last Name,Email,Phone,Mobile,Account Name,Contact Owner,Mailing Country\n"
        "0035g00000AbCdE,Ann,Lee,ann@example.com,+49 30 1234,+49 170 1,Brightside GmbH,Sam Seller,Germany\n"
    ),
    "pipedrive": (
        "Person - ID,Person - Name,Person - First name,Person - Last name,Person - Email - Work,"
        "Person - Phone - Work,Person - Organization,Person - Owner,Person - Label\n"
        "77,Ann Lee,Ann,Lee,ann@example.com,+49 30 1234,Brightside GmbH,Sam Seller,Customer\n"
    ),
    "zoho": (
        "Record Id,First Name,Last Name,Email,Phone,Mobile,Account Name,Contact Owner,Mailing Country,Created Time\n"
        "zcrm_4150868000000224005,Ann,Lee,ann@example.com,+49 30 1234,,Brightside GmbH,Sam Seller,Germany,"
        "2024-03-05 10:00:00\n"
    ),
}

COMPANY_EXPORTS = {
    "hubspot": (
        "Record ID,Company name,Company Domain Name,Industry,Company owner,Number of Employees,Country/Region,"
        "Create Date\n"
        "5001,Brightside GmbH,brightside.example,Retail,Sam Seller,250,Germany,2024-01-02\n"
    ),
    "salesforce": (
        "Account ID,Account Name,Industry,Account Owner,Employees,Billing Country,Type\n"
        "0015g00000XyZ,Brightside GmbH,Retail,Sam Seller,250,Germany,Customer - Direct\n"
    ),
    "pipedrive": (
        "Organization - ID,Organization - Name,Organization - Owner,Organization - Address,Organization - Label\n"
        "12,Brightside GmbH,Sam Seller,Hauptstr. 1 Berlin,Customer\n"
    ),
    "zoho": (
        "Record Id,Account Name,Account Owner,Industry,Employees,Billing Country,Account Type\n"
        "zcrm_4150868000000224777,Brightside GmbH,Sam Seller,Retail,250,Germany,Customer\n"
    ),
}


@pytest.fixture
def sam(db):  # type: ignore[no-untyped-def]
    return user_create(
        username="sam", email="sam@staff.example", role=Role.SALES, password=None, first_name="Sam", last_name="Seller"
    )


@pytest.mark.parametrize("crm", sorted(CONTACT_EXPORTS))
def test_a_crms_contact_export_imports_as_it_comes_and_makes_the_company(crm, csv_file, settings):  # type: ignore[no-untyped-def]
    settings.IMPORT_UNKNOWN_ACCOUNTS = "create"

    report = import_file(kind="customers", source=csv_file(CONTACT_EXPORTS[crm], name=f"{crm}-contacts.csv"))

    assert (report.created, report.failed) == (1, 0), report.errors
    ann = Customer.objects.select_related("account").get(email="ann@example.com")
    assert (ann.first_name, ann.last_name, ann.phone) == ("Ann", "Lee", "+49 30 1234")
    assert ann.external_id and ann.account.name == "Brightside GmbH"
    assert report.accounts_created == ["Brightside GmbH"]


@pytest.mark.parametrize("crm", sorted(COMPANY_EXPORTS))
def test_a_crms_company_export_imports_as_it_comes(crm, csv_file, sam):  # type: ignore[no-untyped-def]
    report = import_file(kind="accounts", source=csv_file(COMPANY_EXPORTS[crm], name=f"{crm}-companies.csv"))

    assert (report.created, report.failed) == (1, 0), report.errors
    account = Account.objects.get(name="Brightside GmbH")
    assert account.owner == sam  # named by full name, as CRMs export owners
    if crm != "pipedrive":  # Pipedrive's standard organisation export has no industry, size or country
        assert (account.industry, account.region, account.size) == ("Retail", "Germany", "mid")


@pytest.mark.parametrize(
    ("given", "band"),
    [("12", "small"), ("250", "mid"), ("1,200", "enterprise"), ("50-199", "mid"), ("10000+", "enterprise")],
)
def test_a_head_count_is_put_in_its_size_band(given, band, csv_file):  # type: ignore[no-untyped-def]
    import_file(kind="accounts", source=csv_file(f'Account Name,Employees\nBrightside,"{given}"\n'))

    assert Account.objects.get(name="Brightside").size == band


def test_an_owner_name_two_staff_share_is_a_row_error_not_a_guess(csv_file, sam):  # type: ignore[no-untyped-def]
    user_create(
        username="sam2",
        email="sam2@staff.example",
        role=Role.SALES,
        password=None,
        first_name="Sam",
        last_name="Seller",
    )

    report = import_file(kind="accounts", source=csv_file("Account Name,Account Owner\nBrightside,Sam Seller\n"))

    assert report.failed == 1 and "Sam Seller" in report.errors[0].reason
    assert not Account.objects.filter(name="Brightside").exists()
