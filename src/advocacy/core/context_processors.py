"""Navigation per role: each link names the roles it is for, the same roles its view declares."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

from advocacy.core.permissions import viewer_role
from advocacy.core.roles import STAFF_ROLES, Role


@dataclass(frozen=True)
class NavLink:
    label: str
    url_name: str
    roles: frozenset[str]
    order: int = 50


NAV_LINKS: list[NavLink] = [
    NavLink("Home", "core:home", STAFF_ROLES, 0),
    NavLink("Customers", "customers:search", STAFF_ROLES, 10),
    NavLink("Imports", "customers:import_list", frozenset({Role.ADMIN, Role.PROGRAM_MANAGER}), 80),
    NavLink("API keys", "core:api_keys", frozenset({Role.ADMIN}), 90),
    NavLink("API docs", "api:openapi-view", STAFF_ROLES, 91),
    NavLink("Back office", "admin:index", frozenset({Role.ADMIN}), 99),
    NavLink("My page", "portal:home", frozenset({Role.CUSTOMER}), 0),
]


def register_nav_link(link: NavLink) -> None:
    """Later apps add their pages here from their AppConfig.ready()."""
    if link not in NAV_LINKS:
        NAV_LINKS.append(link)
        NAV_LINKS.sort(key=lambda entry: entry.order)


def navigation(request: HttpRequest) -> dict[str, object]:
    role = viewer_role(request)
    links = []
    for link in NAV_LINKS:
        if role in link.roles:
            try:
                url = reverse(link.url_name)
            except NoReverseMatch:
                continue
            links.append({"label": link.label, "url": url, "active": request.path.startswith(url) and url != "/"})
    return {"nav_links": links, "viewer_role": role, "company_name": settings.COMPANY_NAME}
