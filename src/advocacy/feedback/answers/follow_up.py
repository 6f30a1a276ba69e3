"""Who follows up an unhappy answer, and by when, as the customer reads it after answering.

Feedback does not know about cases. The loop (advocacy/loop.py), which opens the case an unhappy answer
causes, registers the one function that answers; without it (or before the case exists) the page says
nothing it cannot keep.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from advocacy.feedback.models import Response


@dataclass(frozen=True)
class FollowUp:
    who: str  # the customer advocate's name
    by: datetime | None  # the first response promised, if the case's clock runs
    case_id: int | None  # None while the worker has not opened the case yet


Reader = Callable[[Response], FollowUp | None]
READERS: list[Reader] = []


def register_follow_up(reader: Reader) -> None:
    if reader not in READERS:
        READERS.append(reader)


def follow_up_for(response: Response) -> FollowUp | None:
    for reader in READERS:
        found = reader(response)
        if found is not None:
            return found
    return None
