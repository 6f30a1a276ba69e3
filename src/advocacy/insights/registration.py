"""What the insights app adds to shared pages: the Impact page in the menu, the value panel on the 360."""

from __future__ import annotations


def register() -> None:
    pass
