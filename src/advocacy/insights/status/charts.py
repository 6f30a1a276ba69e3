"""NPS and gross margin per customer by advocacy status, as dots with their 95% intervals."""

from __future__ import annotations

import json
from typing import Any

import plotly.graph_objects as go

from advocacy.insights.status.queries import StatusTable


def estimate_chart(tables: list[StatusTable], metric: str) -> dict[str, Any] | None:
    """metric: "nps" or "margin"; one dot per group with its interval, n in the hover."""
    names, values, lows, highs, ns = [], [], [], [], []
    for table in tables:
        for row in table.rows:
            e = row.nps if metric == "nps" else row.margin
            value = e.nps if metric == "nps" else e.mean  # type: ignore[union-attr]
            if value is None or e.low is None or e.high is None:
                continue
            names.append(row.label)
            values.append(value)
            lows.append(value - e.low)
            highs.append(e.high - value)
            ns.append(e.n)
    if not names:
        return None
    fig = go.Figure(
        go.Scatter(
            x=values,
            y=names,
            customdata=ns,
            mode="markers",
            marker={"size": 11, "color": "#2256c7"},
            error_x={"type": "data", "symmetric": False, "array": highs, "arrayminus": lows, "thickness": 2},
            hovertemplate="%{y}: %{x:.1f} (n = %{customdata})<extra></extra>",
        )
    )
    fig.update_xaxes(title_text="NPS" if metric == "nps" else "gross margin per customer")
    fig.update_yaxes(autorange="reversed")
    fig.update_layout(margin={"l": 120, "r": 10, "t": 10, "b": 40}, height=60 + 28 * len(names), plot_bgcolor="#fff")
    return dict(json.loads(fig.to_json()))
