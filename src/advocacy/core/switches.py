"""Rules a program manager can see and switch: the loop's cross-app rules (advocacy/loop.py) register here.

The registry sits in core so that a settings page of any app can list and switch the rules without
importing the loop, which sits above every app. A rule without a stored row is at its default.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from advocacy.core.models import LoopRule, User
from advocacy.core.run_reads import read_once


@dataclass(frozen=True)
class Rule:
    key: str
    title: str
    default: bool = True


RULES: list[Rule] = []


def register_rule(rule: Rule) -> Rule:
    if all(r.key != rule.key for r in RULES):
        RULES.append(rule)
    return rule


def rule_by_key(key: str) -> Rule | None:
    return next((r for r in RULES if r.key == key), None)


def enabled(rule: Rule) -> bool:
    return read_once(("loop rule", rule.key), lambda: stored_state(rule))


def stored_state(rule: Rule) -> bool:
    row = LoopRule.objects.filter(key=rule.key).first()
    return rule.default if row is None else row.enabled


def rules_with_state() -> list[tuple[Rule, bool]]:
    """Every registered rule with whether it is on, in one query."""
    stored = dict(LoopRule.objects.filter(key__in=[r.key for r in RULES]).values_list("key", "enabled"))
    return [(r, stored.get(r.key, r.default)) for r in RULES]


@transaction.atomic
def rule_switch(*, rule: Rule, on: bool, by: User | None) -> None:
    LoopRule.objects.update_or_create(key=rule.key, defaults={"enabled": on, "changed_by": by})
