"""The impact chart: weekly series as a PNG line chart (matplotlib, rendered off the loop).

Labels come translated from the dialogs. Matplotlib 3.11 shapes text itself (Arabic letters
joined, right-to-left runs in order), checked by eye on the chart in Arabic. Fonts come from
the same packages as the booklet's.
"""

from __future__ import annotations

import io
from functools import lru_cache

import matplotlib

matplotlib.use("Agg")  # no display: files only

from matplotlib import font_manager
from matplotlib import pyplot as plt
from matplotlib.axes import Axes
from matplotlib.ticker import MaxNLocator

from bot.booklet.fonts import ARABIC, LATIN, font_path
from bot.rendering import Renderer
from dialogs.messages import Later

COLOURS = ("#14468c", "#d9822b", "#2e8b57", "#a23b72")


@lru_cache(maxsize=1)
def _fonts() -> list[str]:
    """Register Noto Sans and Noto Sans Arabic with matplotlib; their family names."""
    names = []
    for family in (LATIN, ARABIC):
        path = str(font_path(family))
        font_manager.fontManager.addfont(path)
        names.append(font_manager.FontProperties(fname=path).get_name())
    return names


def weekly_png(title: str, weeks: list[str], series: dict[str, list[int]], rtl: bool) -> bytes:
    """A line chart of weekly series, one line per series, as PNG bytes."""
    fonts = _fonts()
    with plt.rc_context(
        {"font.family": fonts, "axes.spines.top": False, "axes.spines.right": False}
    ):
        figure, axes = plt.subplots(figsize=(8, 4.5), dpi=110)
        try:
            positions = list(range(len(weeks)))
            for colour, (label, values) in zip(COLOURS, series.items(), strict=False):
                axes.plot(positions, values, marker="o", color=colour, label=label)
            axes.set_title(title, loc="right" if rtl else "left", fontsize=13)
            axes.set_xticks(positions, weeks, rotation=45, ha="right")
            axes.set_ylim(bottom=0)
            axes.yaxis.set_major_locator(MaxNLocator(integer=True))
            axes.grid(axis="y", alpha=0.3)
            axes.legend(loc="upper right" if not rtl else "upper left", frameon=False)
            if rtl:
                axes.invert_xaxis()  # time runs right to left for a right-to-left reader
            figure.tight_layout()
            out = io.BytesIO()
            figure.savefig(out, format="png")
            return out.getvalue()
        finally:
            plt.close(figure)


BAR_HEIGHT = 0.42  # inches per student: a tall, narrow picture fits a phone screen


def bars_png(
    title: str, labels: list[str], values: list[float], maximum: float, rtl: bool
) -> bytes:
    """Horizontal bars, one per label (first on top), with "value/maximum" written beside."""
    with plt.rc_context({"font.family": _fonts(), "axes.spines.top": False}):
        height = 1.3 + BAR_HEIGHT * max(len(labels), 1)
        figure, axes = plt.subplots(figsize=(5, height), dpi=150)
        try:
            _draw_bars(axes, labels, values, max(maximum, 1.0), rtl)
            axes.set_title(title, loc="right" if rtl else "left", fontsize=12)
            figure.tight_layout()
            out = io.BytesIO()
            figure.savefig(out, format="png")
            return out.getvalue()
        finally:
            plt.close(figure)


def _draw_bars(axes: Axes, labels: list[str], values: list[float], top: float, rtl: bool) -> None:
    """The bars, their figures, and the names on the reader's side."""
    rows = list(range(len(labels)))
    axes.barh(rows, [top] * len(rows), color="#e6ebf2", height=0.7)  # the full length, faint
    axes.barh(rows, values, color=COLOURS[0], height=0.7)
    for row, value in zip(rows, values, strict=True):
        figure = f"{value:g}/{top:g}"
        axes.text(top * 1.02, row, figure, va="center", ha="right" if rtl else "left", fontsize=9)
    axes.set_yticks(rows, labels, fontsize=10)
    axes.set_xlim(0, top * 1.18)
    axes.invert_yaxis()  # the first student on top
    axes.xaxis.set_visible(False)
    for side in ("bottom", "right", "left"):
        axes.spines[side].set_visible(False)
    axes.tick_params(axis="y", length=0)
    if rtl:
        axes.invert_xaxis()  # bars grow leftwards, names on the right
        axes.yaxis.tick_right()


def warm_png() -> bytes:
    """A tiny chart, drawn to start a render worker: matplotlib imported, fonts registered,
    text shaped once (bot/rendering.py, `Renderer.warm`)."""
    return bars_png("·", ["·"], [1.0], 1.0, False)


class MatplotlibCharts:
    """The Charts port (dialogs/admin_ports.py): made after the turn, once per data."""

    def __init__(self, renderer: Renderer | None = None) -> None:
        self.renderer = renderer or Renderer(pool="thread")

    async def weekly(
        self, title: str, weeks: list[str], series: dict[str, list[int]], rtl: bool
    ) -> Later:
        """A chart takes a tenth of a second of CPU or more: made in the render pool."""
        return self.renderer.later(weekly_png, title, weeks, series, rtl)

    async def progress_bars(
        self, title: str, labels: list[str], values: list[float], maximum: float, rtl: bool
    ) -> Later:
        """The bars, made in the render pool."""
        return self.renderer.later(bars_png, title, labels, values, maximum, rtl)
