"""Levels of the advocate hub, by lifetime points earned (spending never lowers a level)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, Sum

from advocacy.advocates.models import (
    Advocate,
    PointsEntry,
)


@dataclass(frozen=True)
class Level:
    name: str
    floor: int
    next_name: str = ""
    next_at: int | None = None


# The floor of each level in lifetime points earned (spending never lowers a level).
LEVELS: list[tuple[str, int]] = [("Bronze", 0), ("Silver", 1000), ("Gold", 5000), ("Platinum", 15000)]


REFUND_PREFIX = "redemption-refund:"


def level_for(lifetime_points: int) -> Level:
    """The level reached with this many lifetime points, and what the next one needs."""
    index = sum(1 for _, floor in LEVELS[1:] if lifetime_points >= floor)  # LEVELS is sorted by floor
    name, floor = LEVELS[index]
    if index + 1 < len(LEVELS):
        return Level(name, floor, *LEVELS[index + 1])
    return Level(name, floor)


def earned_filter(prefix: str = "") -> Q:
    """Ledger rows that count as earned: additions other than refunds of cancelled redemptions."""
    return Q(**{f"{prefix}delta__gt": 0}) & ~Q(**{f"{prefix}ref__startswith": REFUND_PREFIX})


def lifetime_points(advocate: Advocate) -> int:
    return PointsEntry.objects.filter(earned_filter(), advocate=advocate).aggregate(n=Sum("delta"))["n"] or 0


@dataclass(frozen=True)
class LevelProgress:
    """How far the advocate is from the next level: points to go and the share of the step covered."""

    level: Level
    lifetime: int
    to_go: int  # 0 at the top level
    percent: int  # of the way from this level's floor to the next one; 100 at the top level


def level_progress(lifetime_points: int) -> LevelProgress:
    level = level_for(lifetime_points)
    if level.next_at is None:
        return LevelProgress(level, lifetime_points, 0, 100)
    step = level.next_at - level.floor
    covered = lifetime_points - level.floor
    # Floor division: the bar never shows a level as reached before it is.
    return LevelProgress(level, lifetime_points, level.next_at - lifetime_points, covered * 100 // step)
