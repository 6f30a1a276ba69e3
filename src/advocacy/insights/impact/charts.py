"""The Impact page's charts, built server-side with plotly and drawn by the plotly.js in the package."""

from __future__ import annotations

import json
from collections import defaultdict
from decimal import Decimal
from typing import Any

import plotly.graph_objects as go

from advocacy.insights.attribution.queries import Attribution
from advocacy.insights.holdout.queries import Comparison
from advocacy.insights.roi.queries import RoiReport


def _as_dict(fig: go.Figure, height: int = 280) -> dict[str, Any]:
    fig.update_layout(margin={"l": 50, "r": 10, "t": 10, "b": 40}, height=height, plot_bgcolor="#fff")
    return dict(json.loads(fig.to_json()))


def revenue_by_source(found: Attribution, currency: str) -> dict[str, Any] | None:
    """Stacked bars: each channel's credited value per month, in one currency (others have their own table)."""
    series: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for line in found.won():
        if line.currency == currency:
            series[line.channel_label][line.month] += found.value(line)
    if not series:
        return None
    fig = go.Figure(
        [
            go.Bar(name=name, x=sorted(points), y=[float(points[m]) for m in sorted(points)])
            for name, points in series.items()
        ]
    )
    fig.update_layout(barmode="stack", yaxis_title=currency, legend={"orientation": "h"})
    return _as_dict(fig)


def cost_against_return(report: RoiReport) -> dict[str, Any] | None:
    if not report.by_month:
        return None
    months = [p.label for p in report.by_month]
    fig = go.Figure(
        [
            go.Bar(name="Program cost", x=months, y=[float(p.cost) for p in report.by_month], marker_color="#b42318"),
            go.Bar(
                name="Attributed gross profit",
                x=months,
                y=[float(p.gross_profit) for p in report.by_month],
                marker_color="#1c7c43",
            ),
            go.Bar(
                name="Stated savings (estimate)",
                x=months,
                y=[float(p.savings) for p in report.by_month],
                marker_color="#a0a7b4",
            ),
        ]
    )
    fig.update_layout(barmode="group", yaxis_title=report.currency, legend={"orientation": "h"})
    return _as_dict(fig)


def differences(comparisons: list[Comparison]) -> dict[str, Any] | None:
    """Each difference as a dot with its 95 % interval."""
    shown = [
        (c.metric, c.difference, c.low, c.high)
        for c in comparisons
        if c.difference is not None and c.low is not None and c.high is not None
    ]
    if not shown:
        return None
    fig = go.Figure(
        go.Scatter(
            x=[d for _, d, _, _ in shown],
            y=[m for m, _, _, _ in shown],
            mode="markers",
            error_x={
                "type": "data",
                "symmetric": False,
                "array": [high - d for _, d, _, high in shown],
                "arrayminus": [d - low for _, d, low, _ in shown],
            },
        )
    )
    fig.add_vline(x=0, line_dash="dot")
    return _as_dict(fig, height=60 + 50 * len(shown))
