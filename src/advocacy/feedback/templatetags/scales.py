"""``{{ answer.score|score_tone:answer.kind }}``: good, warn or bad, by the cut-offs in feedback/scales.py."""

from django import template

from advocacy.feedback.scales import score_category

register = template.Library()

TONES = {
    "promoter": "good",
    "passive": "warn",
    "detractor": "bad",
    "satisfied": "good",
    "neutral": "warn",
    "dissatisfied": "bad",
    "easy": "good",
    "hard": "bad",
}


@register.filter
def score_tone(score: int, kind: str) -> str:
    return TONES[score_category(kind, int(score))]
