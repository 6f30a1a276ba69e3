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
