"""On the demo company, the NPS dashboard's metrics recover the truths the generator planted.

The demo's latest wave invites a random share of the customers who are active and consent to
surveys, and its answers follow the response model of ``demo.truth``; so each segment's NPS in that
wave estimates the segment's expected NPS in the manifest (``survey_audience_nps``), which a 95%
interval should cover. The two years pooled are not compared with it: customers who have been with
the company longer answer more waves (and are happier, as planted), so the pooled answers lean
towards them.

The seed is fixed, so the test is deterministic. A 95% interval misses its truth one time in twenty,
so with six to eight segment intervals one miss is allowed; tests/feedback shows the coverage itself.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from django.db import transaction

from advocacy.demo import truth
from advocacy.demo.generator import generate_company, read_manifest
from advocacy.feedback.dashboard import queries as metrics
from advocacy.feedback.models import Survey

TODAY = date(2025, 6, 30)
CUSTOMERS = 1500  # about 200 answers in a wave: intervals of ±20–25 points by region
SEGMENTS = (("account__region", "by_region", "region"), ("account__size", "by_size", "size"))
ATTRIBUTE_GROUPS = {"Region": "region", "Account size": "size", "Industry": "industry"}


@pytest.fixture(scope="module")
def demo(
    tmp_path_factory: pytest.TempPathFactory, django_db_setup: None, django_db_blocker: Any
) -> Iterator[tuple[Survey, dict[str, Any]]]:
    """One demo company for the module (it takes seconds to make), rolled back afterwards."""
    path = tmp_path_factory.mktemp("demo") / "manifest.json"
    with django_db_blocker.unblock(), transaction.atomic():
        generate_company(customers=CUSTOMERS, seed=7, today=TODAY, manifest_path=path)
        yield Survey.objects.get(name="Relationship NPS"), read_manifest(path)
        transaction.set_rollback(True)


def latest_wave_start(survey: Survey) -> date:
    wave = survey.waves.order_by("-number").first()
    assert wave is not None
    return wave.opened_at.date()


@pytest.mark.django_db
def test_the_latest_wave_recovers_the_planted_nps_within_its_interval(demo: Any) -> None:
    survey, manifest = demo
    planted = manifest["survey_audience_nps"]
    since = latest_wave_start(survey)

    overall = metrics.nps_summary(survey, since=since)
    assert overall.n > 200
    assert overall.low <= planted["overall"] <= overall.high

    misses, checked = [], 0
    for field_name, key, _ in SEGMENTS:
        for row in metrics.segments(survey, field_name, since=since):
            if row.estimate.n < 30:
                continue  # too few answers for the interval to mean much (the page warns too)
            checked += 1
            expected = planted[key][row.label]["expected_nps"]
            if not row.estimate.low <= expected <= row.estimate.high:
                misses.append((row.label, expected, row.estimate))
    assert checked >= 5
    assert len(misses) <= 1, misses


@pytest.mark.django_db
def test_the_strongest_planted_driver_comes_out_on_top_with_its_sign(demo: Any) -> None:
    survey, _ = demo
    result = metrics.drivers(survey)

    # Comment themes are left out: the demo picks comments from the score, so a theme describes
    # the answer rather than causing it, and its coefficient says nothing about planted effects.
    attributes = [c for c in result.coefficients if c.group in ATTRIBUTE_GROUPS]
    top = max(attributes, key=lambda c: abs(c.coefficient))
    strongest = max(attributes, key=lambda c: abs(planted_effect(c.group, c.name, result.references)))
    assert (top.group, top.name) == (strongest.group, strongest.name) == ("Region", "APAC")
    assert top.coefficient < 0 and top.significant

    support = next(c for c in result.coefficients if c.group == "Support")
    assert support.coefficient < 0 and support.significant


def planted_effect(group: str, level: str, references: dict[str, str]) -> float:
    """The planted effect of a level against the regression's reference level of its group."""
    kind = ATTRIBUTE_GROUPS[group]
    return truth.EFFECTS.get(f"{kind}:{level}", 0.0) - truth.EFFECTS.get(f"{kind}:{references[group]}", 0.0)


def planted_driver(coefficient: metrics.Coefficient, references: dict[str, str]) -> float | None:
    """The planted effect a driver coefficient estimates, None where the demo plants none."""
    if coefficient.group in ATTRIBUTE_GROUPS:
        return planted_effect(coefficient.group, coefficient.name, references)
    if coefficient.group == metrics.FEATURE_GROUP:
        return truth.EFFECTS.get(f"feature:{coefficient.name}", 0.0)
    if coefficient.group == metrics.COMPETITOR_GROUP:
        return truth.EFFECTS["competitor_product_owned"]
    if coefficient.group == "Support":
        return truth.PER_UNIT_EFFECTS["support_contacts_per_month"]
    return None


@pytest.mark.django_db
def test_drivers_without_themes_recover_the_planted_effects(demo: Any) -> None:
    survey, _ = demo
    result = metrics.drivers(survey)
    assert not [c for c in result.coefficients if c.group == metrics.THEME_GROUP]

    plants = [(c, planted_driver(c, result.references)) for c in result.coefficients]
    checked = [(c, planted) for c, planted in plants if planted is not None]
    covered = [c for c, planted in checked if c.low <= planted <= c.high]
    # 95% intervals would cover about 21 of 22; selection (unhappy customers leave before answering),
    # scores clamped at 10 and contacts counted with Poisson noise pull some estimates towards zero.
    assert len(checked) >= 20
    assert len(covered) >= 0.75 * len(checked), [(c.group, c.name, c.coefficient) for c in checked]
    # Every planted effect of 0.4 points or more comes out with its sign.
    wrong_sign = [(c.name, c.coefficient, p) for c, p in checked if abs(p) >= 0.4 and c.coefficient * p <= 0]
    assert not wrong_sign
    analytics = next(c for c in result.coefficients if (c.group, c.name) == (metrics.FEATURE_GROUP, "analytics"))
    assert analytics.significant and analytics.coefficient > 0


@pytest.mark.django_db
def test_comment_themes_are_reported_apart_as_associations(demo: Any) -> None:
    survey, _ = demo
    themes = metrics.theme_associations(survey)

    assert themes.references == {metrics.THEME_GROUP: "no theme"}
    by_name = {c.name: c for c in themes.coefficients}
    assert by_name["Price went up at renewal"].high < 0  # a complaint goes with a lower score
    assert by_name["Easy to use and good value"].low > 0
