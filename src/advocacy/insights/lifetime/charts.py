"""The lifetime value distribution as a plotly bar chart (drawn by the plotly.js the package ships)."""

from __future__ import annotations

import json
from typing import Any

import plotly.graph_objects as go

from advocacy.insights.lifetime.queries import ValueBucket


def distribution_chart(buckets: list[ValueBucket], currency: str) -> dict[str, Any] | None:
    if not any(b.customers for b in buckets):
        return None
    fig = go.Figure(
        go.Bar(
            x=[f"{b.low:,.0f}–{b.high:,.0f}" for b in buckets],
            y=[b.customers for b in buckets],
            marker={"color": "#2256c7"},
            hovertemplate="%{x} " + currency + ": %{y} customers<extra></extra>",
        )
    )
    fig.update_xaxes(title_text=f"predicted value over the horizon ({currency})")
    fig.update_yaxes(title_text="customers")
    fig.update_layout(margin={"l": 50, "r": 10, "t": 10, "b": 80}, height=300, plot_bgcolor="#fff")
    return dict(json.loads(fig.to_json()))


def calibration_chart(rows: list[dict[str, Any]], holdout_days: int) -> dict[str, Any] | None:
    """Mean predicted against mean actual purchase days in the holdout, per calibration frequency."""
    if not rows:
        return None
    labels = [str(r["repeat_purchases"]) for r in rows]
    fig = go.Figure()
    for name, key, colour in (("actual", "actual", "#1c7c43"), ("predicted", "predicted", "#2256c7")):
        fig.add_trace(
            go.Scatter(
                x=labels,
                y=[r[key] for r in rows],
                customdata=[r["customers"] for r in rows],
                mode="lines+markers",
                name=name,
                line={"color": colour},
                hovertemplate=f"%{{x}} repeat purchase days: {name} %{{y:.2f}} (n = %{{customdata}})<extra></extra>",
            )
        )
    fig.update_xaxes(title_text="repeat purchase days before the holdout", type="category")
    fig.update_yaxes(title_text=f"purchase days in the {holdout_days} held-out days")
    fig.update_layout(
        margin={"l": 50, "r": 10, "t": 10, "b": 40},
        height=260,
        plot_bgcolor="#fff",
        legend={"orientation": "h", "y": -0.35},
    )
    return dict(json.loads(fig.to_json()))
