"""Navigation per role: a link is shown to exactly the roles its view serves (read from ``@allow``).

A link names a URL; the roles come from the view that URL resolves to, so the menu can never offer a
page that would answer 403. Pages outside our views (the Django admin, the API docs) name their roles.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

from advocacy.core.permissions import roles_serving, viewer_role
from advocacy.core.roles import STAFF_ROLES, Role


@dataclass(frozen=True)
class NavLink:
    label: str
    url_name: str
    order: int = 50
    roles: frozenset[str] | None = None  # only for pages whose view does not declare its roles


def link_roles(link: NavLink) -> frozenset[str]:
    return link.roles if link.roles is not None else roles_serving(link.url_name)


NAV_LINKS: list[NavLink] = [
    NavLink("Home", "core:home", 0),
    NavLink("Customers", "customers:search", 10),
    NavLink("Imports", "customers:import_list", 80),
    NavLink("API keys", "core:api_keys", 90),
    NavLink("Background work", "core:jobs", 92),
    NavLink("API docs", "api:openapi-view", 91, roles=STAFF_ROLES),  # public page; offered to staff
    NavLink("Back office", "admin:index", 99, roles=frozenset({Role.ADMIN})),
    NavLink("My page", "portal:home", 0),
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
        try:
            url = reverse(link.url_name)
        except NoReverseMatch:
            continue
        if role in link_roles(link):
            links.append({"label": link.label, "url": url, "active": request.path.startswith(url) and url != "/"})
    return {"nav_links": links, "viewer_role": role, "company_name": settings.COMPANY_NAME}


def csp_nonce(request: HttpRequest) -> dict[str, object]:
    """The page's Content-Security-Policy nonce as ``csp_nonce``, the name django-htmx's tags read."""
    return {"csp_nonce": getattr(request, "csp_nonce", "")}


def background_work(request: HttpRequest) -> dict[str, object]:
    """For staff pages: how much background work waits with no worker running (shown as a banner)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from advocacy.core.jobs.queries import waiting_without_a_worker

    return {"jobs_waiting_without_worker": waiting_without_a_worker()}
