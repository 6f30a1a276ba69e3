"""On the demo company, retention by NPS group comes out in the order planted, and lifetime value is sane.

The generator draws each customer's churn from ``demo.retention.churn_chance`` of their latent
satisfaction, so promoters truly churn least and detractors most (``manifest["retention"]``). The
Kaplan–Meier curves by the NPS group of the latest answer must be ordered the same way, and the
log-rank test must find the difference. The demo is contractual (yearly renewals): every customer
who stays past their next anniversary renews, so the predicted purchases of the coming year must be
of the order of the planted renewals (BG/NBD is a non-contractual model; docs/insights.md
says why it under-predicts such data).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from django.db import transaction
from django.db.models import Sum

from advocacy.demo.generator import generate_company, read_manifest
from advocacy.insights.groups import grouping
from advocacy.insights.lifetime.services import lifetime_fit_run
from advocacy.insights.retention.queries import retention_comparison

TODAY = date(2025, 6, 30)


@pytest.fixture(scope="module")
def demo(
    tmp_path_factory: pytest.TempPathFactory, django_db_setup: None, django_db_blocker: Any
) -> Iterator[dict[str, Any]]:
    path = tmp_path_factory.mktemp("demo") / "manifest.json"
    with django_db_blocker.unblock(), transaction.atomic():
        generate_company(customers=2000, seed=11, today=TODAY, manifest_path=path)
        yield read_manifest(path)
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_the_planted_churn_chances_put_promoters_first_and_detractors_last(demo: dict[str, Any]) -> None:
    planted = demo["retention"]
    assert planted["nps_groups_from_least_to_most_churn"] == ["promoter", "passive", "detractor"]
    chances = planted["churn_chance_by_nps_group"]
    assert chances["promoter"] < chances["passive"] < chances["detractor"]


@pytest.mark.django_db
def test_retention_curves_by_nps_group_are_ordered_as_planted(demo: dict[str, Any]) -> None:
    result = retention_comparison(grouping("nps"), TODAY)
    curves = {g.group: g.curve for g in result.groups}
    horizon = 365
    survival = [curves[g].at(horizon) for g in demo["retention"]["nps_groups_from_least_to_most_churn"]]
    assert survival == sorted(survival, reverse=True), survival
    assert result.test is not None and result.test.p_value < 0.01


@pytest.mark.django_db
def test_predicted_purchases_next_year_are_of_the_order_of_the_planted_renewals(demo: dict[str, Any]) -> None:
    fits = {f.currency: f for f in lifetime_fit_run(as_of=TODAY)}
    for currency, renewals in demo["retention"]["renewals_next_year"].items():
        if currency not in fits or renewals < 100:
            continue
        predicted = fits[currency].predictions.aggregate(e=Sum("expected_purchases"))["e"]
        assert 0.5 * renewals <= predicted <= 1.5 * renewals, (currency, predicted, renewals)
        assert fits[currency].calibration_mae is not None
