"""On the demo company, every link a role is shown opens for that role (issue 12, item 7): no link
leads a person to a 403 they were never meant to meet, to a dead end (404) or to a server error.

Each staff role starts at its home and its menu, and follows every link on those pages once (which
reaches every detail page the lists link to), then, one level further, the links on the pages it
reached, one link of each shape (digits aside: one case's page stands for all cases' pages), which
reaches the links inside detail pages and reports; the customer does the same from the portal. Links
into the back office (/admin/) and the API's own documents are left out: they are not part of the
pages' navigation.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from django.db import transaction
from django.test import Client

from advocacy.core.models import User
from advocacy.customers.models import Customer
from advocacy.demo.generator import generate_company, read_manifest
from advocacy.demo.reference import STAFF
from advocacy.portal.signin.services import magic_link_create

ROLES = sorted({role: username for username, role, *_ in reversed(STAFF)}.items())
HREF = re.compile(r'href="(/[^"#?]*)(?:\?[^"#]*)?"')
SKIP = ("/admin/", "/api/", "/static/", "/sign-out/", "/portal/sign-out/")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory, django_db_setup: None, django_db_blocker: Any) -> Iterator[dict]:
    path = tmp_path_factory.mktemp("demo") / "manifest.json"
    with django_db_blocker.unblock(), transaction.atomic():
        generate_company(customers=300, seed=11, today=date(2025, 6, 30), manifest_path=path)
        yield read_manifest(path)
        transaction.set_rollback(True)


def links_on(html: str) -> list[str]:
    return [h for h in dict.fromkeys(HREF.findall(html.replace("&amp;", "&"))) if not h.startswith(SKIP)]


def shape(link: str) -> str:
    return re.sub(r"\d+", "N", link)


def html_of(page: Any) -> str:
    return page.content.decode() if page.status_code == 200 and "text/html" in page["Content-Type"] else ""


def broken_links(client: Client, starts: list[str]) -> list[str]:
    """Every link on the start pages, and one link of each shape on the pages they lead to, followed
    once; the ones that did not open, with their status and the page that offered them."""
    seen: set[str] = set(starts)
    shapes: set[str] = set()
    broken: list[str] = []
    reached: dict[str, str] = {}
    for start in starts:
        page = client.get(start)
        assert page.status_code == 200, f"{start}: {page.status_code}"
        reached[start] = html_of(page)
    for every_link in (True, False):
        pages, reached = reached, {}
        for at, html in pages.items():
            for link in links_on(html):
                if link in seen or (not every_link and shape(link) in shapes):
                    continue
                seen.add(link)
                shapes.add(shape(link))
                page = client.get(link)
                if page.status_code in (403, 404) or page.status_code >= 500:
                    broken.append(f"{at} → {link}: {page.status_code}")
                reached[link] = html_of(page)
    return broken


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "username"), ROLES)
def test_every_link_a_staff_role_is_shown_opens_for_it(demo: Any, role: str, username: str) -> None:
    client = Client()
    client.force_login(User.objects.get(username=username))
    home = client.get("/home/").content.decode()
    menu = [link for link in links_on(home.split("</header>")[0]) if link != "/"]

    assert broken_links(client, ["/home/", *menu]) == []


@pytest.mark.django_db
def test_every_link_the_customer_is_shown_opens_for_them(demo: Any) -> None:
    client = Client()
    customer = Customer.objects.get(email=demo["portal_example_email"])
    assert client.post(f"/portal/sign-in/{magic_link_create(customer=customer)}/").status_code == 302

    assert broken_links(client, ["/portal/", "/portal/hub/"]) == []
