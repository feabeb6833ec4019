"""Cover, table of contents and lessons (their steps, images, QR code and link)."""

from __future__ import annotations

from pathlib import Path

from fpdf import FPDF
from fpdf.enums import Align
from fpdf.outline import OutlineSection
from PIL import Image

from bot.booklet.document import ACCENT, GREY, INK, Booklet
from bot.booklet.labels import labels, subject_name
from bot.booklet.qr import lesson_link, qr_png
from content.images import Unreadable, pixel_size, too_large
from content.model import Course, Lesson, Step, StepKind

TOC_ROWS = 18  # lines of the table of contents on a page
TOC_INDENT = 5.0  # mm: lessons under their module in the table of contents
QR_SIZE = 26.0  # mm: about 1 mm per module for a short link, easy for any phone
PRINT_SIDE = 1600  # pixels: an A5 page's text width (128 mm) at 300 dpi is about 1,500
MAX_IMAGE_HEIGHT = 75.0  # mm: keeps a tall picture from taking a whole page
MIN_IMAGE_HEIGHT = 45.0  # mm: shrink a picture down to this to keep it on the page
LINE = 5.5  # mm: one line of running text (11 pt)


def cover(pdf: Booklet, course: Course) -> None:
    """Print the cover: title, summary, levels, subject, authors, attribution, licence."""
    words = labels(course.language)
    pdf.add_page()
    pdf.set_y(45)
    pdf.para(course.title, 24, bold=True, color=ACCENT, align=Align.C, after=6)
    if course.summary:
        pdf.para(course.summary, 11, color=GREY, align=Align.C, after=10)
    pdf.para(f"{words['levels']} : {', '.join(course.levels)}", 12, align=Align.C)
    pdf.para(f"{words['subject']} : {subject_name(course.subject)}", 12, align=Align.C)
    if course.objectives:
        pdf.ln(6)
        for objective in course.objectives:  # what the learner will be able to do
            pdf.para(f"• {objective}", 10, align=Align.C, after=1)
    pdf.set_y(max(pdf.get_y() + 4, pdf.h - 60))
    pdf.rule()
    pdf.ln(3)
    if course.authors:
        pdf.para(f"{words['authors']} : {', '.join(course.authors)}", 10, align=Align.C)
    for link in course.attribution:  # the chain of adaptations, as the course words it
        pdf.para(link, 9, color=GREY, align=Align.C, after=1)
    pdf.para(f"{words['licence']} : {course.licence}", 10, align=Align.C)
    pdf.para("Imaginecole", 10, color=GREY, align=Align.C)


def table_of_contents(pdf: FPDF, outline: list[OutlineSection]) -> None:
    """Print the sections (lessons, answer key) and their pages, TOC_ROWS lines a page."""
    assert isinstance(pdf, Booklet)
    words = labels(pdf.course_language)
    pdf.set_xy(pdf.l_margin, pdf.t_margin)
    pdf.para(words["contents"], 18, bold=True, color=ACCENT, after=6)
    nested = any(section.level == 1 for section in outline)  # modules above lessons
    for row, section in enumerate(s for s in outline if s.level <= 1):
        if row and row % TOC_ROWS == 0:
            pdf.add_page()  # the next page reserved by insert_toc_placeholder
        _toc_row(pdf, section, highlight=nested and section.level == 0)


def _toc_row(pdf: Booklet, section: OutlineSection, *, highlight: bool) -> None:
    """One line of the table of contents: title (cut to one line) and page number.

    A course with modules prints each module in colour and its lessons indented under it.
    """
    indent = TOC_INDENT * section.level
    pdf.set_font(pdf.family, size=11)
    pdf.set_text_color(*(ACCENT if highlight else INK))
    number_width = 12.0
    title = _one_line(pdf, section.name, pdf.content_width - indent - number_width - 2)
    link = pdf.add_link(page=section.page_number)
    cells = [
        (pdf.content_width - indent - number_width, title),
        (number_width, str(section.page_number)),
    ]
    pdf.set_x(pdf.l_margin + (0 if pdf.rtl else indent))
    for width, text in reversed(cells) if pdf.rtl else cells:
        align = Align.R if (text == title) == pdf.rtl else Align.L
        pdf.cell(width, 6, text, align=align, link=link)
    pdf.set_text_color(*INK)
    pdf.set_xy(pdf.l_margin, pdf.y + 8)


def _one_line(pdf: Booklet, text: str, width: float) -> str:
    """Return the text, cut with an ellipsis if it is wider than `width`."""
    if pdf.get_string_width(text) <= width:
        return text
    while text and pdf.get_string_width(text + "…") > width:
        text = text[:-1]
    return text.rstrip() + "…"


def toc_pages(course: Course) -> int:
    """Return how many pages the table of contents spans (one line a lesson, and the key)."""
    rows = len(course.lessons) + len(course.modules) + 1
    return max(1, -(-rows // TOC_ROWS))


def lesson_heading(
    pdf: Booklet, course: Course, lesson: Lesson, number: int, base_url: str
) -> None:
    """Start a lesson on a new page: number and title beside the QR code, then the link."""
    words = labels(course.language)
    if number > 1:  # the table of contents leaves a fresh page for the first lesson
        pdf.add_page()
    part = course.module_of(lesson.id)
    if part is not None and part.lesson_ids[0] == lesson.id:  # a module opens here
        title = f"{words['module']} {course.modules.index(part) + 1} · {part.title}"
        pdf.start_section(title, level=0)
        pdf.para(title, 12, bold=True, color=ACCENT, after=2)
        pdf.rule()
        pdf.ln(3)
    pdf.start_section(f"{number}. {lesson.title}", level=1 if part else 0)
    top = pdf.y
    link = lesson_link(base_url, course, lesson)
    qr_x = pdf.l_margin if pdf.rtl else pdf.w - pdf.r_margin - QR_SIZE
    pdf.image(qr_png(link), x=qr_x, y=top, w=QR_SIZE, h=QR_SIZE, link=link)
    text_width = pdf.content_width - QR_SIZE - 4
    if pdf.rtl:
        pdf.set_x(pdf.l_margin + QR_SIZE + 4)
    pdf.para(f"{words['lesson']} {number}", 10, color=GREY, width=text_width, after=1)
    if pdf.rtl:
        pdf.set_x(pdf.l_margin + QR_SIZE + 4)
    pdf.para(lesson.title, 17, bold=True, color=ACCENT, width=text_width)
    pdf.set_y(max(pdf.y, top + QR_SIZE + 1))
    pdf.para(f"{words['chat']} {link}", 8, color=GREY, after=1)
    pdf.rule()
    pdf.ln(4)


def lesson_body(pdf: Booklet, course: Course, lesson: Lesson) -> None:
    """Print the lesson's steps: text as paragraphs, images, audio as a short note.

    A paragraph that introduces what follows (it ends with a colon) never ends a page alone:
    it moves to the next page unless the start of what it introduces fits under it.
    """
    words = labels(course.language)
    for index, step in enumerate(lesson.steps):
        following = lesson.steps[index + 1] if index + 1 < len(lesson.steps) else None
        if step.kind is StepKind.IMAGE:
            image(pdf, step)
        elif step.kind is StepKind.AUDIO:
            note = f"{words['audio']} : {step.text}" if step.text else words["audio"]
            pdf.para(note, 9, color=GREY, after=3)
        elif step.kind is StepKind.VIDEO:
            pdf.para(f"{words['video']} : {step.text} {step.url}".strip(), 9, color=GREY, after=3)
        elif step.kind is StepKind.DOCUMENT:
            document(pdf, step)
        else:
            paragraphs = [paragraph.strip() for paragraph in step.text.split("\n\n")]
            for n, paragraph in enumerate(paragraphs):
                if paragraph.endswith(":"):
                    after = paragraphs[n + 1] if n + 1 < len(paragraphs) else following
                    pdf.keep_room(pdf.height_of(paragraph, 11) + 2.5 + opening(pdf, after))
                pdf.para(paragraph, 11, after=2.5)


def opening(pdf: Booklet, block: str | Step | None) -> float:
    """How tall the start of a block is: what must fit under a heading or a lead-in (two
    lines of a paragraph, a picture at its smallest with its caption)."""
    if block is None:
        return 0.0
    if isinstance(block, str):
        return min(pdf.height_of(block, 11), 2 * LINE)
    if block.kind is StepKind.IMAGE and block.media is not None:
        return MIN_IMAGE_HEIGHT + (pdf.height_of(block.text, 9) if block.text else 0) + 6
    if block.kind is StepKind.TEXT:
        return opening(pdf, block.text.split("\n\n")[0].strip())
    return 2 * LINE


def document(pdf: Booklet, step: Step) -> None:
    """A text worksheet is printed whole; another file gets a note with its name."""
    worksheet = step.media is not None and step.media.suffix.lower() == ".txt"
    if step.text:  # the worksheet's title stays with its first lines
        pdf.keep_room(pdf.height_of(step.text, 11) + 2 + 2 * LINE)
        pdf.para(step.text, 11, bold=True, after=2)
    if step.media is not None and worksheet:
        for paragraph in step.media.read_text(encoding="utf-8").split("\n\n"):
            pdf.para(paragraph.strip(), 9, after=2)
    elif step.media is not None:
        pdf.para(step.media.name, 9, color=GREY, after=3)


def image(pdf: Booklet, step: Step) -> None:
    """Print an image as wide as the text (at most MAX_IMAGE_HEIGHT tall), its caption under it."""
    if step.media is None:
        return
    try:
        size = pixel_size(step.media)
    except Unreadable:
        size = None
    if too_large(size) or size is None:  # never decoded: a note with its caption instead
        pdf.para(step.text or step.media.name, 9, color=GREY, after=3)
        return
    px_width, px_height = size
    caption_height = (pdf.height_of(step.text, 9) if step.text else 0) + 6
    room = pdf.page_break_trigger - pdf.y - caption_height
    limit = room if room >= MIN_IMAGE_HEIGHT else MAX_IMAGE_HEIGHT
    width, height = _fit(pdf.content_width, px_height / px_width, min(limit, MAX_IMAGE_HEIGHT))
    pdf.keep_room(height + caption_height)
    x = pdf.l_margin + (pdf.content_width - width) / 2
    pdf.image(_printable(step.media, size), x=x, y=pdf.y, w=width, h=height)
    pdf.set_xy(pdf.l_margin, pdf.y + height + 1.5)
    if step.text:
        pdf.para(step.text, 9, color=GREY, align=Align.C, after=4)
    else:
        pdf.ln(3)
    pdf.set_x(pdf.l_margin)


def _printable(path: Path, size: tuple[int, int]) -> str | Image.Image:
    """The picture at print resolution: a photo wider than PRINT_SIDE pixels is shrunk (JPEG
    decoded at a fraction of its size), so the booklet holds what paper can show."""
    if max(size) <= PRINT_SIDE:
        return str(path)
    with Image.open(path) as opened:
        opened.draft("RGB", (PRINT_SIDE, PRINT_SIDE))
        picture = opened if opened.mode in ("RGB", "RGBA", "L") else opened.convert("RGBA")
        picture.thumbnail((PRINT_SIDE, PRINT_SIDE))
        return picture.copy()


def _fit(width: float, ratio: float, max_height: float) -> tuple[float, float]:
    """Return the size of a picture as wide as `width`, shrunk to `max_height` if taller."""
    height = width * ratio
    if height > max_height:
        return max_height / ratio, max_height
    return width, height
