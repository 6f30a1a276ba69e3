"""Charts several apps draw the same way: a funnel of stages and a share over months with its interval.

Built server-side with plotly and handed to the page as JSON (``json_script``), drawn by
feedback/static/feedback/charts.js. A point or stage whose first custom datum is a link opens the records
behind it when clicked; an empty link means the viewer may not open them (or there are none to list).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any

import plotly.graph_objects as go

from advocacy.core.proportions import share_with_interval

LINE = "#2256c7"
BAND = "rgba(34, 86, 199, 0.15)"
SMALL_N = 30  # under this many answers or cases a point is drawn hollow and its hover says so


def as_dict(fig: go.Figure, height: int = 260) -> dict[str, Any]:
    fig.update_layout(margin={"l": 40, "r": 10, "t": 10, "b": 40}, height=height, plot_bgcolor="#fff")
    return dict(json.loads(fig.to_json()))


@dataclass(frozen=True)
class FunnelStage:
    label: str
    count: int
    url: str = ""


def funnel_chart(stages: list[FunnelStage]) -> dict[str, Any] | None:
    """One bar per stage, widest first, each with its count and its share of the stage before."""
    if not stages or not any(s.count for s in stages):
        return None
    fig = go.Figure(
        go.Funnel(
            y=[s.label for s in stages],
            x=[s.count for s in stages],
            textinfo="value+percent previous",
            marker={"color": LINE},
            customdata=[[s.url] for s in stages],
            hovertemplate="%{y}: %{x:,}<br>%{percentPrevious:.0%} of the stage before"
            + "<extra>click to see them</extra>",
        )
    )
    return as_dict(fig, height=max(180, 46 * len(stages) + 40))


@dataclass(frozen=True)
class MonthShare:
    """One month of a share: ``hits`` of ``n`` (promises kept of cases opened, recurrences of cases)."""

    month: date
    hits: int
    n: int
    url: str = ""

    @property
    def share(self) -> tuple[float | None, float | None, float | None]:
        return share_with_interval(self.hits, self.n)


def share_trend_chart(months: list[MonthShare], *, measure: str) -> dict[str, Any] | None:
    """The share per month on a time axis, its 95% Wilson interval as a band; a month without cases is
    a gap, a month with fewer than 30 a hollow point. ``months`` lists every month, empty ones too;
    the axis starts at the first month with cases."""
    if not any(m.n for m in months):
        return None
    # The axis starts at the first month with cases: the months before the first case are not empty
    # periods of the record, they are before it.
    months = months[next(i for i, m in enumerate(months) if m.n) :]
    shares = [m.share for m in months]
    x = [m.month.isoformat() for m in months]
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(x=x, y=[s[2] for s in shares], mode="lines", line={"width": 0}, hoverinfo="skip", showlegend=False)
    )
    fig.add_trace(
        go.Scatter(
            x=x,
            y=[s[1] for s in shares],
            mode="lines",
            line={"width": 0},
            fill="tonexty",
            fillcolor=BAND,
            hoverinfo="skip",
            showlegend=False,
        )
    )
    fig.add_trace(
        go.Scatter(
            x=x,
            y=[s[0] for s in shares],
            mode="lines+markers",
            connectgaps=False,
            line={"color": LINE},
            marker={"symbol": ["circle-open" if m.n < SMALL_N else "circle" for m in months], "size": 8},
            customdata=[[m.url, m.hits, m.n, " (few cases: indicative)" if m.n < SMALL_N else ""] for m in months],
            hovertemplate=f"%{{x|%b %Y}}: %{{y:.1f}}% {measure} (%{{customdata[1]}} of %{{customdata[2]}})"
            "%{customdata[3]}<extra></extra>",
        )
    )
    fig.update_yaxes(range=[0, 100], title={"text": "%"})
    fig.update_layout(showlegend=False)
    return as_dict(fig)


def bar_chart(rows: list[tuple[str, int, str]], *, unit: str) -> dict[str, Any] | None:
    """Horizontal bars, largest on top: (label, count, url) per row."""
    if not rows:
        return None
    shown = list(reversed(rows))  # plotly draws the first category at the bottom
    fig = go.Figure(
        go.Bar(
            x=[n for _, n, _ in shown],
            y=[label for label, _, _ in shown],
            orientation="h",
            marker={"color": LINE},
            customdata=[[url] for _, _, url in shown],
            hovertemplate=f"%{{y}}: %{{x:,}} {unit}<extra></extra>",
        )
    )
    return as_dict(fig, height=max(160, 30 * len(rows) + 60))
