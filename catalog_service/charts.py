"""Charts drawn on the server as SVG geometry, so that pages need no JavaScript and every figure is also text.

A chart function returns numbers only; ``templates/web/charts.html`` draws them with a title, a description
and each bar's value, and the page that shows a chart gives its figures in a table too.
"""

from __future__ import annotations

from typing import Any


def bar_chart(bars: list[tuple[str, int]], *, width: int = 640, bar: int = 22) -> dict[str, Any]:
    """Geometry of a horizontal SVG bar chart: one labelled bar per (label, value), scaled to the largest."""
    label_width, gap = 220, 6
    most = max((v for _, v in bars), default=0) or 1
    room = width - label_width - 60
    rows = [
        {"label": label, "value": value, "y": n * (bar + gap), "w": round(room * value / most, 1)}
        for n, (label, value) in enumerate(bars)
    ]
    return {
        "rows": rows,
        "width": width,
        "height": max(len(rows) * (bar + gap), bar),
        "bar": bar,
        "x": label_width,
    }
