"""The link and QR code that open a printed lesson in the chat."""

from __future__ import annotations

import io

import segno

from content.model import Course, Lesson

QR_SCALE = 8  # pixels per module: crisp when printed, whatever the viewer's interpolation
QR_BORDER = 4  # the quiet zone the QR standard asks for, in modules


def lesson_link(base_url: str, course: Course, lesson: Lesson) -> str:
    """Return the short link of a lesson: {base_url}/l/{course}/{lesson}."""
    return f"{base_url.rstrip('/')}/l/{course.id}/{lesson.id}"


def qr_png(link: str) -> io.BytesIO:
    """Return a black and white PNG of the link's QR code (medium error correction)."""
    buffer = io.BytesIO()
    qr = segno.make(link, error="m", micro=False)
    qr.save(buffer, kind="png", scale=QR_SCALE, border=QR_BORDER)
    buffer.seek(0)
    return buffer


def qr_matrix(link: str) -> list[list[bool]]:
    """Return the QR code's modules (True = dark), without quiet zone: for checks."""
    qr = segno.make(link, error="m", micro=False)
    return [[bool(cell) for cell in row] for row in qr.matrix]
