"""What the insights app adds to shared pages: the Impact dashboard in the menu (its tabs lead to retention,
lifetime value and satisfaction by status), and two panels on the customer 360."""

from __future__ import annotations

from typing import Any

from advocacy.core.context_processors import NavLink, register_nav_link
from advocacy.core.roles import IMPACT_READERS
from advocacy.customers.models import Customer
from advocacy.customers.panels import Panel, register_panel


def value_panel(customer: Customer) -> dict[str, Any]:
    from advocacy.insights.attribution.queries import acts_of, sourced_by_advocate

    return {"sourced": sourced_by_advocate(customer.pk), "acts": acts_of(customer.pk)}


def lifetime_value(customer: Customer) -> dict[str, Any]:
    from advocacy.insights.lifetime.queries import customer_values, historical_value

    return {"historical": historical_value(customer.pk), "predictions": customer_values(customer.pk)}


def register() -> None:
    register_nav_link(NavLink("Impact", "insights:impact", 45))
    register_panel(
        Panel(
            key="insights_value",
            title="Value to the program",
            template="insights/_customer_panel.html",
            context=value_panel,
            roles=IMPACT_READERS,
            order=30,
        )
    )
    register_panel(
        Panel(
            key="lifetime_value",
            title="Lifetime value",
            template="insights/_lifetime_panel.html",
            context=lifetime_value,
            roles=IMPACT_READERS,
            order=60,
        )
    )
