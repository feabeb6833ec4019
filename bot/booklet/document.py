"""The PDF page: A5, fonts, footer, and the text primitives every part uses."""

from __future__ import annotations

from typing import Any

from fpdf import FPDF
from fpdf.enums import Align, MethodReturnValue, XPos, YPos

from bot.booklet.fonts import install_fonts, is_rtl

A5 = (148.0, 210.0)
MARGIN = 14.0
INK = (20, 20, 20)
GREY = (90, 90, 90)
ACCENT = (20, 70, 140)


class Booklet(FPDF):
    """An A5 booklet in the course's language, page numbers at the foot of each page."""

    def __init__(self, language: str, *, shaping: bool = True) -> None:
        super().__init__(orientation="P", unit="mm", format=A5)
        self.rtl = is_rtl(language)
        self.course_language = language
        self.family = install_fonts(self, language, shaping)
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.set_auto_page_break(True, margin=MARGIN + 4)
        self.set_font(self.family, size=11)
        self.set_text_color(*INK)

    @property
    def content_width(self) -> float:
        """Return the width between the margins, in mm."""
        return float(self.w - self.l_margin - self.r_margin)

    @property
    def align(self) -> Align:
        """Return the alignment of running text: right for right-to-left languages."""
        return Align.R if self.rtl else Align.L

    def footer(self) -> None:
        """Print the page number, except on the cover."""
        if self.page_no() == 1:
            return
        self.set_y(-MARGIN)
        self.set_font(self.family, size=8)
        self.set_text_color(*GREY)
        self.cell(0, 5, str(self.page_no()), align=Align.C)
        self.set_text_color(*INK)

    def para(
        self,
        text: str,
        size: float = 11,
        *,
        bold: bool = False,
        color: tuple[int, int, int] = INK,
        width: float = 0,
        align: Align | None = None,
        after: float = 2,
    ) -> None:
        """Print a paragraph from the left margin (or `width` wide) and move below it."""
        self.set_font(self.family, size=size)
        self.set_text_color(*color)
        self.set_draw_color(*color)
        style: dict[str, Any] = {"text_mode": "FILL_STROKE", "line_width": 0.18} if bold else {}
        with self.local_context(**style):
            self.multi_cell(
                width,
                size * 0.5,
                text,
                align=align or self.align,
                new_x=XPos.LMARGIN,
                new_y=YPos.NEXT,
            )
        self.set_text_color(*INK)
        self.ln(after)

    def height_of(self, text: str, size: float = 11, width: float = 0) -> float:
        """Return how tall a paragraph would be, without printing it."""
        self.set_font(self.family, size=size)
        height = self.multi_cell(
            width, size * 0.5, text, dry_run=True, output=MethodReturnValue.HEIGHT
        )
        assert isinstance(height, float | int)
        return float(height)

    def keep_room(self, height: float) -> None:
        """Start a new page unless `height` mm still fit on this one."""
        if self.will_page_break(height):
            self.add_page()

    def rule(self, width: float | None = None) -> None:
        """Draw a thin line at the current height, as wide as the text (or `width`)."""
        length = self.content_width if width is None else width
        start = self.w - self.r_margin - length if self.rtl else self.l_margin
        self.set_draw_color(*GREY)
        self.set_line_width(0.2)
        self.line(start, self.y, start + length, self.y)
