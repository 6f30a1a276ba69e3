"""What the customers app adds to shared pages: the customer counts on the staff home page."""

from __future__ import annotations

from typing import Any

from advocacy.core.home import HomeSection, register_home_section
from advocacy.core.models import User
from advocacy.core.roles import STAFF_ROLES


def customer_counts(user: User) -> dict[str, Any]:
    from advocacy.customers.records.queries import headline_counts

    return {"stats": headline_counts()}


def register() -> None:
    from advocacy.core.jobs.services import register_sweep
    from advocacy.customers.importing.services import import_jobs_sweep

    register_sweep("imports left running", import_jobs_sweep)
    register_privacy()
    register_home_section(
        HomeSection(
            key="customer_counts",
            template="customers/_home_counts.html",
            context=customer_counts,
            roles=STAFF_ROLES,
            order=90,
        )
    )


def register_privacy() -> None:
    from advocacy.customers.privacy import sections
    from advocacy.customers.privacy.registry import register_eraser, register_section

    register_section("consents", sections.consents_export)
    register_section("orders", sections.orders_export)
    register_section("engagement", sections.engagement_export)
    register_section("products_in_use", sections.products_in_use_export)
    register_section("contact_windows", sections.contact_windows_export)
    register_eraser("contact windows", sections.contact_windows_erase)
    register_eraser("import reports", sections.import_reports_erase)
    register_eraser("stored API replies", sections.idempotency_replies_erase)
