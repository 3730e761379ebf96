"""The report as one self-contained HTML file: plotly.js inline, styles inline, no network.

Each chart sits in `<section class="chart" data-chart=NAME data-points=N>`, N being the rows
behind it, so a test (or a person) can check every chart has data without a browser. Places are
drawn on longitude/latitude axes, not on map tiles or a downloaded world outline: the file must
open offline, so countries also come as bars.
"""

from __future__ import annotations

import html
import json
from datetime import UTC, datetime
from typing import Any

import plotly.graph_objects as go
from plotly.offline import get_plotlyjs

from tasks.report.data import ReportData, ReportFilter, Rows

QUAD_COLOURS = {
    "verbal cooperation": "#4c9f70",
    "material cooperation": "#1b6b3a",
    "verbal conflict": "#e0a030",
    "material conflict": "#c0392b",
}
_STYLE = """
body { font-family: system-ui, -apple-system, 'Segoe UI', sans-serif; margin: 0; color: #222;
       background: #f6f7f9; }
header { background: #1f2a44; color: #fff; padding: 18px 28px; }
header h1 { margin: 0 0 4px 0; font-size: 22px; }
header p { margin: 0; opacity: .8; font-size: 13px; }
.totals { display: flex; gap: 12px; padding: 14px 28px; flex-wrap: wrap; }
.totals div { background: #fff; border-radius: 6px; padding: 8px 16px; box-shadow: 0 1px 2px #0002; }
.totals b { display: block; font-size: 20px; }
main { display: grid; grid-template-columns: repeat(auto-fit, minmax(560px, 1fr)); gap: 16px;
       padding: 0 28px 28px 28px; }
section.chart { background: #fff; border-radius: 6px; padding: 10px 14px;
                box-shadow: 0 1px 2px #0002; min-width: 0; }
section.chart h2 { font-size: 15px; margin: 4px 0 8px 0; }
section.chart p.empty { color: #888; font-style: italic; }
table { border-collapse: collapse; width: 100%; font-size: 12.5px; }
th, td { text-align: left; padding: 4px 6px; border-bottom: 1px solid #eee; vertical-align: top; }
th { color: #555; font-weight: 600; }
"""


def _layout(fig: go.Figure, height: int = 340, left: int = 40, **kw: Any) -> go.Figure:
    fig.update_layout(
        height=height,
        margin={"l": left, "r": 28, "t": 34, "b": 40},  # the top strip holds plotly's toolbar
        template="plotly_white",
        legend={"orientation": "h", "y": -0.2},
        **kw,
    )
    return fig


def _figure_html(fig: go.Figure, name: str) -> str:
    return str(
        fig.to_html(
            full_html=False,
            include_plotlyjs=False,
            div_id=f"chart-{name}",
            config={"displaylogo": False, "responsive": True, "displayModeBar": "hover"},
        )
    )


def _section(name: str, title: str, points: int, body: str) -> str:
    inner = body if points else '<p class="empty">nothing to show for this selection</p>'
    return (
        f'<section class="chart" data-chart="{name}" data-points="{points}">'
        f"<h2>{html.escape(title)}</h2>{inner}</section>"
    )


def _table(rows: Rows, columns: list[tuple[str, str]]) -> str:
    def cell(v: Any) -> str:
        if isinstance(v, list | tuple):
            v = ", ".join(str(x) for x in v)
        elif isinstance(v, datetime):
            v = v.strftime("%Y-%m-%d %H:%M")
        return html.escape("" if v is None else str(v))

    head = "".join(f"<th>{html.escape(t)}</th>" for _, t in columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{cell(r.get(k))}</td>" for k, _ in columns) + "</tr>" for r in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _mentions(d: ReportData) -> str:
    fig = go.Figure()
    for entity in sorted({r["entity"] for r in d.mentions_over_time}):
        rows = [r for r in d.mentions_over_time if r["entity"] == entity]
        fig.add_trace(
            go.Scatter(
                x=[r["day"] for r in rows],
                y=[r["mentions"] for r in rows],
                name=entity,
                mode="lines+markers",
            )
        )
    return _section(
        "mentions",
        "Mentions of the top entities over time",
        len(d.mentions_over_time),
        _figure_html(_layout(fig, yaxis_title="mentions"), "mentions"),
    )


def _timeline(d: ReportData) -> str:
    fig = go.Figure()
    for quad, colour in QUAD_COLOURS.items():
        rows = [r for r in d.events_timeline if r["quad_class"] == quad]
        if rows:
            fig.add_trace(
                go.Bar(
                    x=[r["day"] for r in rows],
                    y=[r["events"] for r in rows],
                    name=quad,
                    marker_color=colour,
                )
            )
    return _section(
        "events",
        "Coded events over time, by PLOVER quad class",
        len(d.events_timeline),
        _figure_html(_layout(fig, barmode="stack", yaxis_title="events"), "events"),
    )


def _pairs(d: ReportData) -> str:
    rows = list(reversed(d.actor_target))
    fig = go.Figure(
        go.Bar(
            x=[r["events"] for r in rows],
            y=[f"{r['actor']} → {r['target']}" for r in rows],
            orientation="h",
            marker_color="#3b6ea5",
            hovertext=[r["category"] for r in rows],
        )
    )
    height = max(260, 26 * len(rows) + 60)
    return _section(
        "pairs",
        "Top actor → target pairs (coded events)",
        len(d.actor_target),
        _figure_html(_layout(fig, height=height, left=260), "pairs"),
    )


def _network(d: ReportData) -> str:
    pos = {n["name"]: (n["x"], n["y"]) for n in d.network_nodes}
    fig = go.Figure()
    top = max((e["sentences"] for e in d.network_edges), default=1)
    for e in d.network_edges:
        (x0, y0), (x1, y1) = pos[e["a"]], pos[e["b"]]
        fig.add_trace(
            go.Scatter(
                x=[x0, x1],
                y=[y0, y1],
                mode="lines",
                line={"width": 0.5 + 4 * e["sentences"] / top, "color": "#8899bb"},
                hoverinfo="text",
                text=f"{e['a']} – {e['b']}: {e['sentences']} sentences",
                showlegend=False,
            )
        )
    colours = {"PERSON": "#c0392b", "ORG": "#2c7fb8", "GPE": "#4c9f70"}
    for label, colour in colours.items():
        nodes = [n for n in d.network_nodes if n["label"] == label]
        if nodes:
            fig.add_trace(
                go.Scatter(
                    x=[n["x"] for n in nodes],
                    y=[n["y"] for n in nodes],
                    mode="markers+text",
                    text=[n["name"] for n in nodes],
                    textposition="top center",
                    marker={"size": [8 + 3 * n["articles"] for n in nodes], "color": colour},
                    name=label,
                )
            )
    axis = {"visible": False, "range": [-1.4, 1.4]}
    return _section(
        "network",
        "Entity co-occurrence network (named in the same sentence)",
        len(d.network_edges),
        _figure_html(_layout(fig, height=460, xaxis=axis, yaxis=axis), "network"),
    )


def _places(d: ReportData) -> str:
    fig = go.Figure(
        go.Scatter(
            x=[r["lon"] for r in d.places],
            y=[r["lat"] for r in d.places],
            mode="markers+text",
            text=[r["name"] if i < 15 else "" for i, r in enumerate(d.places)],  # the top 15
            textposition="top center",
            marker={
                "size": [8 + 4 * min(r["mentions"], 10) for r in d.places],
                "color": "#c0392b",
                "opacity": 0.7,
            },
            hovertext=[
                f"{r['name']} ({r['country_code']}, {r['kind']}): {r['mentions']}" for r in d.places
            ],
        )
    )
    _layout(
        fig,
        xaxis={"range": [-180, 180], "title": "longitude", "dtick": 30, "zeroline": False},
        yaxis={"range": [-60, 80], "title": "latitude", "dtick": 20, "scaleanchor": "x"},
    )
    return _section(
        "places",
        "Places named (longitude / latitude; no map tiles offline)",
        len(d.places),
        _figure_html(fig, "places"),
    )


def _countries(d: ReportData) -> str:
    rows = list(reversed(d.countries))
    fig = go.Figure(
        go.Bar(
            x=[r["mentions"] for r in rows],
            y=[r["country_code"] for r in rows],
            orientation="h",
            marker_color="#4c9f70",
            hovertext=[f"{r['articles']} articles" for r in rows],
        )
    )
    return _section(
        "countries",
        "Countries by mentions of their places",
        len(d.countries),
        _figure_html(_layout(fig, height=max(260, 22 * len(rows) + 60)), "countries"),
    )


def _stories(d: ReportData) -> str:
    rows = list(reversed(d.stories))
    fig = go.Figure(
        go.Bar(
            x=[r["article_count"] for r in rows],
            y=[(r["title"] or "")[:60] for r in rows],
            orientation="h",
            marker_color="#7b5ea7",
            hovertext=[", ".join(r["sources"] or ()) for r in rows],
        )
    )
    chart = _figure_html(
        _layout(fig, height=max(240, 26 * len(rows) + 60), left=360),
        "stories",
    )
    table = _table(
        d.stories,
        [
            ("title", "story"),
            ("article_count", "articles"),
            ("source_count", "outlets"),
            ("sources", "which"),
            ("top_entities", "who and where"),
        ],
    )
    return _section("stories", "Biggest stories and their outlets", len(d.stories), chart + table)


def _health(d: ReportData) -> str:
    fig = go.Figure(
        go.Bar(
            x=[r["source"] for r in d.sources],
            y=[r["articles"] for r in d.sources],
            name="articles",
            marker_color="#2c7fb8",
        )
    )
    fig.add_trace(
        go.Bar(
            x=[r["source"] for r in d.sources],
            y=[r["open_failures"] for r in d.sources],
            name="open failures",
            marker_color="#c0392b",
        )
    )
    failures = (
        _table(
            d.failures,
            [
                ("source", "source"),
                ("stage", "stage"),
                ("error_type", "error"),
                ("failures", "failures"),
                ("open", "open"),
            ],
        )
        if d.failures
        else "<p>No failures recorded.</p>"
    )
    return _section(
        "sources",
        "Source health and failures",
        len(d.sources),
        _figure_html(_layout(fig, height=280, barmode="group"), "sources") + failures,
    )


def render_report(d: ReportData, flt: ReportFilter, warehouse: str) -> str:
    """The whole report page."""
    chosen = []
    if flt.since:
        chosen.append(f"since {flt.since.isoformat()}")
    if flt.source:
        chosen.append(f"source {flt.source}")
    subtitle = (
        f"{html.escape(warehouse)} · {', '.join(chosen) or 'all articles'} · generated "
        f"{datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}"
    )
    totals = "".join(
        f"<div><b>{v:,}</b>{html.escape(k.replace('_', ' '))}</div>" for k, v in d.totals.items()
    )
    sections = [
        _mentions(d),
        _timeline(d),
        _pairs(d),
        _network(d),
        _places(d),
        _countries(d),
        _stories(d),
        _health(d),
    ]
    meta = json.dumps({"filter": chosen, "totals": d.totals})
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        "<title>newsflow report</title>"
        f"<style>{_STYLE}</style>"
        f'<script type="text/javascript">{get_plotlyjs()}</script>'
        f'<script type="application/json" id="report-meta">{meta}</script>'
        "</head><body>"
        f"<header><h1>newsflow report</h1><p>{subtitle}</p></header>"
        f'<div class="totals">{totals}</div>'
        f"<main>{''.join(sections)}</main></body></html>\n"
    )
