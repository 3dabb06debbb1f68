"""Charts for the leaders' figures, drawn on the server with pygal as SVG and handed to the
template as a `data:image/svg+xml;base64,…` URI for an `<img src>` (the CSP allows data: images;
an SVG shown as an image runs no script, fetches nothing, and its inline styles are its own).

Readable without colour: every series has its own fill pattern (solid, hatched, dotted, …) on its
bars, markers and legend box, and its own dash pattern on its line; the values are printed on the
chart, the legend names each series in text, and the SVG has a `<title>`. A chart never stands
alone: the page shows the same numbers in a table (the chart's text alternative).

No JavaScript (pygal's default `js` points at a CDN: `js=[]`) and no external URL: pygal's
comments with its home page are removed, so the only URI left is the SVG namespace.
"""

from __future__ import annotations

import base64
from typing import Any
from xml.etree import ElementTree

import pygal  # type: ignore[import-untyped]
from django.utils.translation import gettext
from pygal.style import Style  # type: ignore[import-untyped]

Series = list[tuple[str, list[float | None]]]

# Dark colours with good contrast on white (each ≥ 4.5:1), but colour is never the only cue.
COLOURS = ("#1d4f91", "#a3460b", "#2c6e2f", "#6b2c91", "#3d3d3d", "#00695c")
# Series i's line: solid, dashed, dotted, dash-dot, long dash, dash-dot-dot.
DASHES = ("none", "10,5", "2,4", "12,4,2,4", "18,6", "12,3,2,3,2,3")
FONT = "'DejaVu Sans', Arial, Helvetica, sans-serif"


def _pattern(index: int, colour: str) -> str:
    """Series `index`'s fill: solid, diagonal hatch, dots, cross-hatch, horizontal lines,
    vertical lines (then again, with the next colour)."""
    kind = index % 6
    head = (
        f'<pattern id="fill-{index}" patternUnits="userSpaceOnUse" width="8" height="8">'
        '<rect width="8" height="8" fill="#ffffff"/>'
    )
    if kind == 0:
        return head + f'<rect width="8" height="8" fill="{colour}"/></pattern>'
    if kind == 1:
        body = f'<path d="M-2,2 l4,-4 M0,8 l8,-8 M6,10 l4,-4" stroke="{colour}" stroke-width="2"/>'
    elif kind == 2:
        body = f'<circle cx="4" cy="4" r="2" fill="{colour}"/>'
    elif kind == 3:
        body = f'<path d="M0,0 l8,8 M8,0 l-8,8" stroke="{colour}" stroke-width="1.5"/>'
    elif kind == 4:
        body = f'<path d="M0,2 h8 M0,6 h8" stroke="{colour}" stroke-width="2"/>'
    else:
        body = f'<path d="M2,0 v8 M6,0 v8" stroke="{colour}" stroke-width="2"/>'
    return head + body + "</pattern>"


def _css(count: int) -> str:
    """Per series: the pattern on bars, markers and legend box; the outline and line dashes."""
    rules = [
        # The printed values in dark text, whatever the series colour.
        ".text-overlay text.value{fill:#1a1a1a !important;}",
        ".legends .legend text{fill:#1a1a1a;}",
    ]
    for i in range(count):
        colour = COLOURS[i % len(COLOURS)]
        dash = DASHES[i % len(DASHES)]
        rules.append(
            f".series.serie-{i} .rect,.series.serie-{i} .dot,#activate-serie-{i} rect"
            f"{{fill:url(#fill-{i}) !important;fill-opacity:1 !important;"
            f"stroke:{colour} !important;stroke-width:2px;}}"
        )
        rules.append(
            f".series.serie-{i} .line{{stroke:{colour} !important;stroke-width:3px;"
            f"stroke-dasharray:{dash};}}"
        )
    return "inline:" + "".join(rules)


def _number(value: float) -> str:
    """Danish notation: a decimal comma, no decimals on whole numbers."""
    if float(value).is_integer():
        return f"{int(value)}"
    return f"{value:.1f}".replace(".", ",")


def _config(
    *, title: str, labels: list[str], series: Series, unit: str, percent: bool
) -> dict[str, Any]:
    count = len(series)

    def formatter(value: float | None) -> str:
        if value is None:
            return ""
        if percent:
            return f"{_number(value)} %"
        return f"{_number(value)} {unit}".rstrip()

    style = Style(
        background="#ffffff",
        plot_background="#ffffff",
        foreground="#1a1a1a",
        foreground_strong="#000000",
        foreground_subtle="#595959",
        opacity="1",
        opacity_hover="1",
        colors=tuple(COLOURS[i % len(COLOURS)] for i in range(max(count, 1))),
        font_family=FONT,
        label_font_family=FONT,
        major_label_font_family=FONT,
        value_font_family=FONT,
        value_label_font_family=FONT,
        tooltip_font_family=FONT,
        title_font_family=FONT,
        legend_font_family=FONT,
        no_data_font_family=FONT,
        title_font_size=18,
        legend_font_size=14,
        label_font_size=12,
        major_label_font_size=12,
        value_font_size=12,
        no_data_font_size=24,
    )
    config: dict[str, Any] = {
        "title": title,
        "style": style,
        "js": [],  # no script, and no CDN
        "css": ["file://style.css", "file://graph.css", _css(count)],
        "defs": [_pattern(i, COLOURS[i % len(COLOURS)]) for i in range(count)],
        "no_prefix": True,  # each chart is its own image: no id to scope the CSS to
        "explicit_size": True,
        "width": 800,
        "height": 420,
        "show_legend": True,
        "legend_at_bottom": True,
        "legend_at_bottom_columns": min(max(count, 1), 3),
        "truncate_legend": -1,
        "truncate_label": -1,
        "print_values": True,
        "print_zeroes": True,
        "value_formatter": formatter,
        "no_data_text": gettext("Ingen data i perioden"),
        "x_label_rotation": 40 if len(labels) > 8 else 0,
        "show_minor_x_labels": True,
        "margin_bottom": 10,
        "margin_right": 40,  # room for the last printed value
    }
    if percent:
        config["range"] = (0, 100)
        config["y_title"] = gettext("Procent")
    elif unit:
        config["y_title"] = unit
    return config


def _strip(root: Any) -> Any:
    """pygal's xml filter: drop every script (pygal writes its config as one even with `js=[]`)
    and every comment (they name pygal's home page)."""
    for parent in list(root.iter()):
        for node in list(parent):
            tag = node.tag
            if tag is ElementTree.Comment or (
                isinstance(tag, str) and tag.rsplit("}", 1)[-1] == "script"
            ):
                parent.remove(node)
    return root


def _finish(chart: Any, labels: list[str], series: Series) -> str:
    chart.add_xml_filter(_strip)
    chart.x_labels = labels
    for name, values in series:
        chart.add(name, list(values))
    svg = str(chart.render(is_unicode=True))
    encoded = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    return f"data:image/svg+xml;base64,{encoded}"


def bar_chart(
    *,
    title: str,
    labels: list[str],
    series: Series,
    unit: str = "",
    percent: bool = False,
    horizontal: bool = False,
) -> str:
    """A bar chart of `series` (name, one value per label; None: no value) as a data: URI.

    `percent`: the values are percentages (0–100), printed with " %" on a 0–100 axis. `unit` is
    printed after each value and names the value axis (e.g. "timer"). `horizontal`: bars across,
    for many labels (one per municipality); the chart grows with the number of labels.
    """
    config = _config(title=title, labels=labels, series=series, unit=unit, percent=percent)
    config["print_values_position"] = "top"
    if horizontal:
        config["x_label_rotation"] = 0
        config["height"] = max(420, 120 + 22 * len(labels) * max(len(series), 1))
        chart = pygal.HorizontalBar(**config)
    else:
        chart = pygal.Bar(**config)
    return _finish(chart, labels, series)


def line_chart(
    *,
    title: str,
    labels: list[str],
    series: Series,
    unit: str = "",
    percent: bool = False,
) -> str:
    """A line chart (one line per series, a marker per value; None: a gap in the line) as a
    data: URI. `unit` and `percent` as in `bar_chart`."""
    config = _config(title=title, labels=labels, series=series, unit=unit, percent=percent)
    config["allow_interruptions"] = True  # a None breaks the line instead of bridging it
    config["dots_size"] = 6
    config["print_values_position"] = "top"
    chart = pygal.Line(**config)
    return _finish(chart, labels, series)
