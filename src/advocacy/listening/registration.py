"""What listening adds to shared pages: the mentions panel on the customer 360, navigation, the sweep."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from advocacy.core.context_processors import NavLink, register_nav_link
from advocacy.core.home import HomeSection, register_home_section
from advocacy.core.jobs.services import register_sweep
from advocacy.core.models import User
from advocacy.core.roles import IMPACT_READERS, INSIGHT_READERS
from advocacy.customers.models import Customer
from advocacy.customers.panels import Panel, register_panel


def receipts_prune(now: datetime) -> int:
    from advocacy.listening.sources.services import receipts_prune as prune

    return prune(now)


def mentions_panel(customer: Customer) -> dict[str, Any]:
    from advocacy.listening.mentions.queries import customer_mentions

    return customer_mentions(customer.pk)


def week_headline(user: User) -> dict[str, Any]:
    from advocacy.listening.mentions.queries import week_headline as week

    return {"week": week()}


def register() -> None:
    register_privacy()
    register_home_section(HomeSection("listening_week", "listening/home/_week.html", week_headline, IMPACT_READERS, 25))
    register_sweep("listening webhook receipts older than a week", receipts_prune)
    register_panel(
        Panel(
            key="mentions",
            title="Public mentions",
            template="listening/_customer_panel.html",
            context=mentions_panel,
            roles=INSIGHT_READERS,
            order=35,
        )
    )
    register_nav_link(NavLink("Listening", "listening:dashboard", 45))


def register_privacy() -> None:
    from advocacy.customers.privacy.registry import register_eraser, register_section
    from advocacy.listening import privacy

    register_section("social_handles", privacy.handles_export)
    register_section("mentions", privacy.mentions_export)
    register_eraser("mentions", privacy.mentions_erase)
