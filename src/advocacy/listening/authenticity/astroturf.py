"""Astroturf: a group of near-identical texts (one near-duplicate group) posted by ASTROTURF_MIN_AUTHORS or
more different authors within ASTROTURF_WINDOW. Real customers who copy a press line exist, so the flag is
evidence for a person to judge, never a verdict."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

ASTROTURF_MIN_AUTHORS = 3
ASTROTURF_WINDOW = timedelta(hours=48)


@dataclass(frozen=True)
class Post:
    id: int
    author: str
    published_at: datetime


def coordinated(posts: list[Post]) -> list[Post]:
    """The posts of the densest ASTROTURF_WINDOW of a group, if they come from enough different authors."""
    ordered = sorted(posts, key=lambda p: p.published_at)
    best: list[Post] = []
    start = 0
    for end in range(len(ordered)):
        while ordered[end].published_at - ordered[start].published_at > ASTROTURF_WINDOW:
            start += 1
        window = ordered[start : end + 1]
        if len({p.author for p in window}) > len({p.author for p in best}):
            best = window
    return best if len({p.author for p in best}) >= ASTROTURF_MIN_AUTHORS else []
