"""A lesson's exercises without answers, and the answer key at the end of the booklet."""

from __future__ import annotations

from fpdf.enums import XPos, YPos

from bot.booklet.document import ACCENT, GREY, Booklet
from bot.booklet.kinds import numbered, printed_text
from bot.booklet.labels import labels, number
from content.kinds import KINDS, Sheet
from content.kinds.base import Boxes, Indented
from content.kinds.matching import sides
from content.model import Course, Lesson, Question, Quiz
from content.paper import example_answers, paper_code

BOX = 3.2  # mm: side of a box to tick
INDENT = 6.0  # mm: choices and answer lines sit under the question's text


def exercises(pdf: Booklet, course: Course, lesson: Lesson) -> None:
    """Print the quiz of a lesson as numbered exercises, with boxes and lines, no answers."""
    if lesson.quiz is None:
        return
    words = labels(course.language)
    code = paper_code(course, lesson)
    how = words["paper"].format(code=code, example=paper_example(lesson.quiz, words))
    # The heading and the line under it stay with the first exercise.
    heading = 3 + pdf.height_of(words["exercises"], 14) + 2 + pdf.height_of(how, 9) + 3
    first = lesson.quiz.questions[0] if lesson.quiz.questions else None
    pdf.keep_room(heading + (_question_height(pdf, first) if first else 0))
    pdf.ln(3)
    pdf.para(words["exercises"], 14, bold=True, color=ACCENT, after=2)
    pdf.para(how, 9, after=3)
    for index, question in numbered(lesson.quiz.questions):
        pdf.keep_room(_question_height(pdf, question))
        pdf.para(_question_text(index, question, words), 11, after=1.5)
        _answer_space(pdf, question, words)
        pdf.ln(3)


def paper_example(quiz: Quiz, words: dict[str, str] | None = None) -> str:
    """A made-up line of answers in the shape content/paper.py reads (one per exercise,
    separated by " ; ", so that an answer may hold several words)."""
    return example_answers(quiz, (words or {}).get("true", "V"))


def _question_text(index: int | None, question: Question, words: dict[str, str]) -> str:
    """Return the numbered question, with a hint when several options are right."""
    hint = f" {words['several']}" if KINDS[question.type].printed.several else ""
    text = printed_text(question)
    return text if index is None else f"{index}. {text}{hint}"


def _question_height(pdf: Booklet, question: Question) -> float:
    """Return about how tall a question and its answer space are, to keep them together."""
    height = pdf.height_of(printed_text(question), 11) + 6
    for choice in question.choices:
        height += pdf.height_of(choice.text, 11, pdf.content_width - INDENT - BOX - 2) + 1.5
    lefts, rights = sides(question)
    height += 7 * max(len(lefts), len(rights))
    lines = KINDS[question.type].printed.lines
    return height + (8 * lines if lines > 1 else 10)


def _answer_space(pdf: Booklet, question: Question, words: dict[str, str]) -> None:
    """Print what the learner fills in, as its kind lays it out (content/kinds/)."""
    for part in KINDS[question.type].printed.space(question, Sheet(words, str)):
        if isinstance(part, Boxes) and part.inline:
            _boxes_in_line(pdf, list(part.texts))
        elif isinstance(part, Boxes):
            for text in part.texts:
                _choice(pdf, text)
        elif isinstance(part, Indented):
            for text in part.texts:
                pdf.set_x(pdf.l_margin + (0 if pdf.rtl else INDENT))
                pdf.para(text, 11, width=pdf.content_width - INDENT, after=part.after)
        else:
            _write_line(pdf, words["answer"], part.lines)


def _choice(pdf: Booklet, text: str) -> None:
    """Print a box to tick and its option, which may wrap on several lines."""
    pdf.set_font(pdf.family, size=11)
    width = pdf.content_width - INDENT - BOX - 2
    top = pdf.y
    box_x = pdf.w - pdf.r_margin - INDENT - BOX if pdf.rtl else pdf.l_margin + INDENT
    _box(pdf, box_x, top)
    pdf.set_xy(pdf.l_margin if pdf.rtl else box_x + BOX + 2, top)
    pdf.multi_cell(width, 5.5, text, align=pdf.align, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(1)


def _boxes_in_line(pdf: Booklet, options: list[str]) -> None:
    """Print short options side by side, each after its box (Vrai / Faux)."""
    pdf.set_font(pdf.family, size=11)
    top = pdf.y
    edge = pdf.w - pdf.r_margin - INDENT if pdf.rtl else pdf.l_margin + INDENT
    step = -1 if pdf.rtl else 1
    for option in options:
        label_width = pdf.get_string_width(option) + 2
        box_x = edge - BOX if pdf.rtl else edge
        _box(pdf, box_x, top)
        label_x = box_x - 2 - label_width if pdf.rtl else box_x + BOX + 2
        pdf.set_xy(label_x, top)
        pdf.cell(label_width, 5.5, option, align=pdf.align)
        edge += step * (BOX + 2 + label_width + 8)
    pdf.set_xy(pdf.l_margin, top + 6.5)


def _box(pdf: Booklet, x: float, top: float) -> None:
    """Draw an empty box to tick, aligned with a line of text starting at `top`."""
    pdf.set_draw_color(*GREY)
    pdf.set_line_width(0.3)
    pdf.rect(x, top + 1, BOX, BOX)


def _write_line(pdf: Booklet, label: str, lines: int) -> None:
    """Print "Réponse :" and a dotted line to write the answer on."""
    pdf.set_font(pdf.family, size=10)
    pdf.set_text_color(*GREY)
    label_width = pdf.get_string_width(label) + 2
    for line in range(lines):
        pdf.ln(3)
        y = pdf.y + 4
        if pdf.rtl:
            pdf.set_x(pdf.w - pdf.r_margin - INDENT - label_width)
        else:
            pdf.set_x(pdf.l_margin + INDENT)
        pdf.cell(label_width, 5, "" if line else label)
        start = pdf.l_margin if pdf.rtl else pdf.l_margin + INDENT + label_width
        end = pdf.w - pdf.r_margin - INDENT - label_width if pdf.rtl else pdf.w - pdf.r_margin
        pdf.set_draw_color(*GREY)
        pdf.set_line_width(0.2)
        pdf.set_dash_pattern(dash=0.6, gap=0.8)
        pdf.line(start, y, end, y)
        pdf.set_dash_pattern()
        pdf.set_xy(pdf.l_margin, y + 1)
    pdf.set_text_color(0, 0, 0)


def answer_key(pdf: Booklet, course: Course) -> None:
    """Print, lesson by lesson, each question's number, right answer(s) and explanation."""
    words = labels(course.language)
    pdf.add_page()
    pdf.start_section(words["answers"])
    pdf.para(words["answers"], 18, bold=True, color=ACCENT, after=4)
    for index, lesson in enumerate(course.lessons, start=1):
        if lesson.quiz is None:
            continue
        title = f"{words['lesson']} {index}. {lesson.title}"
        heading = pdf.height_of(title, 12) + 2
        for qnum, question in numbered(lesson.quiz.questions):
            if qnum is None:
                continue
            answer = f"{qnum}. {right_answer(question, course.language, words)}"
            explanation = pdf.height_of(question.explanation, 9) if question.explanation else 0
            pdf.keep_room(heading + pdf.height_of(answer, 10) + explanation + 3)
            if heading:  # the lesson's title stays with its first answer
                pdf.para(title, 12, bold=True, after=2)
                heading = 0
            pdf.para(answer, 10, after=0.5)
            if question.explanation:
                pdf.para(question.explanation, 9, color=GREY, after=2)
        pdf.ln(2)


def right_answer(question: Question, language: str, words: dict[str, str]) -> str:
    """Return the right answer(s) of a question as printed in the key, in a shape the paper
    answers understand when typed back (content/paper.py): no ";", which separates answers."""
    sheet = Sheet(words, lambda value: number(value, language))
    return KINDS[question.type].printed.key(question, sheet)
