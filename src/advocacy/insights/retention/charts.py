"""The retention page's charts, built server-side with plotly and drawn by the plotly.js the package ships."""

from __future__ import annotations

import json
from typing import Any

import plotly.graph_objects as go

from advocacy.insights.retention.queries import ChurnPeriod, CohortRow, Comparison, RevenueRetentionTable

PALETTE = ("#1c7c43", "#a0a7b4", "#b42318", "#2256c7", "#b54708", "#6941c6", "#0e9384", "#c11574")


def as_dict(fig: go.Figure, height: int = 320) -> dict[str, Any]:
    fig.update_layout(margin={"l": 50, "r": 10, "t": 10, "b": 40}, height=height, plot_bgcolor="#fff")
    return dict(json.loads(fig.to_json()))


def band_colour(hex_colour: str) -> str:
    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r}, {g}, {b}, 0.15)"


def survival_chart(comparison: Comparison) -> dict[str, Any] | None:
    """One step curve per group with its 95% band; hover shows S(t) and n at risk."""
    if not comparison.groups:
        return None
    fig = go.Figure()
    for i, g in enumerate(comparison.groups):
        colour = PALETTE[i % len(PALETTE)]
        c = g.curve
        days = c.times.tolist()
        fig.add_trace(
            go.Scatter(
                x=days,
                y=c.high.tolist(),
                mode="lines",
                line={"width": 0, "shape": "hv"},
                hoverinfo="skip",
                showlegend=False,
                legendgroup=g.group,
            )
        )
        fig.add_trace(
            go.Scatter(
                x=days,
                y=c.low.tolist(),
                mode="lines",
                line={"width": 0, "shape": "hv"},
                fill="tonexty",
                fillcolor=band_colour(colour),
                hoverinfo="skip",
                showlegend=False,
                legendgroup=g.group,
            )
        )
        fig.add_trace(
            go.Scatter(
                x=days,
                y=c.survival.tolist(),
                customdata=c.at_risk.tolist(),
                mode="lines",
                line={"color": colour, "shape": "hv"},
                name=f"{g.label} (n = {c.n})",
                legendgroup=g.group,
                hovertemplate="day %{x}: %{y:.3f} still customers (at risk %{customdata})<extra>"
                + g.label
                + "</extra>",
            )
        )
    fig.update_xaxes(title_text="days since becoming a customer")
    fig.update_yaxes(title_text="share still a customer", range=[0, 1.02])
    fig.update_layout(legend={"orientation": "h", "y": -0.25})
    return as_dict(fig, height=380)


def churn_chart(periods: list[ChurnPeriod]) -> dict[str, Any] | None:
    shown = [p for p in periods if p.rate is not None]
    if not shown:
        return None
    fig = go.Figure(
        go.Bar(
            x=[f"{p.start:%Y-%m}" for p in shown],
            y=[100 * (p.rate or 0) for p in shown],
            customdata=[[p.churned, p.active_at_start] for p in shown],
            marker={"color": "#b42318"},
            hovertemplate="%{x}: %{y:.1f}% (%{customdata[0]} of %{customdata[1]})<extra></extra>",
        )
    )
    fig.update_yaxes(title_text="churned, % of active at start")
    return as_dict(fig, height=260)


def heatmap_chart(rows: list[CohortRow], step_label: str) -> dict[str, Any] | None:
    if not rows:
        return None
    steps = len(rows[0].retained)
    fig = go.Figure(
        go.Heatmap(
            z=[[None if v is None else round(100 * v, 1) for v in r.retained] for r in rows],
            x=[f"{step_label} {k}" for k in range(1, steps + 1)],
            y=[f"{r.cohort} (n = {r.customers})" for r in rows],
            colorscale="Greens",
            zmin=0,
            zmax=100,
            hovertemplate="%{y}, %{x}: %{z}% still customers<extra></extra>",
        )
    )
    fig.update_yaxes(autorange="reversed")
    return as_dict(fig, height=max(240, 28 * len(rows) + 80))


def revenue_chart(table: RevenueRetentionTable) -> dict[str, Any] | None:
    """GRR and NRR of each cohort in the latest trailing year, against the 100 % line."""
    if not table.years:
        return None
    latest = table.years[-1]
    rows = [r for r in table.rows if r.year_start == latest and r.grr is not None]
    if not rows:
        return None
    cohorts = [str(r.cohort) for r in rows]
    fig = go.Figure()
    for name, values, colour in (
        ("GRR", [100 * (r.grr or 0) for r in rows], "#a0a7b4"),
        ("NRR", [100 * (r.nrr or 0) for r in rows], "#2256c7"),
    ):
        fig.add_trace(
            go.Bar(
                x=cohorts,
                y=values,
                name=name,
                marker={"color": colour},
                customdata=[r.customers for r in rows],
                hovertemplate=f"cohort %{{x}}: {name} %{{y:.1f}}% (n = %{{customdata}})<extra></extra>",
            )
        )
    fig.add_hline(y=100, line={"dash": "dot", "color": "#555"})
    fig.update_xaxes(title_text=f"start year (year from {latest:%Y-%m-%d})", type="category")
    fig.update_yaxes(title_text="% of the year before")
    fig.update_layout(barmode="group", legend={"orientation": "h", "y": -0.3})
    return as_dict(fig, height=280)
