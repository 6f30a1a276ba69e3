"""Rows the hub tests share: an advocate, a challenge, a reward — real rows, built by the services."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from advocacy.advocates.hub import services as hub
from advocacy.advocates.models import Advocate, Challenge, Reward
from advocacy.core.models import User
from advocacy.customers.models import Customer
from tests.factories import CustomerFactory


def advocate(customer: Customer | None = None, **fields: Any) -> Advocate:
    return hub.hub_join(customer=customer or CustomerFactory(), **fields)


def challenge(by: User, **fields: Any) -> Challenge:
    values: dict[str, Any] = {
        "kind": "review",
        "title": "Review us on G2",
        "instructions": "Write an honest review of your experience on G2 — positive or negative, it's your call.",
        "points": 100,
        "starts_on": timezone.localdate() - dt.timedelta(days=1),
        **fields,
    }
    return hub.challenge_create(by=by, **values)


def reward(by: User, **fields: Any) -> Reward:
    values: dict[str, Any] = {"name": "Hoodie", "point_cost": 80, "stock": 5, "money_cost": Decimal("35.00"), **fields}
    return hub.reward_create(by=by, **values)
