"""What a benchmark hands back: measured figures, each with the reference it is compared to."""

from __future__ import annotations

from dataclasses import dataclass, field

from rich.console import Console


def number(value: float) -> str:
    """Whole numbers from 10 up; two decimals below, so a 0.04 ms reference does not read as 0."""
    return f"{value:,.0f}" if abs(value) >= 10 else f"{value:,.2f}"


@dataclass(frozen=True)
class Figure:
    workload: str
    measure: str
    value: float | None
    unit: str
    reference: float | None = None
    reference_label: str = ""
    note: str = ""

    @property
    def ratio(self) -> float | None:
        if self.value is None or not self.reference:
            return None
        return self.value / self.reference


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
    ) -> Figure:
        figure = Figure(workload, measure, value, unit, reference, reference_label, note)
        self.figures.append(figure)
        shown = "—" if value is None else f"{number(value)} {unit}"
        self.say(f"[bold]{workload}[/bold] {measure}: {shown} {note}".rstrip())
        return figure

    def skip(self, workload: str, measure: str, reason: str) -> None:
        self.add(workload, measure, None, "", note=f"skipped: {reason}")

    def say(self, text: str) -> None:
        self.console.print(text)
