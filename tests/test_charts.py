from __future__ import annotations

import datetime as dt
from xml.etree import ElementTree

from kopiena.core.charts import HeatCell, Series, calendar_heatmap, heat_colour, lines, stacked_bars

SVG = "{http://www.w3.org/2000/svg}"


def _parse(svg: str) -> ElementTree.Element:
    return ElementTree.fromstring(svg)  # noqa: S314 - our own markup


def test_stacked_bars_scale_to_the_largest_total_and_repeat_figures_in_the_table() -> None:
    chart = stacked_bars(
        title="Atbalsta līmeņi", description="Pa nedēļām",
        categories=["1. ned.", "2. ned."],
        series=[Series("A", [10, 20]), Series("B", [5, None])],
    )
    root = _parse(chart.svg)
    assert root.find(f"{SVG}title").text == "Atbalsta līmeņi"  # type: ignore[union-attr]
    heights = [float(r.get("height", "0")) for r in root.iter(f"{SVG}rect")]
    assert max(heights) == 200.0  # 20 is the largest total: full plot height (240-28-12)
    assert chart.rows == [["1. ned.", "10", "5"], ["2. ned.", "20", "–"]]


def test_lines_skip_missing_values_and_escape_labels() -> None:
    days = [dt.date(2026, 9, 1), dt.date(2026, 9, 8), dt.date(2026, 9, 15)]
    chart = lines(title="<Matemātika>", description="d", dates=days,
                  series=[Series("M", [4, None, 8])], y_min=1, y_max=10)
    root = _parse(chart.svg)
    assert len(list(root.iter(f"{SVG}circle"))) == 2
    assert "&lt;Matemātika&gt;" in chart.svg


def test_heatmap_places_days_by_week_and_weekday() -> None:
    cells = [HeatCell(dt.date(2026, 9, 1), 1.0, "ok"), HeatCell(dt.date(2026, 9, 8), 0.5, "x"),
             HeatCell(dt.date(2026, 9, 9), None, "brīvdiena")]
    root = _parse(calendar_heatmap(title="t", description="d", cells=cells).svg)
    rects = list(root.iter(f"{SVG}rect"))
    assert [(r.get("x"), r.get("y")) for r in rects] == [("30", "24"), ("54", "24"), ("54", "48")]
    assert [r.get("fill") for r in rects] == [heat_colour(1.0), heat_colour(0.5), heat_colour(None)]
    assert heat_colour(0.95) != heat_colour(0.94)
