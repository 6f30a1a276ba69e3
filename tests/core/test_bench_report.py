"""`make bench` judges each figure against the goal its issue set; a reader trusts that verdict."""

from benchmarks.report import Report, at_least, at_most
from benchmarks.run import goals_summary


def test_a_figure_at_its_bound_meets_the_goal_and_one_below_does_not() -> None:
    report = Report()
    report.add("P3", "answers", 35.0, "answers/s", reference=100.0, goal=at_least(0.35))
    report.add("P3", "p99", 30.0, "ms", reference=10.0, goal=at_most(2.0))
    assert [f.met for f in report.figures] == [True, False]
    assert goals_summary(report) == "1 of 2 goals met; not met: P3: p99"


def test_a_fast_but_wrong_result_meets_no_goal() -> None:
    report = Report()
    figure = report.add("P4", "trend p50", 1.0, "ms", reference=100.0, goal=at_most(0.2, exact=False))
    assert figure.met is False


def test_an_unmeasured_figure_is_not_judged() -> None:
    report = Report()
    report.skip("P6", "embedding on cuda", "no GPU")
    assert report.figures[0].met is None
    assert goals_summary(report) == "no figure in these workloads has a goal"
