"""What the advocates app adds to shared pages: the advocacy panel on the customer 360 and navigation."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from advocacy.core.context_processors import NavLink, register_nav_link
from advocacy.core.home import HomeSection, register_home_section
from advocacy.core.jobs.services import register_sweep
from advocacy.core.models import User
from advocacy.core.roles import PROGRAM_TEAM, STAFF_ROLES, Role
from advocacy.customers.models import Customer
from advocacy.customers.panels import Panel, register_panel
from advocacy.outreach.webhooks.registry import register_event_type


def conversion_receipts_prune(now: datetime) -> int:
    from advocacy.advocates.referrals.services import conversion_receipts_prune as prune

    return prune(now)


def advocacy_panel(customer: Customer) -> dict[str, Any]:
    from advocacy.advocates.program.queries import customer_advocacy

    return customer_advocacy(customer.pk)


def program_to_do(user: User) -> dict[str, Any]:
    from advocacy.advocates.program.queries import program_to_do as to_do

    return {"todo": to_do()}


def my_references(user: User) -> dict[str, Any]:
    from advocacy.advocates.program.queries import references_of

    return {"requests": references_of(user.pk)}


def register() -> None:
    register_home_section(
        HomeSection("program_to_do", "advocates/home/_program_to_do.html", program_to_do, PROGRAM_TEAM, 10)
    )
    register_home_section(
        HomeSection("my_references", "advocates/home/_my_references.html", my_references, frozenset({Role.SALES}), 10)
    )
    register_privacy()
    register_event_type(
        "referral.converted", "A referred friend's order was attributed to an advocate's link.", app="advocates"
    )
    register_event_type("reward.redeemed", "An advocate spent points on a reward.", app="advocates")
    register_sweep("conversion receipts older than a week", conversion_receipts_prune)
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
    register_nav_link(NavLink("Advocates", "advocates:advocate_list", 40))
    register_nav_link(NavLink("Program", "advocates:program", 41))
    register_nav_link(NavLink("References", "advocates:reference_list", 42))
    register_nav_link(NavLink("Advocate hub", "hub:home", 5))


def register_privacy() -> None:
    from advocacy.advocates import privacy
    from advocacy.customers.privacy.registry import register_eraser, register_section

    register_section("membership", privacy.membership_export)
    register_section("points", privacy.points_export)
    register_section("submissions", privacy.submissions_export)
    register_section("redemptions", privacy.redemptions_export)
    register_section("referrals", privacy.referrals_export)
    register_section("stories", privacy.stories_export)
    register_eraser("advocacy program", privacy.program_erase)
