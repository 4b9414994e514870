"""Server-rendered SVG charts: the same markup on screen and in PDF documents.

Each chart returns a `Chart` whose `svg` is safe markup with a <title> and <desc>, and whose
`table` rows repeat the figures for screen readers and for print ("data table" fallback).
Colours meet 3:1 contrast against white and are paired with patterns or labels, never colour
alone.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import pgettext_lazy

WEEKDAY_INITIALS = (
    pgettext_lazy("weekday initial", "Mo"), pgettext_lazy("weekday initial", "Tu"),
    pgettext_lazy("weekday initial", "We"), pgettext_lazy("weekday initial", "Th"),
    pgettext_lazy("weekday initial", "Fr"),
)
PALETTE = ("#1d4f91", "#b35900", "#7a1f2b", "#2e7d32", "#6a1b9a", "#00695c", "#5d4037")


@dataclass(frozen=True)
class Series:
    label: str
    values: Sequence[float | None]
    colour: str = ""


@dataclass
class Chart:
    title: str
    svg: SafeString
    headers: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)


def _svg(width: int, height: int, title: str, description: str, body: SafeString,
         *, fixed_size: bool = False) -> SafeString:
    """``fixed_size`` draws at its own size (a calendar), otherwise it fills the width."""
    size = format_html(' width="{}" height="{}"', width, height) if fixed_size else ""
    slug = _slug(title)
    return format_html(
        '<svg class="chart{}" viewBox="0 0 {} {}"{} role="img" aria-labelledby="{}-t {}-d" '
        'xmlns="http://www.w3.org/2000/svg"><title id="{}-t">{}</title><desc id="{}-d">{}</desc>'
        "{}</svg>",
        " chart--fixed" if fixed_size else "", width, height, size, slug, slug, slug, title,
        slug, description, body,
    )


def _slug(text: str) -> str:
    return "c" + hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()[:8]


def stacked_bars(
    *, title: str, description: str, categories: Sequence[str], series: Sequence[Series],
    width: int = 640, height: int = 240,
) -> Chart:
    """Vertical stacked bars, one bar per category (e.g. school week), one layer per series."""
    left, bottom, top = 40, 28, 12
    plot_h = height - bottom - top
    totals = [sum(s.values[i] or 0 for s in series) for i in range(len(categories))]
    peak = max(totals, default=0) or 1
    step = (width - left - 8) / max(len(categories), 1)
    parts: list[SafeString] = []
    for i, category in enumerate(categories):
        y: float = top + plot_h
        for n, s in enumerate(series):
            value = s.values[i] or 0
            h = plot_h * value / peak
            y -= h
            parts.append(format_html(
                '<rect x="{}" y="{}" width="{}" height="{}" fill="{}">'
                "<title>{}: {} {}</title></rect>",
                _f(left + i * step + 2), _f(y), _f(max(step - 4, 1)), _f(h), s.colour or PALETTE[n % 7],
                category, s.label, _num(value),
            ))
        if len(categories) <= 16 or i % max(len(categories) // 8, 1) == 0:
            parts.append(format_html(
                '<text x="{}" y="{}" class="chart-label" text-anchor="middle">{}</text>',
                _f(left + i * step + step / 2), height - 10, category,
            ))
    parts.append(format_html(
        '<text x="4" y="{}" class="chart-label">{}</text><text x="4" y="{}" '
        'class="chart-label">0</text>', top + 10, _num(peak), top + plot_h,
    ))
    svg = _svg(width, height, title, description, mark_safe("".join(parts)))  # noqa: S308
    rows = [[c, *[_num(s.values[i]) for s in series]] for i, c in enumerate(categories)]
    return Chart(title=title, svg=svg, headers=["", *[s.label for s in series]], rows=rows)


def lines(
    *, title: str, description: str, dates: Sequence[dt.date], series: Sequence[Series],
    y_min: float, y_max: float, width: int = 640, height: int = 220,
) -> Chart:
    """One line per series over dates (e.g. a pupil's grades per subject)."""
    left, bottom, top, right = 32, 26, 10, 8
    plot_w, plot_h = width - left - right, height - top - bottom
    first, last = (min(dates), max(dates)) if dates else (dt.date.today(), dt.date.today())
    span = max((last - first).days, 1)

    def xy(day: dt.date, value: float) -> tuple[float, float]:
        x = left + plot_w * (day - first).days / span
        y = top + plot_h * (1 - (value - y_min) / ((y_max - y_min) or 1))
        return x, y

    parts: list[SafeString] = []
    for n, s in enumerate(series):
        colour = s.colour or PALETTE[n % 7]
        points = [xy(d, v) for d, v in zip(dates, s.values, strict=True) if v is not None]
        if len(points) > 1:
            parts.append(format_html(
                '<polyline fill="none" stroke="{}" stroke-width="2" points="{}"/>', colour,
                " ".join(f"{x:.1f},{y:.1f}" for x, y in points),
            ))
        parts.extend(
            format_html('<circle cx="{}" cy="{}" r="3" fill="{}"/>', _f(x), _f(y), colour)
            for x, y in points
        )
    parts.append(format_html(
        '<text x="2" y="{}" class="chart-label">{}</text><text x="2" y="{}" class="chart-label">'
        "{}</text><text x=\"{}\" y=\"{}\" class=\"chart-label\">{}</text>"
        '<text x="{}" y="{}" class="chart-label" text-anchor="end">{}</text>',
        top + 8, _num(y_max), top + plot_h, _num(y_min), left, height - 6,
        first.strftime("%d.%m."), width - right, height - 6, last.strftime("%d.%m."),
    ))
    svg = _svg(width, height, title, description, mark_safe("".join(parts)))  # noqa: S308
    rows = [[d.strftime("%d.%m.%Y"), *[_num(s.values[i]) for s in series]]
            for i, d in enumerate(dates)]
    return Chart(title=title, svg=svg, headers=["", *[s.label for s in series]], rows=rows)


@dataclass(frozen=True)
class PairedRow:
    label: str
    first: float
    second: float
    first_text: str  # the figure with its unit, e.g. "16 h"
    second_text: str


def paired_bars(
    *, title: str, description: str, rows: Sequence[PairedRow], labels: tuple[str, str],
    width: int = 640,
) -> Chart:
    """Two horizontal bars per row (e.g. planned and delivered). Each row is scaled to its own
    larger value, so rows in different units (hours, sessions, euros) sit in one chart; the
    text at each bar names the series and carries the figure with its unit."""
    bar_h, gap, label_h, row_gap = 12, 3, 15, 12
    row_h = label_h + 2 * bar_h + gap + row_gap
    text_room = 150
    plot_w = width - text_room
    colours = (PALETTE[0], PALETTE[1])
    parts: list[SafeString] = []
    for i, row in enumerate(rows):
        top = i * row_h
        peak = max(row.first, row.second) or 1
        parts.append(format_html('<text x="0" y="{}" class="chart-label chart-label--row">{}'
                                 "</text>", top + label_h - 4, row.label))
        for n, (value, text) in enumerate(((row.first, row.first_text),
                                           (row.second, row.second_text))):
            y = top + label_h + n * (bar_h + gap)
            length = plot_w * max(value, 0) / peak
            parts.append(format_html(
                '<rect x="0" y="{}" width="{}" height="{}" fill="{}"><title>{}: {}</title></rect>'
                '<text x="{}" y="{}" class="chart-label">{}: {}</text>',
                y, _f(length), bar_h, colours[n], labels[n], text,
                _f(length + 4), y + bar_h - 2, labels[n], text,
            ))
    height = max(len(rows) * row_h, 10)
    svg = _svg(width, height, title, description, mark_safe("".join(parts)))  # noqa: S308
    return Chart(title=title, svg=svg, headers=["", *labels],
                 rows=[[r.label, r.first_text, r.second_text] for r in rows])


def paired_legend(labels: tuple[str, str]) -> SafeString:
    return legend([(PALETTE[0], labels[0]), (PALETTE[1], labels[1])])


@dataclass(frozen=True)
class HeatCell:
    day: dt.date
    value: float | None  # 0..1, None = no lessons / no data
    label: str  # what the cell says in words


HEAT_STEPS = ((0.95, "#2e7d32"), (0.9, "#9ccc65"), (0.8, "#f9a825"), (0.0, "#c62828"))


def heat_colour(value: float | None) -> str:
    if value is None:
        return "#e0e3e7"
    return next(colour for limit, colour in HEAT_STEPS if value >= limit)


def calendar_heatmap(
    *, title: str, description: str, cells: Sequence[HeatCell], cell: int = 22,
) -> Chart:
    """Weeks as columns, Monday–Friday as rows: a semester of school days at a glance."""
    if not cells:
        return Chart(title=title, svg=_svg(10, 10, title, description, mark_safe("")))
    monday = cells[0].day - dt.timedelta(days=cells[0].day.weekday())
    weeks = (cells[-1].day - monday).days // 7 + 1
    width, height = 30 + weeks * (cell + 2), 5 * (cell + 2) + 16
    parts = [
        format_html(
            '<rect x="{}" y="{}" width="{}" height="{}" fill="{}" rx="2"><title>{}</title></rect>',
            30 + ((c.day - monday).days // 7) * (cell + 2), c.day.weekday() * (cell + 2),
            cell, cell, heat_colour(c.value), c.label,
        )
        for c in cells if c.day.weekday() < 5
    ]
    parts += [
        format_html('<text x="0" y="{}" class="chart-label">{}</text>',
                    i * (cell + 2) + cell - 3, name)
        for i, name in enumerate(WEEKDAY_INITIALS)
    ]
    svg = _svg(width, height, title, description, mark_safe("".join(parts)),  # noqa: S308
               fixed_size=True)
    return Chart(title=title, svg=svg, headers=[],
                 rows=[[c.day.strftime("%d.%m.%Y"), c.label] for c in cells])


def _f(value: float) -> str:
    return f"{value:.1f}"


def _num(value: float | None) -> str:
    if value is None:
        return "–"
    return str(int(value)) if float(value).is_integer() else f"{value:.2f}"


def legend(items: Sequence[tuple[str, str]]) -> SafeString:
    """Colour keys with their text, for the figure caption."""
    return format_html(
        '<ul class="chart-legend">{}</ul>',
        format_html_join(
            "", '<li><svg class="swatch" viewBox="0 0 12 12" aria-hidden="true">'
            '<rect width="12" height="12" fill="{}"/></svg>{}</li>', items,
        ),
    )
