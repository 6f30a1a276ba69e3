"""What a benchmark hands back: measured figures, each with the reference it is compared to."""

from __future__ import annotations

from dataclasses import dataclass, field

from rich.console import Console


def number(value: float) -> str:
    """Whole numbers from 10 up; two decimals below, so a 0.04 ms reference does not read as 0."""
    return f"{value:,.0f}" if abs(value) >= 10 else f"{value:,.2f}"


@dataclass(frozen=True)
class Goal:
    """What an issue asks of a figure's ratio to its reference: at least (or at most) ``bound``.

    ``exact`` is False where the figure's correctness check failed: a fast wrong answer meets nothing.
    """

    bound: float
    at_most: bool = False
    exact: bool = True

    def met(self, ratio: float | None) -> bool | None:
        if ratio is None:
            return None
        if not self.exact:
            return False
        return ratio <= self.bound if self.at_most else ratio >= self.bound

    def __str__(self) -> str:
        return f"{'≤' if self.at_most else '≥'} {self.bound:g}×"


def at_least(bound: float, *, exact: bool = True) -> Goal:
    return Goal(bound, at_most=False, exact=exact)


def at_most(bound: float, *, exact: bool = True) -> Goal:
    return Goal(bound, at_most=True, exact=exact)


@dataclass(frozen=True)
class Figure:
    workload: str
    measure: str
    value: float | None
    unit: str
    reference: float | None = None
    reference_label: str = ""
    note: str = ""
    goal: Goal | None = None

    @property
    def ratio(self) -> float | None:
        if self.value is None or not self.reference:
            return None
        return self.value / self.reference

    @property
    def met(self) -> bool | None:
        """Whether the figure meets its goal; None where it has no goal or nothing was measured."""
        return None if self.goal is None else self.goal.met(self.ratio)


@dataclass
class Report:
    """Collects figures while the workloads run; ``say`` prints progress as it happens."""

    console: Console = field(default_factory=lambda: Console(stderr=True, highlight=False))
    figures: list[Figure] = field(default_factory=list)

    def add(
        self,
        workload: str,
        measure: str,
        value: float | None,
        unit: str,
        *,
        reference: float | None = None,
        reference_label: str = "",
        note: str = "",
        goal: Goal | None = None,
    ) -> Figure:
        figure = Figure(workload, measure, value, unit, reference, reference_label, note, goal)
        self.figures.append(figure)
        shown = "—" if value is None else f"{number(value)} {unit}"
        self.say(f"[bold]{workload}[/bold] {measure}: {shown} {note}".rstrip())
        return figure

    def skip(self, workload: str, measure: str, reason: str) -> None:
        self.add(workload, measure, None, "", note=f"skipped: {reason}")

    def say(self, text: str) -> None:
        self.console.print(text)
