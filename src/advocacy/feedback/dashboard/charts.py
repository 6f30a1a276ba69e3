"""The dashboard's charts, built server-side with plotly and handed to the page as JSON.

Each function returns a plain dict (``fig.to_json()`` parsed), which the template writes with
``json_script`` and the page draws with the plotly.js that ships in the plotly package.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import plotly.graph_objects as go

from advocacy.core.charts import BAND, LINE, SMALL_N, as_dict
from advocacy.feedback.dashboard.queries import ScoreCount, TrendPoint
from advocacy.feedback.stats import Estimate

COLOURS = {
    "promoter": "#1c7c43",
    "passive": "#a0a7b4",
    "detractor": "#b42318",
    "satisfied": "#1c7c43",
    "neutral": "#a0a7b4",
    "dissatisfied": "#b42318",
    "easy": "#1c7c43",
    "hard": "#b42318",
}
METRIC_RANGE = {"NPS": (-100, 100), "CSAT": (0, 100), "CES": (1, 7)}


def headline_chart(estimate: Estimate) -> dict[str, Any] | None:
    """The figure as a dot on its scale with its 95% interval as a bar."""
    if estimate.value is None or estimate.low is None or estimate.high is None:
        return None
    fig = go.Figure(
        go.Scatter(
            x=[estimate.value],
            y=[estimate.metric],
            mode="markers",
            marker={"size": 14, "color": LINE},
            error_x={
                "type": "data",
                "symmetric": False,
                "array": [estimate.high - estimate.value],
                "arrayminus": [estimate.value - estimate.low],
                "thickness": 3,
            },
            hovertemplate=f"%{{x:.1f}} (95% interval {estimate.low:.1f} to {estimate.high:.1f}, n = {estimate.n})"
            "<extra></extra>",
        )
    )
    fig.update_xaxes(range=METRIC_RANGE[estimate.metric], zeroline=True)
    return as_dict(fig, height=120)


def next_bucket(start: date, step: timedelta | None) -> date:
    return start + step if step else (start + timedelta(days=32)).replace(day=1)


def on_time_axis(points: list[TrendPoint]) -> list[tuple[Any, TrendPoint | None]]:
    """(x, point) for every week or month from the first answered one to the last, None where nobody
    answered, so an empty period shows as a gap in the line, not as a shortcut across it."""
    dated = [p for p in points if p.start is not None and p.estimate.value is not None]
    if len(dated) != len([p for p in points if p.estimate.value is not None]) or not dated:
        return [(p.label, p) for p in points if p.estimate.value is not None]  # waves: a category axis
    step = timedelta(days=7) if dated[0].label.startswith("week") else None
    by_start = {p.start: p for p in dated}
    filled: list[tuple[Any, TrendPoint | None]] = []
    cursor = dated[0].start
    while cursor is not None and cursor <= dated[-1].start:  # type: ignore[operator]
        filled.append((cursor.isoformat(), by_start.get(cursor)))
        cursor = next_bucket(cursor, step)
    return filled


def trend_chart(points: list[TrendPoint], link: Callable[[TrendPoint], str] | None = None) -> dict[str, Any] | None:
    """The estimate per bucket as a line on a real time axis, its 95% interval as a shaded band; empty
    periods are gaps, and points resting on fewer than 30 answers are hollow. ``link`` gives the page of
    the answers behind a point, opened by a click."""
    axis = on_time_axis(points)
    if not axis:
        return None
    x = [at for at, _ in axis]
    values = [p.estimate.value if p else None for _, p in axis]
    low = [(p.estimate.low if p.estimate.low is not None else p.estimate.value) if p else None for _, p in axis]
    high = [(p.estimate.high if p.estimate.high is not None else p.estimate.value) if p else None for _, p in axis]
    counts = [p.estimate.n if p else 0 for _, p in axis]
    labels = [p.label if p else "" for _, p in axis]
    metric = next(p for _, p in axis if p is not None).estimate.metric
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=x, y=high, mode="lines", line={"width": 0}, hoverinfo="skip", showlegend=False))
    fig.add_trace(
        go.Scatter(
            x=x,
            y=low,
            mode="lines",
            line={"width": 0},
            fill="tonexty",
            fillcolor=BAND,
            name="95% interval",
            hoverinfo="skip",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=x,
            y=values,
            customdata=[
                [link(p) if link and p else "", label, n, " (few answers: indicative)" if n < SMALL_N else ""]
                for (_, p), label, n in zip(axis, labels, counts, strict=True)
            ],
            mode="lines+markers",
            connectgaps=False,
            line={"color": LINE},
            marker={
                "symbol": ["circle-open" if n < SMALL_N else "circle" for n in counts],
                "size": 8,
                "color": LINE,
            },
            name=metric,
            hovertemplate="%{customdata[1]}: %{y:.1f} (n = %{customdata[2]})%{customdata[3]}<extra></extra>",
        )
    )
    fig.update_layout(showlegend=False)
    return as_dict(fig)


def distribution_chart(counts: list[ScoreCount]) -> dict[str, Any] | None:
    """Answers per point of the scale, coloured by category (detractor, passive, promoter …)."""
    if not any(c.count for c in counts):
        return None
    fig = go.Figure(
        go.Bar(
            x=[c.score for c in counts],
            y=[c.count for c in counts],
            marker={"color": [COLOURS.get(c.category, "#a0a7b4") for c in counts]},
            customdata=[c.category for c in counts],
            hovertemplate="score %{x}: %{y} answers (%{customdata})<extra></extra>",
        )
    )
    fig.update_xaxes(tickmode="linear", dtick=1, title_text="score")
    fig.update_yaxes(title_text="answers")
    return as_dict(fig)


SIGNIFICANT = {"▲": "#1c7c43", "▼": "#b42318"}


def interval_chart(rows: list[dict[str, Any]], *, metric: str, zero: float | None = None) -> dict[str, Any] | None:
    """One dot per row with its 95% interval as a bar, significant rows coloured (green above, red
    below the rest); a click on a dot opens the answers behind it (``url``, read by charts.js).

    Each row: label, value, low, high, n, mark ("▲", "▼" or ""), url.
    """
    shown = [r for r in rows if r["value"] is not None and r["low"] is not None and r["high"] is not None]
    if not shown:
        return None
    shown = list(reversed(shown))  # plotly draws the first category at the bottom
    fig = go.Figure(
        go.Scatter(
            x=[r["value"] for r in shown],
            y=[f"{r['label']} (n {r['n']})" for r in shown],
            mode="markers",
            marker={"size": 11, "color": [SIGNIFICANT.get(r["mark"], "#5b6475") for r in shown]},
            error_x={
                "type": "data",
                "symmetric": False,
                "array": [r["high"] - r["value"] for r in shown],
                "arrayminus": [r["value"] - r["low"] for r in shown],
                "thickness": 2,
            },
            customdata=[[r["url"], r["low"], r["high"]] for r in shown],
            hovertemplate="%{y}: %{x:.1f} (95% interval %{customdata[1]:.1f} to %{customdata[2]:.1f})"
            "<br>click to see these answers<extra></extra>",
        )
    )
    if zero is not None:
        fig.add_vline(x=zero, line={"color": "#d9dee7", "dash": "dot"})
    fig.update_xaxes(title={"text": metric})
    return as_dict(fig, height=max(160, 34 * len(shown) + 70))
