"""``{{ score.reasons|in_words }}``: a stored score's reasons (codes with parameters) as sentences."""

from __future__ import annotations

from typing import Any

from django import template

from advocacy.advocates.scoring.reasons import reasons_in_words

register = template.Library()


@register.filter
def in_words(reasons: Any) -> list[str]:
    return reasons_in_words(reasons)
