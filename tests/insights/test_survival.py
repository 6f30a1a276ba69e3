"""Kaplan–Meier, Greenwood and the log-rank test against a computation done by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from advocacy.insights.retention.survival import Z95, greenwood_variance, kaplan_meier, log_rank

# Group A: churned on day 1 and day 3, still a customer when last seen on day 4.
# Group B: churned on day 2, last seen on day 3, churned on day 5.
A = ([1, 3, 4], [1, 1, 0])
B = ([2, 3, 5], [1, 0, 1])


def test_kaplan_meier_of_a_small_group_equals_the_hand_computation():
    curve = kaplan_meier(*A)
    # day 1: 3 at risk, 1 churns → 2/3; day 3: 2 at risk, 1 churns → 2/3 · 1/2; day 4: censored, no step down.
    assert curve.times.tolist() == [0, 1, 3, 4]
    assert curve.survival == pytest.approx([1, 2 / 3, 1 / 3, 1 / 3])
    assert curve.at_risk.tolist() == [3, 3, 2, 1]
    assert curve.events.tolist() == [0, 1, 1, 0]
    assert curve.censored.tolist() == [0, 0, 0, 1]
    assert (curve.n, curve.churned) == (3, 2)
    assert curve.at(2.5) == pytest.approx(2 / 3)


def test_greenwood_variance_and_the_log_log_band_equal_the_hand_computation():
    curve = kaplan_meier(*A)
    # Var S(1) = (2/3)² · 1/(3·2) = 2/27; Var S(3) = (1/3)² · (1/6 + 1/(2·1)) = 2/27.
    assert greenwood_variance(curve)[1:3] == pytest.approx([2 / 27, 2 / 27])
    s = 2 / 3
    theta = math.sqrt(1 / 6) / abs(math.log(s))
    assert curve.low[1] == pytest.approx(s ** math.exp(Z95 * theta))
    assert curve.high[1] == pytest.approx(s ** math.exp(-Z95 * theta))
    assert curve.low[1] < s < curve.high[1]


def test_log_rank_of_two_small_groups_equals_the_hand_computation():
    durations, events = A[0] + B[0], A[1] + B[1]
    test = log_rank(durations, events, ["a"] * 3 + ["b"] * 3)
    # Churn days 1, 2, 3, 5 with (n_a, n) = (3, 6), (2, 5), (2, 4), (0, 1):
    # E_a = 1/2 + 2/5 + 1/2 + 0 = 1.4 against O_a = 2;
    # V = 1·5/5·(1/2)(1/2) + 1·4/4·(2/5)(3/5) + 1·3/3·(1/2)(1/2) + 0 = 0.74.
    assert test.observed.tolist() == [2, 2]
    assert test.expected == pytest.approx([1.4, 2.6])
    assert test.chi_square == pytest.approx(0.6**2 / 0.74)
    assert test.degrees_of_freedom == 1
    assert test.p_value == pytest.approx(stats.chi2.sf(0.6**2 / 0.74, 1))
    assert not test.significant


def test_log_rank_finds_a_real_difference_and_names_its_degrees_of_freedom():
    rng = np.random.default_rng(7)
    fast, slow, mid = rng.exponential(100, 400), rng.exponential(400, 400), rng.exponential(200, 400)
    durations = np.concatenate([fast, slow, mid])
    test = log_rank(np.minimum(durations, 365), (durations < 365).astype(int), np.repeat(["f", "s", "m"], 400))
    assert test.degrees_of_freedom == 2
    assert test.p_value < 1e-6


@pytest.mark.parametrize(
    ("durations", "events", "message"),
    [
        ([1, -2], [1, 0], "zero or positive"),
        ([1, 2], [1, 2], "events must be 0"),
        ([1, 2, 3], [1, 0], "same length"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(durations, events, message):
    with pytest.raises(ValueError, match=message):
        kaplan_meier(durations, events)


def test_log_rank_needs_two_groups():
    with pytest.raises(ValueError, match="at least two groups"):
        log_rank([1, 2], [1, 1], ["a", "a"])
