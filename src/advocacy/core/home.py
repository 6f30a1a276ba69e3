"""The staff home page is made of sections that apps register, each for the roles whose day it serves.

An app registers its sections from its ``registration.py``; the home page shows those the viewer's
role may see, in order, each rendered from its template with the context its function returns.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from advocacy.core.models import User


@dataclass(frozen=True)
class HomeSection:
    key: str
    template: str
    context: Callable[[User], dict[str, Any]]
    roles: frozenset[str]
    order: int = 100


SECTIONS: dict[str, HomeSection] = {}


def register_home_section(section: HomeSection) -> None:
    SECTIONS[section.key] = section


def sections_for(user: User) -> list[dict[str, Any]]:
    shown = sorted((s for s in SECTIONS.values() if user.role in s.roles), key=lambda s: (s.order, s.key))
    return [{"template": s.template, **s.context(user)} for s in shown]
