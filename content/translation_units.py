"""A course's texts one at a time, as teachers translate them in the chat.

A unit is one text of the main file a translator types on a phone: the course's title and
summary, a module's or a lesson's title, a step, a question's text, each option, each
option's feedback, each hint, the explanation, the typed answers accepted in the language,
a matching pair, a `remédiation:`, the placement quiz's questions (`placement/q/1/...`).
Each has a stable key (`lesson/parts-egales/q/1/option/2`) and the
fingerprint of the block it belongs to (`source:` of its step or question in
`course.<lang>.md`): when the French changes, the translation is to redo.

`with_units` lays translations (reviewed in the chat) over a course's translation, and
`render_translation` writes the result as a `course.<lang>.md` file to commit.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from content.format_quiz import ARROW, GAP, MAX_CHOICE_LENGTH
from content.model import Course, Question, QuestionType
from content.translated_quiz import QuestionText, full_text, question_lines, question_mark
from content.translations import (
    PLACEMENT_ID,
    CourseTranslation,
    LessonText,
    StepText,
    quiz_of,
    source_mark,
    translation_for,
)

COURSE, SUMMARY, MODULE, LESSON, STEP = "course", "summary", "module", "lesson", "step"
QUESTION, OPTION, FEEDBACK, HINT = "question", "option", "feedback", "hint"
EXPLANATION, ANSWERS, PAIR = "explanation", "answers", "pair"
REMEDY = "remediation"  # a lesson's (number 0) or a question's `remédiation:`
ANSWER_SEPARATOR = ";"  # between typed answers accepted, in one text
_URL = re.compile(r"https?://\S+")
_BOLD = "**"


@dataclass(frozen=True)
class Unit:
    """One text to translate and where it is."""

    key: str
    kind: str
    source: str  # the main language's text
    mark: str  # the fingerprint of its step, question or title
    lesson_id: str = ""
    lesson_title: str = ""
    number: int = 0  # the step's or question's number in the lesson (1 is the first)
    part: int = 0  # the option's, hint's or pair's number in the question
    button: bool = False  # shown on a button or as a quiz option: a short label
    limit: int = 0  # the longest text the course format takes (0: any)


def units(course: Course) -> tuple[Unit, ...]:
    """Every text of a course to translate, in reading order."""
    found = [Unit(COURSE, COURSE, course.title, source_mark(course.title), button=True)]
    if course.summary:
        found.append(Unit(SUMMARY, SUMMARY, course.summary, source_mark(course.summary)))
    for lesson in course.lessons:
        module = course.module_of(lesson.id)
        if module is not None and module.lesson_ids[:1] == (lesson.id,):
            key = f"module/{module.id}"
            found.append(Unit(key, MODULE, module.title, source_mark(module.title), button=True))
        where = {"lesson_id": lesson.id, "lesson_title": lesson.title}
        key = f"lesson/{lesson.id}"
        mark = source_mark(lesson.title)
        found.append(Unit(key, LESSON, lesson.title, mark, lesson.id, lesson.title, button=True))
        for index, step in enumerate(lesson.steps):
            if step.text.strip():
                found.append(
                    Unit(
                        f"{key}/step/{index + 1}",
                        STEP,
                        step.text,
                        source_mark(step.text),
                        lesson.id,
                        lesson.title,
                        number=index + 1,
                    )
                )
        for index, question in enumerate(lesson.quiz.questions if lesson.quiz else ()):
            found += _question_units(f"{key}/q/{index + 1}", question, index + 1, where)
        if lesson.remediation:
            mark = source_mark(lesson.remediation)
            found.append(
                Unit(
                    f"{key}/remediation", REMEDY, lesson.remediation, mark, lesson.id, lesson.title
                )
            )
    placed = {"lesson_id": PLACEMENT_ID, "lesson_title": ""}
    for index, question in enumerate(course.placement.questions if course.placement else ()):
        found += _question_units(f"placement/q/{index + 1}", question, index + 1, placed)
    return tuple(found)


def _question_units(
    key: str, question: Question, number: int, where: Mapping[str, str]
) -> list[Unit]:
    """A question's texts: its text, options and their feedback, pairs, hints, answers."""
    mark = question_mark(question)

    def unit(suffix: str, kind: str, text: str, part: int = 0, button: bool = False) -> Unit:
        limit = MAX_CHOICE_LENGTH if button else 0
        return Unit(
            f"{key}/{suffix}",
            kind,
            text,
            mark,
            where["lesson_id"],
            where["lesson_title"],
            number,
            part,
            button,
            limit,
        )

    found = [unit("text", QUESTION, full_text(question))]
    for i, choice in enumerate(question.choices, start=1):
        found.append(unit(f"option/{i}", OPTION, choice.text, i, button=True))
        if choice.feedback:
            found.append(unit(f"feedback/{i}", FEEDBACK, choice.feedback, i))
    for i, pair in enumerate(question.pairs, start=1):
        found.append(unit(f"pair/{i}", PAIR, f"{pair.left} {ARROW} {pair.right}", i))
    for i, hint in enumerate(question.hints, start=1):
        found.append(unit(f"hint/{i}", HINT, hint, i))
    if question.type in (QuestionType.SHORT, QuestionType.MISSING_WORD) and not question.choices:
        typed = f"{ANSWER_SEPARATOR} ".join(a.text for a in question.text_answers)
        found.append(unit("answers", ANSWERS, typed))
    if question.explanation:
        found.append(unit("explanation", EXPLANATION, question.explanation))
    if question.remediation:
        found.append(unit("remediation", REMEDY, question.remediation))
    return found


def existing(course: Course, language: str, unit: Unit) -> tuple[str, str] | None:
    """The unit's translation in the course's translation (its file, and what was laid over
    it): its text and the fingerprint it was made from ("" for titles, which carry none)."""
    translation = translation_for(course, language)
    if translation is None:
        return None
    parts = unit.key.split("/")
    if unit.kind == COURSE:
        return (translation.title, "") if translation.title else None
    if unit.kind == SUMMARY:
        return (translation.summary, "") if translation.summary else None
    if unit.kind == MODULE:
        title = translation.module_title(parts[1])
        return (title, "") if title else None
    texts = translation.lesson(unit.lesson_id)
    if texts is None:
        return None
    if unit.kind == LESSON:
        return (texts.title, "") if texts.title else None
    if unit.kind == STEP:
        step = texts.step(unit.number - 1)
        return (step.text, step.source) if step and step.text else None
    if unit.kind == REMEDY and not unit.number:
        remedy = texts.remediation
        return (remedy.text, remedy.source) if remedy and remedy.text else None
    done = texts.question(unit.number - 1)
    if done is None:
        return None
    text = _part(done, unit)
    return (text, done.source) if text else None


def _part(done: QuestionText, unit: Unit) -> str:
    """One part of a translated question ("" when not translated)."""
    index = unit.part - 1
    if unit.kind == QUESTION:
        return done.text
    if unit.kind == OPTION:
        return done.choices[index] if index < len(done.choices) else ""
    if unit.kind == FEEDBACK:
        return done.feedback[index] if index < len(done.feedback) else ""
    if unit.kind == PAIR:
        pair = done.pairs[index] if index < len(done.pairs) else ("", "")
        return f"{pair[0]} {ARROW} {pair[1]}" if pair[1] else ""
    if unit.kind == HINT:
        return done.hints[index] if index < len(done.hints) else ""
    if unit.kind == ANSWERS:
        return f"{ANSWER_SEPARATOR} ".join(done.answers)
    if unit.kind == REMEDY:
        return done.remediation
    return done.explanation  # EXPLANATION


def is_current(found: tuple[str, str] | None, unit: Unit) -> bool:
    """Whether a unit's translation exists and its source has not changed since."""
    return found is not None and found[1] in ("", unit.mark)


@dataclass
class _Lesson:
    title: str = ""
    line: int = 0
    steps: dict[int, StepText] = field(default_factory=dict)
    questions: dict[int, QuestionText] = field(default_factory=dict)
    remediation: StepText | None = None


def with_units(course: Course, language: str, done: Mapping[str, tuple[str, str]]) -> Course:
    """The course with translations laid over its translation into `language`: key ->
    (text, the fingerprint it was made from). Keys the course no longer has are left out;
    a question's part made from another version of the question than the one translated
    so far starts that question's translation again."""
    if not done:
        return course
    known = {unit.key: unit for unit in units(course)}
    base = translation_for(course, language)
    folder = course.source.parent if course.source else Path(".")
    translation = base or CourseTranslation(language, folder / f"course.{language}.md")
    title, summary = translation.title, translation.summary
    modules = dict(translation.modules)
    lessons = {
        le.lesson_id: _Lesson(le.title, le.line, dict(le.steps), dict(le.questions), le.remediation)
        for le in translation.lessons
    }
    for key, (text, mark) in done.items():
        unit = known.get(key)
        if unit is None or not text.strip():
            continue
        if unit.kind == COURSE:
            title = text
        elif unit.kind == SUMMARY:
            summary = text
        elif unit.kind == MODULE:
            modules[key.split("/")[1]] = text
        else:
            lesson = lessons.setdefault(unit.lesson_id, _Lesson())
            if unit.kind == LESSON:
                lesson.title = text
            elif unit.kind == STEP:
                step = lesson.steps.get(unit.number - 1)
                if mark == unit.mark or step is None or step.source != unit.mark:
                    lesson.steps[unit.number - 1] = StepText(text, mark)
            elif unit.kind == REMEDY and not unit.number:
                remedy = lesson.remediation
                if mark == unit.mark or remedy is None or remedy.source != unit.mark:
                    lesson.remediation = StepText(text, mark)
            else:  # an out-of-date text never replaces an up-to-date one
                index = unit.number - 1
                before = lesson.questions.get(index)
                if mark != unit.mark and before is not None and before.source == unit.mark:
                    continue
                if before is None or before.source != mark:
                    before = QuestionText(source=mark)
                lesson.questions[index] = _with_part(before, unit, text, course)
    order = {le.id: i for i, le in enumerate(course.lessons)}
    texts = tuple(
        LessonText(
            lesson_id,
            le.title,
            le.line,
            tuple(sorted(le.steps.items())),
            tuple(sorted(le.questions.items())),
            le.remediation,
        )
        for lesson_id, le in sorted(
            lessons.items(), key=lambda item: order.get(item[0], len(order))
        )
    )
    module_order = {m.id: i for i, m in enumerate(course.modules)}
    laid = replace(
        translation,
        title=title,
        summary=summary,
        lessons=texts,
        modules=tuple(sorted(modules.items(), key=lambda m: module_order.get(m[0], 0))),
    )
    others = tuple(t for t in course.translations if t is not base)
    return replace(course, translations=(*others, laid))


def _with_part(done: QuestionText, unit: Unit, text: str, course: Course) -> QuestionText:
    """A translated question with one more part."""
    quiz = quiz_of(course, unit.lesson_id)
    question = quiz.questions[unit.number - 1] if quiz else None
    size = len(question.choices) if question else unit.part
    index = unit.part - 1
    if unit.kind == QUESTION:
        return replace(done, text=text)
    if unit.kind == OPTION:
        return replace(done, choices=_set(done.choices, index, text, size))
    if unit.kind == FEEDBACK:
        return replace(done, feedback=_set(done.feedback, index, text, size))
    if unit.kind == HINT:
        hints = question.hints if question else ()
        return replace(done, hints=_set(done.hints, index, text, len(hints)))
    if unit.kind == PAIR:
        left, _, right = text.partition(ARROW)
        pairs = list(done.pairs) + [("", "")] * (len(question.pairs) if question else unit.part)
        pairs = pairs[: len(question.pairs) if question else unit.part]
        pairs[index] = (left.strip(), right.strip())
        return replace(done, pairs=tuple(pairs))
    if unit.kind == ANSWERS:
        answers = tuple(a.strip() for a in text.split(ANSWER_SEPARATOR) if a.strip())
        return replace(done, answers=answers)
    if unit.kind == REMEDY:
        return replace(done, remediation=text)
    return replace(done, explanation=text)


def _set(items: tuple[str, ...], index: int, text: str, size: int) -> tuple[str, ...]:
    """The items with one of them set, padded with "" to `size`."""
    padded = list(items) + [""] * max(size - len(items), index + 1 - len(items))
    padded[index] = text
    return tuple(padded)


def render_translation(course: Course, language: str) -> str:
    """The course's translation into `language` as a `course.<lang>.md` file."""
    translation = translation_for(course, language)
    out = [f"language: {language}"]
    if translation is None:
        return out[0] + "\n"
    if translation.title:
        out.append(f"title: {translation.title}")
    if translation.summary:
        out.append(f"summary: {translation.summary}")
    out.append("")
    for lesson in course.lessons:
        module = course.module_of(lesson.id)
        if module is not None and module.lesson_ids[:1] == (lesson.id,):
            title = translation.module_title(module.id)
            if title:
                out += [f"# Module : {title} {{#{module.id}}}", ""]
        texts = translation.lesson(lesson.id)
        if texts is None:
            continue
        out += [f"# {texts.title or lesson.title} {{#{lesson.id}}}", ""]
        for index, step in sorted(texts.steps, key=lambda s: s[0]):
            if step.text:
                mark = f" · source: {step.source}" if step.source else ""
                out += [f"## étape {index + 1}{mark}", step.text, ""]
        for index, done in sorted(texts.questions, key=lambda q: q[0]):
            if lesson.quiz is None or index >= len(lesson.quiz.questions) or done.empty:
                continue
            mark = f" · source: {done.source}" if done.source else ""
            out += [
                f"## question {index + 1}{mark}",
                *question_lines(lesson.quiz.questions[index], done),
                "",
            ]
        if texts.remediation and texts.remediation.text:
            remedy = texts.remediation
            mark = f" · source: {remedy.source}" if remedy.source else ""
            out += [f"## remédiation{mark}", remedy.text, ""]
    placed = translation.lesson(PLACEMENT_ID)
    questions = course.placement.questions if course.placement else ()
    shown = [
        (index, done)
        for index, done in sorted(placed.questions if placed else (), key=lambda q: q[0])
        if index < len(questions) and not done.empty
    ]
    if shown:
        out += ["# Test de placement", ""]
    for index, done in shown:
        mark = f" · source: {done.source}" if done.source else ""
        out += [f"## question {index + 1}{mark}", *question_lines(questions[index], done), ""]
    return "\n".join(out).rstrip() + "\n"


def markup_problems(unit: Unit, text: str) -> list[str]:
    """What of the source's markup a translation lost: "gap" (a missing word's `___`),
    "bold" (`**` pairs), "link" (an address), "arrow" (a pair's `->`), "answers" (none)."""
    found: list[str] = []
    if GAP.search(unit.source) and not GAP.search(text):
        found.append("gap")
    if text.count(_BOLD) != unit.source.count(_BOLD):
        found.append("bold")
    if any(url not in text for url in _URL.findall(unit.source)):
        found.append("link")
    if unit.kind == PAIR and ARROW not in text:
        found.append("arrow")
    if unit.kind == ANSWERS and not [a for a in text.split(ANSWER_SEPARATOR) if a.strip()]:
        found.append("answers")
    return found
