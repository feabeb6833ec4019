"""The certificate: one A5 landscape page, centred text, the code and its QR code."""

from __future__ import annotations

import textwrap

from fpdf import FPDF
from fpdf.enums import Align, XPos, YPos

from bot.booklet.fonts import install_fonts, needs_shaping
from bot.booklet.qr import qr_png
from dialogs.certificate_ports import Certificate, CertificateWording

PAGE = (148.0, 210.0)  # A5, printed landscape
ACCENT = (20, 70, 140)
GREY = (90, 90, 90)
QR_SIZE = 40.0  # mm: the long link stays readable by a cheap phone's camera
CODE_LINE = 64  # characters of the code per printed line


def render_certificate(
    certificate: Certificate, wording: CertificateWording, code: str, link: str, language: str
) -> bytes:
    """The PDF of a certificate in the learner's language."""
    texts = (certificate.name, wording.title, wording.course, wording.details)
    pdf = FPDF(orientation="L", unit="mm", format=PAGE)
    family = install_fonts(pdf, language, needs_shaping(language, texts))
    pdf.set_margins(14, 12, 14)
    pdf.set_auto_page_break(False)
    pdf.add_page()
    pdf.set_draw_color(*ACCENT)
    pdf.set_line_width(1.2)
    pdf.rect(6, 6, pdf.w - 12, pdf.h - 12)
    _line(pdf, family, wording.programme, 11, ACCENT)
    pdf.ln(2)
    _line(pdf, family, wording.title, 22, ACCENT, stroke=True)
    pdf.ln(3)
    _line(pdf, family, wording.awarded_to, 11, GREY)
    _line(pdf, family, certificate.name, 20, (20, 20, 20), stroke=True)
    pdf.ln(2)
    _line(pdf, family, wording.course, 12, (20, 20, 20))
    _line(pdf, family, wording.details, 11, GREY)
    _footer(pdf, family, wording, code, link)
    return bytes(pdf.output())


def _line(
    pdf: FPDF,
    family: str,
    text: str,
    size: float,
    color: tuple[int, int, int],
    stroke: bool = False,
) -> None:
    """A centred paragraph; `stroke` thickens it (the variable font's bold costs seconds)."""
    pdf.set_font(family, size=size)
    pdf.set_text_color(*color)
    if stroke:
        pdf.set_draw_color(*color)
        pdf.set_line_width(0.15)
        pdf.text_mode = "FILL_STROKE"
    pdf.multi_cell(0, size * 0.5, text, align=Align.C, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.text_mode = "FILL"


def _footer(pdf: FPDF, family: str, wording: CertificateWording, code: str, link: str) -> None:
    """The QR code of the verification link, and the code in small print beside it."""
    top = pdf.h - 12 - QR_SIZE
    pdf.image(qr_png(link), x=pdf.l_margin, y=top, w=QR_SIZE, h=QR_SIZE)
    left = pdf.l_margin + QR_SIZE + 4
    pdf.set_xy(left, top + 4)
    pdf.set_font(family, size=8)
    pdf.set_text_color(*GREY)
    width = pdf.w - left - pdf.r_margin
    pdf.multi_cell(width, 4, wording.verify, align=Align.L, new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.set_font("Courier", size=6.5)
    for part in textwrap.wrap(code, CODE_LINE, break_long_words=True):
        pdf.cell(width, 3, part, new_x=XPos.LEFT, new_y=YPos.NEXT)
