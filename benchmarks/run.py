"""Run the benchmarks and print one table: ``python benchmarks/run.py [p1 …] [--rows N]``.

Each ``benchmarks/p<N>_<name>.py`` module exposes ``run(report, rows=None)``; ``--rows`` scales a
workload down for a quick check (the recorded figures in docs/benchmarks.md use the defaults).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script, the benchmarks package is not importable yet
    sys.path.insert(0, str(ROOT))

from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

from benchmarks.report import Report, number  # noqa: E402


def discover(chosen: list[str]) -> list[ModuleType]:
    """Workload modules in name order, limited to those whose name starts with a chosen prefix."""
    names = sorted(path.stem for path in (ROOT / "benchmarks").glob("p*_*.py"))
    if chosen:
        names = [n for n in names if any(n == c or n.startswith(f"{c}_") for c in chosen)]
    return [importlib.import_module(f"benchmarks.{name}") for name in names]


def results_table(report: Report) -> Table:
    table = Table(title="Advocacy benchmarks")
    for column, justify in (
        ("workload", "left"),
        ("measure", "left"),
        ("figure", "right"),
        ("unit", "left"),
        ("reference", "right"),
        ("ratio", "right"),
        ("goal", "right"),
        ("met", "left"),
    ):
        table.add_column(column, justify=justify)  # type: ignore[arg-type]
    for f in report.figures:
        figure = f.note if f.value is None else number(f.value)
        reference = f"{number(f.reference)} ({f.reference_label})" if f.reference else ""
        ratio = f"{f.ratio:.2f}" if f.ratio is not None else ""
        goal = str(f.goal) if f.goal else ""
        table.add_row(f.workload, f.measure, figure, f.unit, reference, ratio, goal, verdict(f.met))
    return table


def verdict(met: bool | None) -> str:
    return {True: "met", False: "NOT met", None: ""}[met]


def goals_summary(report: Report) -> str:
    """One line under the table: how many goals were met, and which were not."""
    judged = [f for f in report.figures if f.met is not None]
    if not judged:
        return "no figure in these workloads has a goal"
    missed = [f"{f.workload}: {f.measure}" for f in judged if not f.met]
    line = f"{len(judged) - len(missed)} of {len(judged)} goals met"
    return line + ("; not met: " + "; ".join(missed) if missed else "")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("workloads", nargs="*", help="prefixes such as p1; all when none are given")
    parser.add_argument("--rows", type=int, default=None, help="scale the workloads down (or up)")
    args = parser.parse_args(argv)
    modules = discover(args.workloads)
    if not modules:
        parser.error(f"no benchmark matches {' '.join(args.workloads)}")
    report = Report()
    for module in modules:
        module.run(report, rows=args.rows)
    console = Console()
    console.width = max(console.width, 110)  # one row per figure, even in a narrow log
    console.print(results_table(report))
    console.print(goals_summary(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
