"""The report's charts, drawn by pygal as SVG from the data's series and embedded in the
document as vector images. The areas contribute theirs (``followup_report_charts``),
drawn with the style and helpers here, their titles and legends in the report's
language.

pygal (by the authors of WeasyPrint) writes plain SVG styled with CSS, which
WeasyPrint draws natively; it needs no numpy, and it draws a chart in milliseconds.
Two things in its output would change from one run to the next, and both are pinned
here so that the same data always gives the same bytes: the chart's id (a random UUID,
replaced by the chart's name) and a comment carrying the day it was drawn (removed,
with the script browsers use for tooltips).
"""

from __future__ import annotations

import base64
import re
from collections.abc import Mapping, Sequence
from typing import Any

import pygal
from pygal.style import Style

from core.words import Words
from reports.sections import ReportChart

#: Blues and greys, as in the Assembly's printed documents.
STYLE = Style(
    # The document's own font (style.css @font-face): SVG images are drawn with it.
    font_family="Report Serif, serif",
    background="white",
    plot_background="white",
    foreground="#1a1a1a",
    foreground_strong="#1a1a1a",
    foreground_subtle="#b0b0b0",
    colors=("#1f3d7a", "#7d9bc8", "#4a7d4a", "#c9a227", "#a04040", "#9a9a9a"),
    title_font_size=15,
    label_font_size=11,
    major_label_font_size=11,
    legend_font_size=12,
    value_font_size=10,
    tooltip_font_size=10,
)

#: What the SVG carries for browsers only: a dated comment and the tooltips' script.
UNPRINTED = re.compile(r"<!--.*?-->|<script\b.*?</script>", re.S)


def options(**extra: Any) -> dict[str, Any]:
    """pygal options of every chart of the report (size, style, legend, no script)."""
    return {
        "style": STYLE,
        "width": 760,
        "height": 340,
        "explicit_size": True,
        "js": [],
        "disable_xml_declaration": True,
        "legend_at_bottom": True,
        "legend_at_bottom_columns": 3,
        "truncate_label": -1,
        "truncate_legend": -1,
        "show_y_guides": True,
        "margin": 8,
        "margin_bottom": 36,
        **extra,
    }


def top(*series: Sequence[Any]) -> int:
    return max([int(-(-v // 1)) for values in series for v in values if v is not None] + [1])


def whole_counts(chart: Any, *series: Sequence[Any]) -> int:
    """Whole numbers on the axis of counts (pygal would draw 0.2, 0.4...); returns how
    many intervals the axis has."""
    highest = top(*series)
    step = max(1, -(-highest // 8))
    chart.y_labels = list(range(0, highest + step, step))
    chart.range = (0, chart.y_labels[-1])
    return len(chart.y_labels) - 1


def svg(chart: Any, name: str) -> str:
    """The chart as SVG text, the same bytes for the same data (see the docstring)."""
    chart.uuid = name  # pygal draws a random id otherwise
    return UNPRINTED.sub("", chart.render(is_unicode=True))


def bars(name: str, title: str, years: Sequence[int], series: Mapping[str, Sequence[Any]]) -> str:
    """A bar chart of counts per year: `series` maps each legend to its values."""
    chart = pygal.Bar(**options(title=title))
    chart.x_labels = [str(year) for year in years]
    whole_counts(chart, *series.values())
    for legend, values in series.items():
        chart.add(legend, list(values))
    return svg(chart, name)


def is_empty(series: Mapping[str, Sequence[Any]]) -> bool:
    """Whether a chart's every value is zero or unknown: the report says so in a sentence
    rather than drawing an empty axis."""
    return not any(value for values in series.values() for value in values)


def draw(
    data: Mapping[str, Any], contributed: Sequence[ReportChart], words: Words
) -> dict[str, str]:
    """Every chart of the report that has something to show, as SVG text, by name, in
    the language of `words`."""
    years = data["years"]
    return {
        chart.name: chart.svg(data[chart.name], years, words)
        for chart in contributed
        if not is_empty(data[chart.name])
    }


def data_uri(svg: str) -> str:
    """An SVG as a data: URI, so the HTML needs nothing beside it."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")
