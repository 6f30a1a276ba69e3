"""What casework adds to shared pages: the cases panel on the customer 360 and the navigation."""

from __future__ import annotations

from typing import Any

from advocacy.core.context_processors import NavLink, register_nav_link
from advocacy.core.home import HomeSection, register_home_section
from advocacy.core.models import User
from advocacy.core.roles import CASE_READERS, Role
from advocacy.customers.models import Customer
from advocacy.customers.panels import Panel, register_panel
from advocacy.outreach.webhooks.registry import register_event_type


def cases_panel(customer: Customer) -> dict[str, Any]:
    from advocacy.casework.cases.queries import cases_of_customer
    from advocacy.casework.models import Category, Priority, Source

    return {
        "cases": cases_of_customer(customer.pk),
        "customer_id": customer.pk,
        "categories": Category.choices,
        "priorities": Priority.choices,
        "sources": Source.choices,
    }


def advocate_day(user: User) -> dict[str, Any]:
    from advocacy.casework.cases.queries import advocate_day as day

    return {"day": day(user)}


def head_tasks(user: User) -> dict[str, Any]:
    from django.utils import timezone

    from advocacy.casework.cases.queries import tasks_for

    return {"tasks": list(tasks_for(user)[:15]), "now": timezone.now()}


def register() -> None:
    register_home_section(
        HomeSection(
            "advocate_day", "casework/home/_advocate_day.html", advocate_day, frozenset({Role.CUSTOMER_ADVOCATE}), 10
        )
    )
    register_home_section(
        HomeSection("head_tasks", "casework/home/_head_tasks.html", head_tasks, frozenset({Role.DEPARTMENT_HEAD}), 10)
    )
    register_privacy()
    register_event_type(
        "case.opened", "A case was opened, by staff, the customer, the API or the loop.", app="casework"
    )
    register_event_type("case.resolved", "A case was resolved.", app="casework")
    register_event_type(
        "case.breached", "A case missed a promised deadline (first response, update, resolution).", app="casework"
    )
    register_panel(
        Panel(
            key="cases",
            title="Cases",
            template="casework/_customer_panel.html",
            context=cases_panel,
            roles=CASE_READERS,  # the same rule as the case pages (cases.queries.visible_cases_for)
            order=5,
        )
    )
    register_nav_link(NavLink("Case queue", "casework:queue", 11))
    register_nav_link(NavLink("My tasks", "casework:my_tasks", 11))
    register_nav_link(NavLink("Appointments", "casework:my_appointments", 12))
    register_nav_link(NavLink("Prevention", "casework:prevention", 30))


def register_privacy() -> None:
    from advocacy.casework import privacy
    from advocacy.customers.privacy.registry import register_eraser, register_section

    register_section("cases", privacy.cases_export)
    register_section("case_messages", privacy.case_messages_export)
    register_section("appointments", privacy.appointments_export)
    register_section("recommendations", privacy.recommendations_export)
    register_eraser("cases", privacy.cases_erase)
