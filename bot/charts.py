"""The impact chart: weekly series as a PNG line chart (matplotlib, rendered off the loop).

Labels come translated from the dialogs. Matplotlib 3.11 shapes text itself (Arabic letters
joined, right-to-left runs in order), checked by eye on the chart in Arabic. Fonts come from
the same packages as the booklet's.
"""

from __future__ import annotations

import asyncio
import io
from functools import lru_cache

import matplotlib

matplotlib.use("Agg")  # no display: files only

from matplotlib import font_manager
from matplotlib import pyplot as plt
from matplotlib.ticker import MaxNLocator

from bot.booklet.fonts import ARABIC, LATIN, font_path

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


class MatplotlibCharts:
    """The Charts port (dialogs/admin_ports.py)."""

    async def weekly(
        self, title: str, weeks: list[str], series: dict[str, list[int]], rtl: bool
    ) -> bytes:
        """Render in a thread: a chart takes tens of milliseconds of CPU."""
        return await asyncio.to_thread(weekly_png, title, weeks, series, rtl)
