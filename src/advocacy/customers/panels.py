"""Sections that later capabilities add to the customer 360 (surveys, cases, advocacy …).

An app registers a panel from its AppConfig.ready(); the 360 page shows those the viewer's role may
see, each with the context its function returns for the customer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from advocacy.customers.models import Customer


@dataclass(frozen=True)
class Panel:
    key: str
    title: str
    template: str
    context: Callable[[Customer], dict[str, Any]]
    roles: frozenset[str]
    order: int = 100


PANELS: dict[str, Panel] = {}


def register_panel(panel: Panel) -> None:
    PANELS[panel.key] = panel


def panels_for(role: str | None, customer: Customer) -> list[dict[str, Any]]:
    shown = sorted((p for p in PANELS.values() if role in p.roles), key=lambda p: (p.order, p.key))
    return [{"title": p.title, "template": p.template, **p.context(customer)} for p in shown]
