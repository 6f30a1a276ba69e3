"""The demo's money side: the Impact page recovers the planted ROI and the holdout's planted effect."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from advocacy.demo.generator import generate_company
from advocacy.insights.attribution.model import stored_models
from advocacy.insights.holdout.queries import holdout_comparison
from advocacy.insights.roi.queries import roi_report

TODAY = date(2025, 6, 30)

pytestmark = pytest.mark.django_db


@pytest.fixture
def manifest(tmp_path: Path, settings) -> dict:  # type: ignore[no-untyped-def]
    settings.VAR_DIR = tmp_path
    summary = generate_company(customers=2500, seed=11, today=TODAY, manifest_path=tmp_path / "m.json")
    return dict(json.loads(summary.manifest_path.read_text())["impact"])


def test_the_reported_roi_and_the_holdout_recover_what_was_planted(manifest, client_as):
    """One demo company for both checks: generating it is the slow part."""
    period = manifest["money_period"]
    report = roi_report(since=date.fromisoformat(period["since"]), until=TODAY, models=stored_models(), currency="USD")
    planted = manifest["true_roi_default_model"]
    assert report.total.cost == pytest.approx(manifest["program_cost_usd"])
    assert report.total.roi == pytest.approx(planted, rel=0.10)
    assert manifest["program_cost_two_years_usd"] > manifest["program_cost_usd"] > 0
    assert manifest["referral_sourced_revenue_usd"] > 0 and manifest["reference_won_revenue_usd"] > 0
    assert "left out" in report.conversion_note()  # EUR and GBP orders: no rate entered in the demo
    experiment = manifest["holdout_experiment"]
    revenue, retention, _ = holdout_comparison(window_days=365, currency="USD", today=TODAY)
    assert (revenue.treated.n, revenue.control.n) == (experiment["n_invited"], experiment["n_holdout"])
    assert revenue.low <= experiment["true_revenue_effect_usd_per_customer"] <= revenue.high
    assert retention.low <= experiment["true_retention_effect"] <= retention.high
    assert revenue.label == "causal"
    page = client_as("program_manager").get("/insights/impact/?until=2025-06-30&window_days=365").content.decode()
    assert f"n = {experiment['n_invited']} vs {experiment['n_holdout']}" in page
    assert "CAUSAL" in page and "ASSOCIATION, not an effect" in page
