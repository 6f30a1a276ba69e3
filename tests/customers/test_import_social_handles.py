"""Social handles ride along with the customer import, so listening can tie a public post to its customer."""

from __future__ import annotations

import pytest

from advocacy.customers.importing.services import import_file
from advocacy.customers.models import SocialHandle
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def handles() -> dict[str, str]:
    return dict(SocialHandle.objects.values_list("handle", "customer__email"))


def test_handles_are_imported_bare_and_lower_case_and_replace_the_earlier_ones(csv_file):  # type: ignore[no-untyped-def]
    import_file(
        kind="customers", source=csv_file('Email,Twitter handle\nann@example.com,"@Ann, @ann@mastodon.social"\n')
    )
    assert handles() == {"ann": "ann@example.com", "ann@mastodon.social": "ann@example.com"}
    import_file(kind="customers", source=csv_file("Email,Social handles\nann@example.com,@annie\n"))
    assert handles() == {"annie": "ann@example.com"}


def test_the_same_handles_imported_again_change_nothing(csv_file):  # type: ignore[no-untyped-def]
    source = 'Email,Social handles\nann@example.com,"@ann, @Ann_2, @ann.b, @ann@mastodon.social"\nbo@example.com,\n'
    import_file(kind="customers", source=csv_file(source))
    stored = dict(SocialHandle.objects.values_list("handle", "pk"))
    again = import_file(kind="customers", source=csv_file(source))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert dict(SocialHandle.objects.values_list("handle", "pk")) == stored  # the rows were not rewritten
    changed = import_file(kind="customers", source=csv_file("Email,Social handles\nann@example.com,@ann\n"))
    assert (changed.updated, handles()) == (1, {"ann": "ann@example.com"})


def test_another_customer_s_handle_is_refused_with_the_row(csv_file):  # type: ignore[no-untyped-def]
    CustomerFactory(email="bo@example.com")
    import_file(kind="customers", source=csv_file("Email,Handle\nbo@example.com,@bo\n"))
    report = import_file(kind="customers", source=csv_file("Email,Handle\ncy@example.com,@BO\ndi@example.com,@di\n"))
    assert [(e.line, e.column, e.reason) for e in report.errors] == [
        (2, "Handle", "@bo is the handle of bo@example.com")
    ]
    assert handles() == {"bo": "bo@example.com", "di": "di@example.com"}


def test_one_handle_given_twice_in_a_file_is_refused_the_second_time(csv_file):  # type: ignore[no-untyped-def]
    report = import_file(kind="customers", source=csv_file("Email,Handle\ne@example.com,@ed\nf@example.com,@ed\n"))
    assert [(e.line, e.reason) for e in report.errors] == [(3, "@ed is given on line 2 too")]
