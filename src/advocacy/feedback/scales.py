"""The answer scales and their cut-offs: the one place that says what a promoter or a satisfied answer is.

NPS (0–10): promoter 9–10, passive 7–8, detractor 0–6 (Reichheld 2003).
CSAT (1–5): satisfied 4–5, neutral 3, dissatisfied 1–2.
CES (1–7):  easy 5–7, neutral 4, hard 1–3.

Python checks (``nps_category``), query expressions (``PROMOTER``, ``category_q``) and the template
filter (``score_category``) all read these numbers, so a page, a report and a loop rule never disagree.
"""

from __future__ import annotations

from django.db.models import Q

from advocacy.feedback.models import SurveyKind

PROMOTER_MIN = 9
DETRACTOR_MAX = 6
VERY_UNHAPPY_NPS_MAX = 3  # an NPS this low makes the case it opens a high-priority one
CSAT_SATISFIED_MIN = 4
CSAT_UNHAPPY_MAX = 2
VERY_UNHAPPY_CSAT_MAX = 1
CES_EASY_MIN = 5

PROMOTER = Q(score__gte=PROMOTER_MIN)
PASSIVE = Q(score__gt=DETRACTOR_MAX, score__lt=PROMOTER_MIN)
DETRACTOR = Q(score__lte=DETRACTOR_MAX)
CSAT_SATISFIED = Q(score__gte=CSAT_SATISFIED_MIN)
UNHAPPY = Q(kind=SurveyKind.NPS, score__lte=DETRACTOR_MAX) | Q(kind=SurveyKind.CSAT, score__lte=CSAT_UNHAPPY_MAX)

NPS_CATEGORIES: dict[str, Q] = {"promoter": PROMOTER, "passive": PASSIVE, "detractor": DETRACTOR}
NPS_CATEGORY_LABELS: dict[str, str] = {
    "promoter": f"Promoters ({PROMOTER_MIN}–10)",
    "passive": f"Passives ({DETRACTOR_MAX + 1}–{PROMOTER_MIN - 1})",
    "detractor": f"Detractors (0–{DETRACTOR_MAX})",
}


def nps_category(score: int) -> str:
    if score >= PROMOTER_MIN:
        return "promoter"
    return "passive" if score > DETRACTOR_MAX else "detractor"


def score_category(kind: str, score: int) -> str:
    """promoter / passive / detractor for NPS; satisfied / neutral / dissatisfied for CSAT; easy / neutral / hard."""
    if kind == SurveyKind.NPS:
        return nps_category(score)
    if kind == SurveyKind.CSAT:
        return "satisfied" if score >= CSAT_SATISFIED_MIN else ("neutral" if score == 3 else "dissatisfied")
    return "easy" if score >= CES_EASY_MIN else ("neutral" if score == 4 else "hard")


def is_promoter(kind: str, score: int) -> bool:
    return kind == SurveyKind.NPS and score >= PROMOTER_MIN


def is_unhappy(kind: str, score: int) -> bool:
    """A detractor, or a dissatisfied CSAT answer: the answers the loop follows up with a case."""
    return (kind == SurveyKind.NPS and score <= DETRACTOR_MAX) or (
        kind == SurveyKind.CSAT and score <= CSAT_UNHAPPY_MAX
    )


def is_very_unhappy(kind: str, score: int) -> bool:
    return score <= (VERY_UNHAPPY_NPS_MAX if kind == SurveyKind.NPS else VERY_UNHAPPY_CSAT_MAX)
