"""Printed booklets: every bundled course renders, in order, with its QR codes and answer key."""

from __future__ import annotations

import argparse
import io
import re
import unicodedata
from dataclasses import replace
from pathlib import Path

import pypdf
import pytest
from PIL import Image

from bot.booklet import cli as booklet_cli
from bot.booklet import lesson_link, render_booklet
from bot.booklet.exercises import paper_example, right_answer
from bot.booklet.kinds import numbered, printed_text
from bot.booklet.labels import labels
from bot.booklet.qr import QR_BORDER, QR_SCALE, qr_matrix
from content.kinds import KINDS, Sheet
from content.kinds.base import Boxes, Indented
from content.library import DEFAULT_LIBRARY, load_library
from content.model import (
    Choice,
    Course,
    Lesson,
    NumericAnswer,
    Question,
    QuestionType,
    Quiz,
    Step,
    StepKind,
)
from content.paper import paper_code

LIBRARY = load_library()
COURSES = {course.id: course for course in LIBRARY.courses}
BASE = "https://example.org"


def flat(text: str) -> str:
    """Collapse whitespace (line wraps) and fold presentation forms, to search text."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text)).strip()


def pages_text(pdf: bytes) -> list[str]:
    """Return the flattened text of each page."""
    return [flat(page.extract_text()) for page in pypdf.PdfReader(io.BytesIO(pdf)).pages]


# Text extraction scrambles shaped Arabic (stray control characters, visual order): the word
# by word checks run on left-to-right courses; Arabic has its own tests below.
LEFT_TO_RIGHT = sorted(key for key, course in COURSES.items() if course.language != "ar")


@pytest.fixture(scope="module", params=LEFT_TO_RIGHT)
def rendered(request: pytest.FixtureRequest) -> tuple[Course, bytes]:
    course = COURSES[request.param]
    return course, render_booklet(course, base_url=BASE)


def test_the_library_has_courses_to_print() -> None:
    assert len(COURSES) >= 3


def test_the_bundled_arabic_course_prints() -> None:
    course = COURSES["arabe-nombres"]
    pdf = render_booklet(course, base_url=BASE)
    pages = pages_text(pdf)
    assert len(pages) >= len(course.lessons) + 2
    assert course.licence in pages[0]
    assert all(f"{BASE}/l/{course.id}/{lesson.id}" in " ".join(pages) for lesson in course.lessons)


def test_a_booklet_is_an_a5_pdf_with_cover_and_contents(rendered: tuple[Course, bytes]) -> None:
    course, pdf = rendered
    assert pdf.startswith(b"%PDF")
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    box = reader.pages[0].mediabox
    assert (round(float(box.width) * 25.4 / 72), round(float(box.height) * 25.4 / 72)) == (
        148,
        210,
    )
    cover, contents = pages_text(pdf)[:2]
    assert flat(course.title) in cover
    assert ", ".join(course.levels) in cover
    assert course.licence in cover
    for author in course.authors:
        assert flat(author) in cover
    assert "Sommaire" in contents
    for lesson in course.lessons:
        assert flat(lesson.title) in contents


def test_lessons_questions_and_key_come_in_order(rendered: tuple[Course, bytes]) -> None:
    course, pdf = rendered
    body = " ".join(pages_text(pdf)[2:])
    key_at = body.index("Corrigé")
    position = 0
    words = labels(course.language)
    for lesson in course.lessons:
        position = body.index(flat(lesson.title), position)
        assert position < key_at
        for question in lesson.quiz.questions if lesson.quiz else ():
            position = body.index(flat(printed_text(question)), position)
            sheet = Sheet(words, str)
            for part in KINDS[question.type].printed.space(question, sheet):  # as the kind says
                for text in part.texts if isinstance(part, Boxes | Indented) else ():
                    position = body.index(flat(text), position)
            assert position < key_at
    words = labels(course.language)
    position = key_at
    for lesson in course.lessons:
        for number, question in numbered(lesson.quiz.questions if lesson.quiz else ()):
            if number is None:
                continue
            answer = flat(f"{number}. {right_answer(question, course.language, words)}")
            position = body.index(answer, position)
            if question.explanation:
                # The explanation is printed in the key only, never beside the exercise.
                position = body.index(flat(question.explanation), position)
                assert body.index(flat(question.explanation)) > key_at


def test_the_key_reads_as_a_teacher_expects() -> None:
    pdf = render_booklet(COURSES["paludisme"], base_url=BASE)
    key = " ".join(pages_text(pdf)).split("Corrigé")[-1]
    assert "1. b) L'anophèle femelle, un moustique" in key
    assert "2. Faux" in key
    assert "3. malaria ou la malaria" in key
    assert "1. 38 (± 0,5)" in key


def test_exercises_leave_room_to_answer() -> None:
    text = " ".join(pages_text(render_booklet(COURSES["paludisme"])))
    before_key = text.split("Corrigé")[-2]
    assert "Vrai Faux" in before_key
    assert "Réponse :" in before_key
    assert "(plusieurs réponses possibles)" in before_key


def qr_images(pdf: bytes) -> dict[int, Image.Image]:
    """Return the square black and white image (the QR code) of each page that has one."""
    found = {}
    for index, page in enumerate(pypdf.PdfReader(io.BytesIO(pdf)).pages):
        for image in page.images:
            picture = image.image
            if picture is not None and picture.width == picture.height:
                found[index] = picture.convert("L")
    return found


def modules(picture: Image.Image) -> list[list[bool]]:
    """Read the QR modules back from its PNG (QR_SCALE pixels a module, QR_BORDER around)."""
    size = picture.width // QR_SCALE - 2 * QR_BORDER
    half = QR_SCALE // 2
    return [
        [
            _dark(picture, (QR_BORDER + x) * QR_SCALE + half, (QR_BORDER + y) * QR_SCALE + half)
            for x in range(size)
        ]
        for y in range(size)
    ]


def _dark(picture: Image.Image, x: int, y: int) -> bool:
    """Tell whether a pixel of a greyscale picture is dark."""
    value = picture.getpixel((x, y))
    assert isinstance(value, int)
    return value < 128


def test_each_lesson_first_page_has_its_qr_code_and_link(rendered: tuple[Course, bytes]) -> None:
    course, pdf = rendered
    texts = pages_text(pdf)
    qrs = qr_images(pdf)
    assert len(qrs) == len(course.lessons)
    for (page, picture), lesson in zip(sorted(qrs.items()), course.lessons, strict=True):
        link = lesson_link(BASE, course, lesson)
        assert link == f"{BASE}/l/{course.id}/{lesson.id}"
        assert flat(lesson.title) in texts[page]
        assert link in texts[page]
        assert modules(picture) == qr_matrix(link)


def test_the_qr_code_decodes_to_the_lesson_link() -> None:
    zxingcpp = pytest.importorskip("zxingcpp")
    course = COURSES["fractions"]
    pdf = render_booklet(course)
    for (_, picture), lesson in zip(sorted(qr_images(pdf).items()), course.lessons, strict=True):
        (result,) = zxingcpp.read_barcodes(picture)
        assert result.text == f"https://imaginecole.org/l/fractions/{lesson.id}"


def arabic_course() -> Course:
    """A tiny Arabic course: right-to-left text, an image, every question type."""
    image = next((DEFAULT_LIBRARY / "fractions" / "images").glob("*.png"))
    questions = (
        Question("q1", QuestionType.SINGLE, "ما هو الماء؟", choices=(
            Choice("a", "سائل", True), Choice("b", "حجر", False))),
        Question("q2", QuestionType.TRUE_FALSE, "الماء ضروري للحياة.", truth=True,
                 explanation="كل الكائنات الحية تحتاج إلى الماء."),
        Question("q3", QuestionType.SHORT, "اكتب كلمة ماء.", accepted=("ماء",)),
        Question("q4", QuestionType.NUMERIC, "كم لترا نشرب كل يوم؟",
                 numeric=(NumericAnswer(2, 0.5),)),
    )  # fmt: skip
    lesson = Lesson(
        "ma",
        "الماء والحياة",
        (
            Step(StepKind.TEXT, "نشرب الماء النظيف كل يوم.\n\nالماء ضروري للحياة."),
            Step(StepKind.IMAGE, "صورة الماء", media=image),
            Step(StepKind.AUDIO, "استمع إلى الملخص"),
        ),
        Quiz(questions),
    )
    return Course("ma", "درس الماء", "sciences", ("CM1",), "ar", lessons=(lesson,))


def test_an_arabic_course_is_shaped_and_printed() -> None:
    pdf = render_booklet(arabic_course())
    # pypdf reads shaped Arabic glyph by glyph, with stray control characters between some
    # of them and words of a line in visual order: drop the former, look for whole words.
    text = "".join(ch for ch in " ".join(pages_text(pdf)) if unicodedata.category(ch) != "Cc")
    for word in ("درس الماء", "الماء", "الحياة", "المحتويات", "الدرس", "صحيح", "ماء"):
        assert word in text, word
    assert "https://imaginecole.org/l/ma/ma" in text


def test_the_largest_course_prints_whole() -> None:
    # Its speed is measured in bench/content.py, never timed here (shared, noisy machines).
    course = max(LIBRARY.courses, key=lambda c: sum(len(le.steps) for le in c.lessons))
    pdf = render_booklet(course)
    assert len(pypdf.PdfReader(io.BytesIO(pdf)).pages) > 8


def test_modules_head_their_lessons_in_the_contents_and_the_pages() -> None:
    course = COURSES["paludisme"]
    texts = pages_text(render_booklet(course, base_url=BASE))
    contents = texts[1]
    row = r"Partie 2 · Se protéger (\d+) 2\. La moustiquaire (\d+) 3\. L'eau qui stagne \d+"
    found = re.search(row, contents)
    assert found and found[1] == found[2], "a module starts on the page of its first lesson"
    first_of_module = next(t for t in texts[2:] if "/l/paludisme/moustiquaire" in t)
    assert first_of_module.startswith("Partie 2 · Se protéger Leçon 2 La moustiquaire")
    second = next(t for t in texts[2:] if "/l/paludisme/eau-stagnante" in t)
    assert "Partie" not in second.split("Leçon 3")[0]


def test_the_booklet_prints_to_a_file(tmp_path: Path) -> None:
    out = tmp_path / "fractions.pdf"
    out.write_bytes(render_booklet(COURSES["fractions"]))
    assert out.stat().st_size > 10_000


def test_a_long_contents_spans_pages_and_points_to_the_lessons() -> None:
    lessons = tuple(
        replace(lesson, id=f"{lesson.id}-{n}")
        for n in range(3)
        for course in LIBRARY.courses
        if course.language != "ar"  # extraction scrambles shaped Arabic
        for lesson in course.lessons
    )
    course = replace(COURSES["fractions"], lessons=lessons, modules=())
    pdf = render_booklet(course)
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    starts = [
        reader.get_destination_page_number(item)
        for item in reader.outline
        if isinstance(item, pypdf.generic.Destination)
    ]
    assert len(starts) == len(lessons) + 1  # the lessons and the answer key
    texts = pages_text(pdf)
    contents = " ".join(texts[1 : starts[0]])
    for number, (lesson, start) in enumerate(zip(lessons, starts, strict=False), 1):
        assert start is not None
        assert flat(f"{number}. {lesson.title} {start + 1}") in contents
        assert f"/l/fractions/{lesson.id}" in texts[start]


def test_the_command_writes_a_booklet(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    parser = argparse.ArgumentParser()
    booklet_cli.add_parser(parser.add_subparsers(dest="command"))
    out = tmp_path / "palu.pdf"
    args = parser.parse_args(["booklet", "paludisme", "--out", str(out)])
    assert booklet_cli.run(args.course, args.out, args.base_url) == 0
    assert out.read_bytes().startswith(b"%PDF")
    folder = DEFAULT_LIBRARY / "fractions"
    assert booklet_cli.run(str(folder), tmp_path / "f.pdf") == 0
    assert booklet_cli.run("nope", tmp_path / "n.pdf") == 1
    assert "nope" in capsys.readouterr().err


@pytest.mark.skipif(
    "matching" not in {t.value for t in QuestionType}, reason="model without the new kinds"
)
def test_newer_question_kinds_print_with_their_key() -> None:
    from content.model import Pair  # type: ignore[attr-defined,unused-ignore]

    kinds = {t.value: t for t in QuestionType}
    questions = (
        Question("q1", kinds["description"], "Lis bien le texte avant de répondre."),
        Question("q2", kinds["matching"], "Relie chaque nombre à son nom.", pairs=(
            Pair("1/2", "un demi"), Pair("1/4", "un quart"), Pair("", "un tiers"))),
        Question("q3", kinds["missing_word"], "Une moitié, c'est", text_after="de la galette.",
                 accepted=("la moitié", "1/2")),
        Question("q4", kinds["essay"], "Explique comment tu partages une galette."),
    )  # fmt: skip
    lesson = Lesson("nouveau", "Les nouveaux exercices", (Step(StepKind.TEXT, "Texte."),))
    lesson = replace(lesson, quiz=Quiz(questions))
    course = replace(COURSES["fractions"], lessons=(lesson,))
    text = " ".join(pages_text(render_booklet(course)))
    exercises, key = text.split("Corrigé")[-2:]
    assert "Lis bien le texte avant de répondre." in exercises
    assert "1. Relie chaque nombre à son nom." in exercises
    assert "1. 1/2 : ____" in exercises
    assert "a) un demi, b) un quart, c) un tiers" in exercises
    assert "2. Une moitié, c'est ________ de la galette." in exercises
    assert "3. Explique comment tu partages une galette." in exercises
    assert "1. 1 – a, 2 – b" in key  # no ";": it separates answers sent back (content/paper.py)
    assert "2. la moitié ou 1/2" in key
    assert "3. réponse libre" in key


def test_each_quiz_prints_its_code_for_paper_answers() -> None:
    course = COURSES["paludisme"]
    body = " ".join(pages_text(render_booklet(course, base_url=BASE)))
    for number in range(1, len(course.lessons) + 1):
        assert f"Code PAL{number}." in body
    # The example line shows answers separated by ";", so that one may hold several words.
    assert "séparées par « ; »" in body and "PAL1 b ; Vrai ;" in body


async def test_booklets_for_the_chat_are_rendered_once_with_the_public_url() -> None:
    from bot.booklet.service import CachedBooklets

    booklets = CachedBooklets("https://ecole.example/")
    first = await (await booklets.booklet(COURSES["fractions"])).make()
    again = await (await booklets.booklet(COURSES["fractions"])).make()
    assert first.startswith(b"%PDF") and again is first
    assert booklets.renderer.rendered == 1
    assert "https://ecole.example/l/fractions/" in " ".join(pages_text(first))


def headings(course: Course) -> list[str]:
    """What must never end a page, flattened: the exercises' heading with the paper code line
    under it, the key's lesson titles, modules, worksheet titles, and a paragraph that
    introduces what follows (it ends with a colon)."""
    words = labels(course.language)
    found = [words["exercises"], words["answers"]]
    for index, lesson in enumerate(course.lessons, start=1):
        found.append(f"{words['lesson']} {index}. {lesson.title}")
        if lesson.quiz is not None:
            example = paper_example(lesson.quiz)
            found.append(words["paper"].format(code=paper_code(course, lesson), example=example))
        for step in lesson.steps:
            if step.kind is StepKind.DOCUMENT and step.text:
                found.append(step.text)
            if step.kind is StepKind.TEXT:
                found += [p for p in step.text.split("\n\n") if p.strip().endswith(":")]
    for number, part in enumerate(course.modules, start=1):
        found.append(f"{words['module']} {number} · {part.title}")
    return [flat(text) for text in found if text.strip()]


def page_bodies(pdf: bytes) -> list[str]:
    """Each page's flattened text without its page number (the footer)."""
    pages = pypdf.PdfReader(io.BytesIO(pdf)).pages
    return [
        flat(" ".join(line for line in page.extract_text().splitlines() if line.strip() != str(n)))
        for n, page in enumerate(pages, start=1)
    ]


def test_no_page_ends_with_a_heading(rendered: tuple[Course, bytes]) -> None:
    course, pdf = rendered
    alone = [
        (number, heading)
        for number, body in enumerate(page_bodies(pdf)[:-1], start=1)
        for heading in headings(course)
        if body.endswith(heading)
    ]
    assert not alone, f"{course.id}: a heading ends a page, away from what it introduces"


def test_a_lead_in_and_a_key_heading_move_with_what_follows() -> None:
    """A lesson whose text stops just above the foot of a page, at every height."""
    base = COURSES["fractions"]
    for filler in range(8, 30, 3):
        text = "\n\n".join(["Une phrase de remplissage assez longue pour une ligne."] * filler)
        lead = "Voici ce qu'il faut retenir :\n\n- une part sur quatre est un quart."
        steps = (Step(StepKind.TEXT, text), Step(StepKind.TEXT, lead))
        lessons = (replace(base.lessons[0], steps=steps), *base.lessons[1:2])
        course = replace(base, lessons=lessons, modules=())
        pdf = render_booklet(course, base_url=BASE)
        for number, body in enumerate(page_bodies(pdf)[:-1], start=1):
            for heading in headings(course):
                assert not body.endswith(heading), (filler, number, heading)


def test_the_command_honours_public_url_and_says_which_base(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "f.pdf"
    assert booklet_cli.run("fractions", out, None, public_url="https://ecole.example.sn/") == 0
    assert "liens et codes QR : https://ecole.example.sn (PUBLIC_URL)" in capsys.readouterr().out
    assert "https://ecole.example.sn/l/fractions/" in " ".join(pages_text(out.read_bytes()))
    given = "http://192.168.1.20:8080"
    assert booklet_cli.run("fractions", out, given, public_url="https://ecole.example.sn") == 0
    assert f"liens et codes QR : {given} (--base-url)" in capsys.readouterr().out
    assert booklet_cli.run("fractions", out) == 0
    assert "https://imaginecole.org (par défaut" in capsys.readouterr().out


def test_a_booklet_prints_in_another_language_where_the_course_has_it(tmp_path: Path) -> None:
    """`python -m bot booklet fractions --lang wo`: the Wolof steps of course.wo.md, the
    French ones where the Wolof has none yet; the links and questions are the course's."""
    out = tmp_path / "fractions-wo.pdf"
    assert booklet_cli.run("fractions", out, BASE, "wo") == 0
    text = " ".join(pages_text(out.read_bytes()))
    assert text.startswith("Xaaj yi")  # the Wolof title on the cover
    assert "Séddale ci pàcc yu yem" in text  # the Wolof lesson title (contents and lesson)
    assert flat("Aminata am na benn galett. Dafa bëgg a ko séddale") in text
    assert flat("Moussa a très faim. Si ses amis lui laissent 3 parts") in text  # no Wolof yet
    assert "Aminata a une galette." not in text  # translated: not printed in French as well
    assert f"{BASE}/l/fractions/parts-egales" in text
    assert "Comparer des fractions" in text  # a lesson without Wolof prints in French
    french = " ".join(pages_text(render_booklet(COURSES["fractions"], base_url=BASE)))
    assert french.startswith("Les fractions") and "Séddale" not in french
    # A language the course has no version in prints the course's own.
    hausa = render_booklet(COURSES["fractions"], base_url=BASE, language="ha")
    assert " ".join(pages_text(hausa)) == french


def test_a_booklet_in_another_language_prints_its_translated_questions_and_modules(
    tmp_path: Path,
) -> None:
    """The quiz's questions, options and explanations of `course.wo.md` and its module
    titles print in Wolof; a question it does not translate prints in French."""
    from tests.unit.test_course_translation_quiz import WOLOF, loaded

    course = loaded(tmp_path, WOLOF)
    text = " ".join(pages_text(render_booklet(course, base_url=BASE, language="wo")))
    assert "Pàcc yi" in text and "Xam" in text  # the title, the module
    assert "Ñaata pàcc ?" in text and "ñeent" in text and "juróom" in text
    assert "Combien de parts ?" not in text
    assert flat("Dagg nañu ko ñeenti pàcc.") in text  # the explanation, in the answer key
    assert flat("Une part sur quatre est") in text  # question 3 has no Wolof: French
