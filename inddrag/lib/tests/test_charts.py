from __future__ import annotations

import base64
import re
from xml.etree import ElementTree

from django.test import SimpleTestCase

from inddrag.lib.charts import bar_chart, line_chart

SVG = "{http://www.w3.org/2000/svg}"
PREFIX = "data:image/svg+xml;base64,"


def decode(uri: str) -> str:
    assert uri.startswith(PREFIX), uri[:40]
    return base64.b64decode(uri[len(PREFIX) :]).decode("utf-8")


def dash_of(svg: str, index: int) -> str:
    found = re.search(rf"\.series\.serie-{index} \.line\{{[^}}]*stroke-dasharray:([^;}}]+)", svg)
    assert found, f"no dash rule for series {index}"
    return found.group(1).strip()


class ChartsTestCase(SimpleTestCase):
    """Server-side SVG charts: no script, nothing fetched, readable without colour (issue 8,
    "Charts"; security T16 CSP: a data: image runs no script)."""

    SERIES: list[tuple[str, list[float | None]]] = [
        ("Team Vest", [50.0, None, 66.7]),
        ("Team Øst", [20.0, 30.0, 40.0]),
        ("Team Syd", [10.0, 15.0, 12.5]),
    ]

    def charts(self) -> list[str]:
        title, labels, series = "Hørt <barn> & co", ["jan.", "feb.", "mar."], self.SERIES
        return [
            decode(line_chart(title=title, labels=labels, series=series, percent=True)),
            decode(bar_chart(title=title, labels=labels, series=series, unit="timer")),
            decode(bar_chart(title=title, labels=labels, series=series, horizontal=True)),
        ]

    def test_it_has_no_script_and_no_external_url(self) -> None:
        for svg in self.charts():
            self.assertNotIn("<script", svg)
            self.assertNotIn("javascript", svg.lower())
            self.assertNotIn("<!--", svg)
            # The only URI is the SVG namespace (an identifier, never fetched).
            without_namespace = svg.replace('xmlns="http://www.w3.org/2000/svg"', "")
            self.assertNotIn("http", without_namespace)
            self.assertNotIn("//", without_namespace.replace("://", ""))
            self.assertNotIn("xml-stylesheet", svg)
            self.assertNotIn("@import", svg)

    def test_it_has_a_title_and_parses_as_svg(self) -> None:
        for svg in self.charts():
            root = ElementTree.fromstring(svg)
            self.assertEqual(root.tag, f"{SVG}svg")
            title = root.find(f"{SVG}title")
            assert title is not None
            self.assertEqual(title.text, "Hørt <barn> & co")

    def test_it_gives_each_series_its_own_dash_and_fill_pattern(self) -> None:
        svg = decode(line_chart(title="t", labels=["a", "b"], series=self.SERIES))
        dashes = [dash_of(svg, i) for i in range(3)]
        self.assertEqual(len(set(dashes)), 3, dashes)
        patterns = re.findall(r'<pattern id="fill-(\d)"(.*?)</pattern>', svg, flags=re.DOTALL)
        self.assertEqual([index for index, _ in patterns], ["0", "1", "2"])
        self.assertEqual(len({body for _, body in patterns}), 3)  # solid, hatched, dotted
        for i in range(3):
            # Bars, markers and the legend box of series i carry its pattern.
            self.assertRegex(svg, rf"#activate-serie-{i} rect\{{fill:url\(#fill-{i}\)")

    def test_it_prints_the_values_and_names_the_series_in_a_legend(self) -> None:
        svg = decode(bar_chart(title="t", labels=["a", "b", "c"], series=self.SERIES, percent=True))
        texts = [node.text for node in ElementTree.fromstring(svg).iter(f"{SVG}text")]
        for name in ("Team Vest", "Team Øst", "Team Syd"):
            self.assertIn(name, texts)
        # Danish decimal comma and the percent sign on the values.
        self.assertIn("66,7 %", texts)
        self.assertIn("12,5 %", texts)
        self.assertIn("50 %", texts)

    def test_it_leaves_a_gap_for_none(self) -> None:
        svg = decode(line_chart(title="t", labels=["a", "b", "c"], series=self.SERIES[:1]))
        values = [
            node.text
            for node in ElementTree.fromstring(svg).iter(f"{SVG}text")
            if "value" in (node.get("class") or "").split()
        ]
        self.assertEqual(values, ["50", "66,7"])  # no value, not even 0, for the missing month

    def test_it_says_so_in_danish_when_there_is_no_data(self) -> None:
        svg = decode(bar_chart(title="Ingenting", labels=[], series=[]))
        self.assertIn("Ingen data i perioden", svg)

    def test_it_escapes_text(self) -> None:
        svg = decode(bar_chart(title="<script>x</script>", labels=["<b>"], series=[("<i>", [1.0])]))
        self.assertNotIn("<script", svg)
        self.assertNotIn("<b>", svg)
        self.assertIn("&lt;script&gt;", svg)
