"""The response explorer: the filters staff can set, the matching responses, and their CSV rows."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone

from advocacy.customers.models import Account
from advocacy.feedback import scales
from advocacy.feedback.models import Channel, Response, Survey, SurveyKind

CSV_HEADER = [
    "answered_at",
    "survey",
    "wave",
    "kind",
    "score",
    "channel",
    "customer_id",
    "customer_email",
    "account",
    "region",
    "comment",
    "sentiment",
    "theme",
]


class ResponseFilter(forms.Form):
    survey = forms.ModelChoiceField(queryset=Survey.objects.order_by("name"), required=False, empty_label="All surveys")
    wave = forms.IntegerField(required=False, min_value=1, label="Wave number")
    score_min = forms.IntegerField(required=False, min_value=0, max_value=10, label="Score from")
    score_max = forms.IntegerField(required=False, min_value=0, max_value=10, label="Score to")
    category = forms.ChoiceField(
        required=False,
        choices=[("", "Any"), *scales.NPS_CATEGORY_LABELS.items()],
        help_text="NPS answers only.",
    )
    channel = forms.ChoiceField(required=False, choices=[("", "Any"), *Channel.choices])
    has_comment = forms.ChoiceField(
        required=False, choices=[("", "Either"), ("yes", "With a comment"), ("no", "Without")]
    )
    q = forms.CharField(required=False, max_length=200, label="Comment contains")
    region = forms.ChoiceField(required=False, choices=[("", "Any")])
    since = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        regions = Account.objects.exclude(region="").order_by("region").values_list("region", flat=True).distinct()
        self.fields["region"].choices = [("", "Any"), *((r, r) for r in regions)]  # type: ignore[attr-defined]


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def responses_matching(filters: dict[str, Any]) -> QuerySet[Response]:
    """Responses that pass every filter given (cleaned ResponseFilter data), newest first."""
    responses = Response.objects.select_related("survey", "wave", "customer__account", "theme")
    conditions = Q()
    if filters.get("survey"):
        conditions &= Q(survey=filters["survey"])
    if filters.get("wave"):
        conditions &= Q(wave__number=filters["wave"])
    if filters.get("score_min") is not None:
        conditions &= Q(score__gte=filters["score_min"])
    if filters.get("score_max") is not None:
        conditions &= Q(score__lte=filters["score_max"])
    if filters.get("category"):
        conditions &= Q(kind=SurveyKind.NPS) & scales.NPS_CATEGORIES[filters["category"]]
    if filters.get("channel"):
        conditions &= Q(channel=filters["channel"])
    if filters.get("has_comment"):
        conditions &= ~Q(comment="") if filters["has_comment"] == "yes" else Q(comment="")
    if filters.get("q"):
        conditions &= Q(comment__icontains=filters["q"])
    if filters.get("region"):
        conditions &= Q(customer__account__region=filters["region"])
    if filters.get("since"):
        conditions &= Q(answered_at__gte=_day_start(filters["since"]))
    if filters.get("until"):
        conditions &= Q(answered_at__lt=_day_start(filters["until"] + timedelta(days=1)))
    return responses.filter(conditions).order_by("-answered_at", "-id")


def csv_rows(responses: QuerySet[Response]) -> Iterator[tuple[Any, ...]]:
    """One tuple per response in CSV_HEADER order, streamed from the database in chunks."""
    rows = responses.values_list(
        "answered_at",
        "survey__name",
        "wave__number",
        "kind",
        "score",
        "channel",
        "customer_id",
        "customer__email",
        "customer__account__name",
        "customer__account__region",
        "comment",
        "sentiment",
        "theme__label",
    )
    for row in rows.iterator(chunk_size=2000):
        yield (row[0].isoformat(), *row[1:])
