"""The statistics behind the dashboard: exact values worked by hand, edge cases, and coverage by simulation."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats as sps

from advocacy.feedback.stats import (
    ces_difference,
    ces_estimate,
    csat_difference,
    csat_estimate,
    nps_difference,
    nps_estimate,
    nps_interval,
    sample_warning,
    verdict,
    wilson_interval,
)


def test_nps_of_60_promoters_25_passives_15_detractors_is_45_with_the_adjusted_wald_interval():
    # By hand: n' = 103, p' = 60.75/103 = 0.589806, d' = 15.75/103 = 0.152913, centre = 0.436893,
    # Var = (0.742718 − 0.436893²)/103 = 0.551842/103 = 0.0053577, 1.96·√Var = 0.143465,
    # interval = 0.436893 ± 0.143465 = [0.293428, 0.580358] → 29.34 to 58.04 points.
    estimate = nps_estimate(60, 25, 15)
    assert (estimate.n, estimate.promoters, estimate.passives, estimate.detractors) == (100, 60, 25, 15)
    assert estimate.nps == 45.0
    assert estimate.low == pytest.approx(29.3428, abs=1e-4)
    assert estimate.high == pytest.approx(58.0358, abs=1e-4)
    assert estimate.margin == pytest.approx(14.3465, abs=1e-4)
    assert estimate.warning is None


def test_no_answers_give_no_estimate_and_say_so():
    estimate = nps_estimate(0, 0, 0)
    assert estimate.n == 0
    assert (estimate.nps, estimate.low, estimate.high, estimate.margin) == (None, None, None, None)
    assert estimate.warning == "no answers"
    assert csat_estimate(0, 0).csat is None
    assert ces_estimate(0, 0, 0).mean is None


def test_all_promoters_is_100_and_the_interval_stays_inside_the_scale():
    # n' = 53, p' = 50.75/53 = 0.957547, d' = 0.75/53 = 0.014151, centre = 0.943396,
    # Var = (0.971698 − 0.889996)/53 = 0.0015416, 1.96·√Var = 0.076954 → [86.64, 101.03], clipped to 100.
    estimate = nps_estimate(50, 0, 0)
    assert estimate.nps == 100.0
    assert estimate.low == pytest.approx(86.6442, abs=1e-3)
    assert estimate.high == 100.0


def test_all_detractors_is_minus_100_and_the_interval_stays_inside_the_scale():
    estimate = nps_estimate(0, 0, 50)
    assert estimate.nps == -100.0
    assert estimate.low == -100.0
    assert estimate.high == pytest.approx(-86.6442, abs=1e-3)


def test_fewer_than_30_answers_are_flagged_as_indicative():
    assert nps_estimate(10, 9, 10).warning == "fewer than 30 answers: treat as indicative"
    assert nps_estimate(10, 10, 10).warning is None
    assert sample_warning(99, minimum=100) == "fewer than 100 answers: treat as indicative"


def test_csat_of_80_satisfied_in_100_has_the_wilson_interval():
    # By hand: z² = 3.8416, denominator 1.038416, centre = (0.8 + 0.019208)/1.038416 = 0.788917,
    # half-width = 1.96/1.038416·√(0.0016 + 0.00009604) = 0.077733 → 71.12 % to 86.66 %.
    estimate = csat_estimate(80, 100)
    assert estimate.csat == 80.0
    assert estimate.low == pytest.approx(71.1169, abs=1e-4)
    assert estimate.high == pytest.approx(86.6634, abs=1e-4)
    assert estimate.n == 100


def test_ces_of_scores_3_4_5_has_the_t_interval():
    # mean 4, s = 1, t(0.975, 2) = 4.302653, margin = 4.302653/√3 = 2.484138.
    estimate = ces_estimate(3, total=12, sum_of_squares=50)
    assert (estimate.mean, estimate.sd) == (4.0, 1.0)
    assert estimate.margin == pytest.approx(2.484138, abs=1e-6)
    assert (estimate.low, estimate.high) == pytest.approx((1.515862, 6.484138), abs=1e-6)


def test_a_single_ces_answer_has_a_mean_but_no_interval():
    estimate = ces_estimate(1, total=6, sum_of_squares=36)
    assert estimate.mean == 6.0
    assert estimate.low is None


def test_an_nps_rise_of_12_points_at_n_100_is_not_significant():
    # Var_a = 0.684749/103 = 0.0066481 (40/30/30), Var_b = 0.648553/103 = 0.0062967 (46/30/24),
    # SE = 100·√0.0129448 = 11.3775; adjusted centres 0.097087 and 0.213592 differ by 11.6505 points,
    # z = 11.6505/11.3775 = 1.0240, two-sided p = 0.3058. The reported difference is the raw 12 points.
    diff = nps_difference(nps_estimate(40, 30, 30), nps_estimate(46, 30, 24))
    assert diff.difference == 12.0
    assert diff.se == pytest.approx(11.3775, abs=1e-3)
    assert diff.p_value == pytest.approx(0.3058, abs=1e-3)
    assert not diff.significant
    assert verdict(diff) == "up 12 points, not significant at n = 100 vs 100 (p = 0.306)"


def test_a_large_nps_fall_is_significant_and_says_so():
    diff = nps_difference(nps_estimate(200, 100, 112), nps_estimate(150, 100, 148))
    assert diff.significant
    assert verdict(diff) == "down 20.9 points, significant (p < 0.001, n = 412 vs 398)"


def test_csat_difference_uses_the_pooled_two_proportion_z_test():
    # pooled 135/200 = 0.675, SE = √(0.675·0.325·(2/100)) = 0.066238, z = 0.15/0.066238 = 2.2646, p = 0.02354.
    diff = csat_difference(csat_estimate(60, 100), csat_estimate(75, 100))
    assert diff.difference == 15.0
    assert diff.statistic == pytest.approx(2.2646, abs=1e-3)
    assert diff.p_value == pytest.approx(0.02354, abs=1e-4)
    assert verdict(diff) == "up 15 percentage points, significant (p = 0.024, n = 100 vs 100)"


def test_ces_difference_is_welchs_t_test():
    # means 25/7 = 3.571 and 35/6 = 5.833: up 2.26 on the 1–7 scale.
    a_scores, b_scores = np.array([3, 4, 5, 4, 3, 2, 4]), np.array([5, 6, 6, 7, 5, 6])
    a = ces_estimate(len(a_scores), a_scores.sum(), (a_scores**2).sum())
    b = ces_estimate(len(b_scores), b_scores.sum(), (b_scores**2).sum())
    expected = sps.ttest_ind(b_scores, a_scores, equal_var=False)
    diff = ces_difference(a, b)
    assert diff.statistic == pytest.approx(expected.statistic)
    assert diff.p_value == pytest.approx(expected.pvalue)
    assert verdict(diff).startswith("up 2.26, significant")


def test_no_comparison_without_answers_on_one_side():
    diff = nps_difference(nps_estimate(0, 0, 0), nps_estimate(5, 5, 5))
    assert diff.difference is None
    assert verdict(diff) == "no comparison: no answers (n = 0 vs 15)"


def test_a_one_point_change_reads_in_the_singular():
    diff = nps_difference(nps_estimate(41, 30, 29), nps_estimate(42, 30, 28))
    assert verdict(diff).startswith("up 2 points")
    diff = nps_difference(nps_estimate(41, 30, 29), nps_estimate(41, 31, 28))
    assert verdict(diff).startswith("up 1 point,")


@pytest.mark.parametrize("n", [30, 100, 400])
@pytest.mark.parametrize("probabilities", [(0.5, 0.3, 0.2), (0.3, 0.4, 0.3), (0.8, 0.15, 0.05)])
def test_the_nps_interval_covers_the_true_nps_in_95_percent_of_samples(n, probabilities):
    rng = np.random.default_rng(20240501)
    draws = rng.multinomial(n, probabilities, size=4000)  # promoters, passives, detractors per sample
    low, high = nps_interval(draws[:, 0], draws[:, 2], n)
    true_nps = 100 * (probabilities[0] - probabilities[2])
    coverage = np.mean((low <= true_nps) & (true_nps <= high))
    assert 0.93 <= coverage <= 0.97


@pytest.mark.parametrize("n", [30, 100, 400])
def test_the_csat_interval_covers_the_true_share_in_95_percent_of_samples(n):
    rng = np.random.default_rng(7)
    satisfied = rng.binomial(n, 0.75, size=4000)
    low, high = wilson_interval(satisfied, n)
    assert 0.93 <= np.mean((low <= 0.75) & (high >= 0.75)) <= 0.97
