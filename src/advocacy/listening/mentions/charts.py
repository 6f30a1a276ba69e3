"""The listening dashboard's charts (plotly, drawn by the plotly.js the feedback dashboard serves)."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import plotly.graph_objects as go

from advocacy.listening.mentions.queries import Voice, WeekPoint


def volume_chart(points: list[WeekPoint], spikes: list[tuple[date, str, str]]) -> dict[str, Any] | None:
    """Mentions a week (bars), their mean sentiment (line), and each spike alert as a marker."""
    if not points:
        return None
    fig = go.Figure()
    weeks = [p.week for p in points]
    fig.add_bar(x=weeks, y=[p.mentions - p.negative for p in points], name="not negative", marker_color="#a0a7b4")
    fig.add_bar(x=weeks, y=[p.negative for p in points], name="negative", marker_color="#b42318")
    fig.add_scatter(
        x=weeks, y=[p.mean_sentiment for p in points], name="mean sentiment", yaxis="y2", line_color="#2256c7"
    )
    # One line and one label a week: alerts of the same week (volume and negative share, say) share it.
    labels: dict[date, list[str]] = {}
    for day, query, kind in spikes:
        labels.setdefault(day - timedelta(days=day.weekday()), []).append(f"{kind} spike: {query}")
    for week, texts in labels.items():
        fig.add_vline(x=week.isoformat(), line_dash="dot", line_color="#b42318")
        fig.add_annotation(
            x=week.isoformat(), y=1, yref="paper", text="<br>".join(texts), showarrow=False, font_size=10
        )
    fig.update_layout(
        barmode="stack",
        yaxis_title="mentions a week",
        yaxis2={"overlaying": "y", "side": "right", "range": [-1, 1], "title": "sentiment"},
        margin={"l": 40, "r": 40, "t": 20, "b": 40},
        height=320,
        plot_bgcolor="#fff",
    )
    return dict(json.loads(fig.to_json()))


def voice_chart(voices: list[Voice]) -> dict[str, Any] | None:
    if not voices or not any(v.mentions for v in voices):
        return None
    fig = go.Figure(
        go.Pie(labels=[f"{v.query} ({v.kind.lower()})" for v in voices], values=[v.mentions for v in voices], hole=0.4)
    )
    fig.update_layout(margin={"l": 10, "r": 10, "t": 10, "b": 10}, height=260)
    return dict(json.loads(fig.to_json()))
