"""What the advocates app adds to shared pages: the advocacy panel on the customer 360 and navigation."""

from __future__ import annotations

from typing import Any

from advocacy.core.context_processors import NavLink, register_nav_link
from advocacy.core.roles import PROGRAM_TEAM, SCORE_READERS, STAFF_ROLES, Role
from advocacy.customers.models import Customer
from advocacy.customers.panels import Panel, register_panel


def advocacy_panel(customer: Customer) -> dict[str, Any]:
    from advocacy.advocates.program.queries import customer_advocacy

    return customer_advocacy(customer.pk)


def register() -> None:
    register_panel(
        Panel(
            key="advocacy",
            title="Advocacy",
            template="advocates/_customer_panel.html",
            context=advocacy_panel,
            roles=STAFF_ROLES,
            order=20,
        )
    )
    register_nav_link(NavLink("Advocates", "advocates:advocate_list", SCORE_READERS, 40))
    register_nav_link(NavLink("Program", "advocates:program", PROGRAM_TEAM, 41))
    register_nav_link(
        NavLink("References", "advocates:reference_list", frozenset({Role.ADMIN, Role.PROGRAM_MANAGER, Role.SALES}), 42)
    )
    register_nav_link(NavLink("Advocate hub", "hub:home", frozenset({Role.CUSTOMER}), 5))
