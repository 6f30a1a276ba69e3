"""The reasons of a score: stored as codes with their parameters, put into words when they are read.

A score's top three reasons are stored as ``[code, *parameters]`` lists, the code being the part's
name (method.PARTS): ``["frequency", 12]``, ``["nps", 10]``, ``["revenue", 8087.0, "USD"]``. Storing
codes keeps the nightly rescore from writing a million sentences, lets a row be compared with its
recomputed self cheaply, and lets the words change without a rescore. Every page, the API and the
exports put them into words here, with ``reasons_in_words``; the sentences are the ones the score
has always shown (tests/advocates/test_scoring.py holds them to the words stored before the codes).

Parameters are whole numbers where the words show whole numbers (days are whole days before the
moment scored, as the score always said them), and the revenue amount as computed.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from advocacy.feedback import scales

Reason = list[Any]  # [code, *parameters]
HISTORY_WORDS = {
    "referrals": ("Referred", "customer", "customers"),
    "reference_calls": ("Held", "reference call", "reference calls"),
    "stories": ("Published", "story", "stories"),
    "reviews": ("Wrote", "positive review", "positive reviews"),
    "challenges": ("Completed", "challenge", "challenges"),
}


def _plural(n: int, word: str, plural: str) -> str:
    return f"{n} {word if n == 1 else plural}"


def _days(days: int) -> str:
    return "today" if days == 0 else "yesterday" if days == 1 else f"{days} days ago"


def _nps(nps: int | None) -> str:
    if nps is None:
        return "No NPS answer yet (counted as neutral)"
    return f"Gave NPS {nps} in the last survey (a {scales.nps_category(nps)})"


def _csat(csat: int | None) -> str:
    return "No CSAT answer yet" if csat is None else f"Rated CSAT {csat}/5 in the last survey"


def _nps_trend(latest: int, previous: int) -> str:
    if latest == previous:
        return f"NPS unchanged at {latest}"
    return f"NPS {'up' if latest > previous else 'down'} from {previous} to {latest}"


def _recency(days: int | None) -> str:
    return "No engagement recorded" if days is None else f"Last active {_days(days)}"


def _revenue(amount: float, currency: str) -> str:
    return "No revenue yet" if amount <= 0 else f"Revenue {amount:,.0f} {currency}"


def _tenure(days: int) -> str:
    return f"Customer for {days / 365.25:.1f} years"


def _history(code: str) -> Callable[[int], str]:
    verb, one, many = HISTORY_WORDS[code]
    return lambda n: f"{verb} {_plural(n, one, many)}"


WORDS: dict[str, Callable[..., str]] = {
    "nps": _nps,
    "csat": _csat,
    "nps_trend": _nps_trend,
    "recency": _recency,
    "frequency": lambda n: f"Active: {_plural(n, 'event', 'events')} in the last 90 days",
    "revenue": _revenue,
    "tenure": _tenure,
    **{code: _history(code) for code in HISTORY_WORDS},
    "open_cases": lambda n: f"Has {_plural(n, 'open case', 'open cases')}",
    "detractor": lambda days: f"Detractor answer {_days(days)}",
    "churned": lambda days: f"Left us {_days(days)}",
}


def reason_in_words(reason: Reason | str) -> str:
    """One stored reason as the sentence a program manager would say.

    A plain string is a reason stored in words by a rescore before the codes; it reads as it is
    until the next rescore replaces it."""
    if isinstance(reason, str):
        return reason
    code, *parameters = reason
    words = WORDS.get(code)
    if words is None:
        raise ValueError(f"unknown reason code {code!r} in a stored advocate score")
    return words(*parameters)


def reasons_in_words(reasons: Sequence[Reason | str] | None) -> list[str]:
    return [reason_in_words(reason) for reason in reasons or ()]


# --- from the score's arrays to codes -----------------------------------------------------------


def _whole(values: np.ndarray) -> list[int | None]:
    """Whole numbers toward zero, as the words always showed them; None for unknown (NaN)."""
    return [None if math.isnan(v) else int(v) for v in values.tolist()]


def _ints(values: np.ndarray) -> list[int]:
    return [int(v) for v in values.tolist()]


def reason_parameters(code: str, f: Any, rows: np.ndarray) -> list[tuple[Any, ...]]:
    """The parameters of reason ``code`` for the customers at ``rows`` of the features ``f``,
    one column at a time (a million customers are a few numpy gathers, not a million calls)."""
    if code == "nps":
        return [(v,) for v in _whole(f.nps[rows])]
    if code == "csat":
        return [(v,) for v in _whole(f.csat[rows])]
    if code == "nps_trend":
        return list(zip(_whole(f.nps[rows]), _whole(f.nps_previous[rows]), strict=True))
    if code == "recency":
        return [(v,) for v in _whole(f.days_since_event[rows])]
    if code == "frequency":
        return [(v,) for v in _ints(f.events_90[rows])]
    if code == "revenue":
        return list(zip(f.revenue[rows].tolist(), f.currency[rows].tolist(), strict=True))
    if code == "tenure":
        return [(v,) for v in _whole(f.tenure_days[rows])]
    if code == "referrals":
        return [(v,) for v in _ints(np.maximum(f.referrals[rows], f.referral_events[rows]))]
    if code in HISTORY_WORDS or code == "open_cases":
        return [(v,) for v in _ints(getattr(f, code)[rows])]
    if code == "detractor":
        return [(v,) for v in _whole(f.detractor_days_ago[rows])]
    if code == "churned":
        return [(v,) for v in _whole(f.churned_days_ago[rows])]
    raise ValueError(f"no reason code {code!r}")


def _by_rank(
    f: Any, top: np.ndarray, part_names: Sequence[str], rows: np.ndarray
) -> list[list[tuple[int, str, tuple[Any, ...]]]]:
    """Per rank (best first), the (position in ``rows``, code, parameters) of the customers at ``rows``
    that have a reason at that rank: one gather per part and rank, not one per customer."""
    chosen = top[rows]
    ranks = []
    for rank in range(chosen.shape[1]):
        column = chosen[:, rank]
        found = []
        for c in np.unique(column[column >= 0]).tolist():
            at = np.flatnonzero(column == c)
            code = part_names[c]
            found += [(n, code, p) for n, p in zip(at.tolist(), reason_parameters(code, f, rows[at]), strict=True)]
        ranks.append(found)
    return ranks


def reason_codes(f: Any, top: np.ndarray, part_names: Sequence[str], rows: np.ndarray) -> list[list[Reason]]:
    """The stored reasons of the customers at ``rows``: ``top`` holds each customer's best parts by
    column index, best first, −1 where fewer parts move the score."""
    out: list[list[Reason]] = [[] for _ in range(len(rows))]
    for found in _by_rank(f, top, part_names, rows):
        for n, code, parameters in found:
            out[n].append([code, *parameters])
    return out


def _json_value(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, str):
        return json.dumps(value)
    return repr(value)  # int, or a finite float: repr is its shortest exact JSON number


def reason_codes_json(f: Any, top: np.ndarray, part_names: Sequence[str], rows: np.ndarray) -> list[str]:
    """``reason_codes`` as the JSON text stored, written without json.dumps' per-call overhead (a
    million customers are scored nightly); json.loads of it gives ``reason_codes``."""
    out: list[list[str]] = [[] for _ in range(len(rows))]
    for found in _by_rank(f, top, part_names, rows):
        for n, code, parameters in found:
            out[n].append(f'["{code}", ' + ", ".join(map(_json_value, parameters)) + "]")
    return ["[" + ", ".join(reasons) + "]" for reasons in out]
