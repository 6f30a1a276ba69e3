"""What the insights app adds to shared pages: the Impact page in the menu, the value panel on the 360."""

from __future__ import annotations

from typing import Any

from advocacy.core.context_processors import NavLink, register_nav_link
from advocacy.core.roles import RETENTION_READERS
from advocacy.customers.models import Customer
from advocacy.customers.panels import Panel, register_panel


def lifetime_value(customer: Customer) -> dict[str, Any]:
    from advocacy.insights.lifetime.queries import customer_values, historical_value

    return {"historical": historical_value(customer.pk), "predictions": customer_values(customer.pk)}


def register() -> None:
    register_panel(
        Panel(
            key="lifetime_value",
            title="Lifetime value",
            template="insights/_lifetime_panel.html",
            context=lifetime_value,
            roles=RETENTION_READERS,
            order=60,
        )
    )
    register_nav_link(NavLink("Retention", "insights:retention", 40))
