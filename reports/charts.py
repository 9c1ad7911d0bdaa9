"""Plotly figures for the printed reports, with the small-cell rule applied to what is drawn.

A bar or point whose rate must not be shown (denominator under 10) is not drawn at all: its
category keeps a "*" marker on the axis and the caller lists it in a footnote. Hover texts and
bar labels come from :mod:`reports.suppression`, so a numerator 1–4 is ``<5`` there too. The
figures are sized for an A4 portrait page (170 mm ≈ 640 CSS px) and rendered without plotly.js
(the report inlines it once).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import plotly.graph_objects as go

from reports.suppression import (
    format_count,
    format_denominator,
    format_rate,
    shown_rate,
    shown_target_met,
)

FONT_STACK = (
    '"Noto Sans CJK SC","Source Han Sans SC","Microsoft YaHei","PingFang SC","SimSun",sans-serif'
)
CHART_WIDTH_PX = 640  # 170 mm at 96 px per inch: fits the A4 text width
CHART_HEIGHT_PX = 330
MET_COLOR = "#2e7d32"
NOT_MET_COLOR = "#c62828"
NEUTRAL_COLOR = "#1f5f9e"
TARGET_COLOR = "#555555"
SUPPRESSED_MARK = "*"
PLOTLY_CONFIG = {"displayModeBar": False, "displaylogo": False, "responsive": False}


@dataclass(frozen=True)
class RateCell:
    """One unit's indicator value as the report may show it."""

    label: str
    numerator: float | None
    denominator: float | None
    rate: float | None
    target_met: object = None

    @property
    def shown_rate(self) -> float | None:
        return shown_rate(self.rate, self.denominator)

    @property
    def suppressed(self) -> bool:
        """Rate withheld by the small-cell rule (not merely missing)."""
        return self.shown_rate is None and self.rate is not None

    @property
    def numerator_text(self) -> str:
        return format_count(self.numerator)

    @property
    def denominator_text(self) -> str:
        return format_denominator(self.denominator)

    @property
    def rate_text(self) -> str:
        return format_rate(self.rate, self.denominator)

    @property
    def met(self) -> bool | None:
        return shown_target_met(self.target_met, self.denominator)


def _layout(fig: go.Figure, title: str, height: int, y_title: str = "率（%）") -> go.Figure:
    fig.update_layout(
        template="plotly_white",
        title={"text": title, "x": 0.01, "font": {"size": 15}},
        font={"family": FONT_STACK, "size": 12, "color": "#222"},
        width=CHART_WIDTH_PX,
        height=height,
        margin={"l": 56, "r": 16, "t": 48, "b": 56},
        paper_bgcolor="white",
        plot_bgcolor="white",
        hoverlabel={"font": {"family": FONT_STACK}},
        legend={"orientation": "h", "y": -0.18, "x": 0, "font": {"size": 11}},
    )
    fig.update_yaxes(title_text=y_title, gridcolor="#e3e3e3", zeroline=True, zerolinecolor="#999")
    return fig


def _bar_color(cell: RateCell, has_target: bool) -> str:
    if not has_target or cell.met is None:
        return NEUTRAL_COLOR
    return MET_COLOR if cell.met else NOT_MET_COLOR


def _category(cell: RateCell) -> str:
    return f"{cell.label}{SUPPRESSED_MARK}" if cell.suppressed else cell.label


def _customdata(cells: Sequence[RateCell]) -> list[list[str]]:
    return [[c.numerator_text, c.denominator_text, c.rate_text] for c in cells]


HOVER = "%{x}<br>率 %{customdata[2]}<br>分子 %{customdata[0]}／分母 %{customdata[1]}<extra></extra>"


def _target_line(
    fig: go.Figure, target: float, horizontal_bars: bool = False, label_left: bool = False
) -> None:
    label = f"目标 {target:g}%"
    if horizontal_bars:
        fig.add_vline(x=target, line={"color": TARGET_COLOR, "dash": "dash", "width": 1.5})
        fig.add_annotation(
            x=target, y=1, yref="paper", text=label, showarrow=False, yanchor="bottom",
            font={"size": 11, "color": TARGET_COLOR},
        )  # fmt: skip
    else:
        fig.add_hline(y=target, line={"color": TARGET_COLOR, "dash": "dash", "width": 1.5})
        fig.add_annotation(
            x=0 if label_left else 1, xref="paper", y=target, text=label, showarrow=False,
            xanchor="left" if label_left else "right",
            yanchor="bottom", font={"size": 11, "color": TARGET_COLOR},
        )  # fmt: skip


def rate_bars(
    cells: Sequence[RateCell], title: str, target: float | None, y_title: str = "率（%）"
) -> go.Figure:
    """Vertical bars per unit, labelled with the rate, coloured met / not met, target dashed."""
    categories = [_category(c) for c in cells]
    fig = go.Figure(
        go.Bar(
            x=categories,
            y=[c.shown_rate for c in cells],
            text=[c.rate_text if c.shown_rate is not None else "" for c in cells],
            textposition="inside",
            insidetextanchor="end",
            textangle=0,
            textfont={"color": "white", "size": 10 if len(cells) > 6 else 12},
            cliponaxis=False,
            marker_color=[_bar_color(c, target is not None) for c in cells],
            customdata=_customdata(cells),
            hovertemplate=HOVER,
            showlegend=False,
        )
    )
    if target is not None:
        _target_line(fig, target)
    for category, cell in zip(categories, cells, strict=True):
        if cell.shown_rate is None:
            fig.add_annotation(
                x=category, y=0, text="数据过少<br>不显示", showarrow=False, yanchor="bottom",
                font={"size": 10, "color": "#777"},
            )  # fmt: skip
    fig.update_yaxes(range=[0, 108], ticksuffix="")
    fig.update_xaxes(type="category", categoryorder="array", categoryarray=categories)
    return _layout(fig, title, CHART_HEIGHT_PX, y_title)


def ranking_bars(cells: Sequence[RateCell], title: str, target: float | None) -> go.Figure:
    """Horizontal bars, the first cell on top (callers pass lowest first)."""
    cells = [c for c in cells if c.shown_rate is not None]
    height = max(CHART_HEIGHT_PX, 90 + 24 * len(cells))
    fig = go.Figure(
        go.Bar(
            y=[c.label for c in cells],
            x=[c.shown_rate for c in cells],
            orientation="h",
            text=[c.rate_text for c in cells],
            textposition="outside",
            cliponaxis=False,
            marker_color=[_bar_color(c, target is not None) for c in cells],
            customdata=_customdata(cells),
            hovertemplate=(
                "%{y}<br>率 %{customdata[2]}<br>分子 %{customdata[0]}／分母 %{customdata[1]}"
                "<extra></extra>"
            ),
            showlegend=False,
        )
    )
    if target is not None:
        _target_line(fig, target, horizontal_bars=True)
    fig.update_yaxes(autorange="reversed", type="category", title_text="")
    fig.update_xaxes(range=[0, 112], title_text="率（%）", gridcolor="#e3e3e3")
    fig = _layout(fig, title, height, y_title="")
    fig.update_layout(margin={"l": 150, "r": 40, "t": 56, "b": 48})
    return fig


def grouped_rate_bars(
    groups: Mapping[str, Sequence[RateCell]], title: str, colors: Sequence[str]
) -> go.Figure:
    """One bar per unit and group (e.g. 男 / 女 / 合计); suppressed bars are left out."""
    fig = go.Figure()
    categories: list[str] = []
    for cells in groups.values():
        for cell in cells:
            if cell.label not in categories:
                categories.append(cell.label)
    for (group, cells), color in zip(groups.items(), colors, strict=False):
        fig.add_trace(
            go.Bar(
                name=group,
                x=[c.label for c in cells],
                y=[c.shown_rate for c in cells],
                text=[c.rate_text if c.shown_rate is not None else "" for c in cells],
                textposition="outside",
                cliponaxis=False,
                textfont={"size": 10},
                marker_color=color,
                customdata=_customdata(cells),
                hovertemplate=(
                    f"%{{x}} {group}<br>率 %{{customdata[2]}}<br>"
                    "分子 %{customdata[0]}／分母 %{customdata[1]}<extra></extra>"
                ),
            )
        )
    for category in categories:
        cells_here = [c for cells in groups.values() for c in cells if c.label == category]
        if all(c.shown_rate is None for c in cells_here):
            fig.add_annotation(
                x=category, y=0, text="数据过少<br>不显示", showarrow=False, yanchor="bottom",
                font={"size": 10, "color": "#777"},
            )  # fmt: skip
    fig.update_layout(barmode="group", bargap=0.25)
    fig.update_xaxes(type="category", categoryorder="array", categoryarray=categories)
    top = max([c.shown_rate or 0 for cells in groups.values() for c in cells] + [10])
    fig.update_yaxes(range=[0, top * 1.25])
    return _layout(fig, title, CHART_HEIGHT_PX)


def trend_lines(
    months: Sequence[str],
    series: Mapping[str, Sequence[RateCell]],
    title: str,
    target: float | None,
    emphasize: str | None = None,
    y_range: tuple[float, float] | None = None,
    target_in_legend: bool = False,
) -> go.Figure:
    """Year-to-date rate by month, one line per unit; a withheld point leaves a gap.

    ``y_range`` zooms the rate axis (default 0–108); ``target_in_legend`` names the dashed
    target line in the legend instead of labelling it on the plot, where it would collide with
    the point labels of rates close to the target."""
    fig = go.Figure()
    for name, cells in series.items():
        main = name == emphasize
        fig.add_trace(
            go.Scatter(
                name=name,
                x=list(months),
                y=[c.shown_rate for c in cells],
                mode="lines+markers+text" if main else "lines+markers",
                text=[c.rate_text if c.shown_rate is not None else "" for c in cells]
                if main
                else None,
                textposition="top center",
                line={"width": 4 if main else 1.6, "color": "#111" if main else None},
                marker={"size": 8 if main else 5},
                customdata=_customdata(cells),
                hovertemplate=(
                    f"{name} %{{x}}<br>率 %{{customdata[2]}}<br>"
                    "分子 %{customdata[0]}／分母 %{customdata[1]}<extra></extra>"
                ),
                connectgaps=False,
            )
        )
    if target is not None and target_in_legend:
        fig.add_hline(y=target, line={"color": TARGET_COLOR, "dash": "dash", "width": 1.5})
        fig.add_trace(
            go.Scatter(
                name=f"目标 {target:g}%", x=[None], y=[None], mode="lines", hoverinfo="skip",
                line={"color": TARGET_COLOR, "dash": "dash", "width": 1.5},
            )
        )  # fmt: skip
    elif target is not None:
        _target_line(fig, target, label_left=True)
    fig.update_xaxes(type="category")
    fig.update_yaxes(range=list(y_range) if y_range else [0, 108])
    fig = _layout(fig, title, CHART_HEIGHT_PX + 40)
    fig.update_layout(margin={"l": 56, "r": 16, "t": 48, "b": 90})
    return fig


def figure_html(fig: go.Figure, div_id: str) -> str:
    """The figure's ``<div>`` and script, without plotly.js (inlined once by the page)."""
    html: str = fig.to_html(
        full_html=False, include_plotlyjs=False, div_id=div_id, config=PLOTLY_CONFIG
    )
    return html
