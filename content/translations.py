"""Versions of a course in other languages: `course.wo.md` beside `course.md` (one course).

A translation file holds only text: the course's title and summary, lesson titles and the
text (or caption) of the steps it translates. Everything else — lessons, order, media,
quizzes, question ids, progress and certificates — is the main file's. A learner reads
the translation of a step where it exists and is up to date enough to be shown (always:
an out-of-date step is still shown, `content check` warns), the main language elsewhere.

    <!-- ÉCHANTILLON : à faire relire par un locuteur natif. -->
    language: wo
    title: Xaaj yi

    # Séddale ci pàcc yu yam {#parts-egales}

    ## étape 1 · source: 3f2a9c1b
    Aminata am na ab galett...

`## étape N` (or `## step N`) names a step by its number in the lesson (1 is the first);
`source:` is the fingerprint of the main-language text it was translated from (the first
8 hex digits of its SHA-256, `source_mark`). When the source text changes, the
fingerprints differ and `content check` reports the step as out of date.
`## question N` translates the N-th question of the lesson's quiz (content/translated_quiz.py),
`## remédiation` the lesson's `remédiation:` and `# Module : Titre {#id}` a module's title.
`# Test de placement` (no id) holds the placement quiz's `## question N` blocks.
"""

from __future__ import annotations

import hashlib
import re
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from content.errors import N_, CourseFormatError
from content.model import Course, Lesson, Question, Quiz
from content.placement import is_placement_heading
from content.translated_quiz import (
    QuestionText,
    localized_question,
    question_lines,
    question_mark,
    read_question,
)

_HEADER = re.compile(r"^(language|title|summary)\s*:\s*(.*)$")
_LESSON = re.compile(r"^#\s+(.*?)\s*\{#([A-Za-z0-9_-]+)\}\s*$")
_MODULE = re.compile(r"^#\s+module\s*:\s*(.*?)\s*\{#([A-Za-z0-9_-]+)\}\s*$", re.IGNORECASE)
_STEP = re.compile(
    r"^##\s+(étape|etape|step|question)\s+(\d+)\s*(?:[·:-]\s*)?(?:source\s*:\s*(\S+))?\s*$"
)
_REMEDY = re.compile(
    r"^##\s+(?:remédiation|remediation)\s*(?:[·:-]\s*)?(?:source\s*:\s*(\S+))?\s*$",
    re.IGNORECASE,
)
_PLACEMENT = re.compile(r"^#\s+(.*?)\s*$")
PLACEMENT_ID = "_placement"  # the placement quiz's texts, kept like a lesson's (never an id)
_NAME = re.compile(r"^course\.([a-z]{2,3})\.md$")


def source_mark(text: str) -> str:
    """The fingerprint of a step's source text (whitespace-insensitive)."""
    normal = " ".join(text.split())
    return hashlib.sha256(normal.encode("utf-8")).hexdigest()[:8]


@dataclass(frozen=True)
class StepText:
    """One translated step: its text, the source fingerprint it was made from, its line."""

    text: str
    source: str = ""
    line: int = 0


@dataclass(frozen=True)
class LessonText:
    """A lesson's translated title and steps (by 0-based index)."""

    lesson_id: str
    title: str = ""
    line: int = 0
    steps: tuple[tuple[int, StepText], ...] = ()
    questions: tuple[tuple[int, QuestionText], ...] = ()  # by 0-based index in the quiz
    remediation: StepText | None = None  # the lesson's `remédiation:`

    def step(self, index: int) -> StepText | None:
        """The translation of the step at this 0-based index, if any."""
        return next((s for i, s in self.steps if i == index), None)

    def question(self, index: int) -> QuestionText | None:
        """The translation of the quiz's question at this 0-based index, if any."""
        return next((q for i, q in self.questions if i == index), None)


@dataclass(frozen=True)
class CourseTranslation:
    """A course's text in another language, read from `course.<lang>.md`."""

    language: str
    path: Path
    title: str = ""
    summary: str = ""
    lessons: tuple[LessonText, ...] = field(default_factory=tuple)
    modules: tuple[tuple[str, str], ...] = ()  # module id, translated title

    def module_title(self, module_id: str) -> str:
        """A module's translated title ("" when not translated)."""
        return next((t for i, t in reversed(self.modules) if i == module_id and t), "")

    def lesson(self, lesson_id: str) -> LessonText | None:
        """The translated texts of one lesson, if any."""
        return next((le for le in self.lessons if le.lesson_id == lesson_id), None)


def quiz_of(course: Course, lesson_id: str) -> Quiz | None:
    """A lesson's quiz, or the placement quiz for PLACEMENT_ID."""
    if lesson_id == PLACEMENT_ID:
        return course.placement
    lesson = course.lesson(lesson_id)
    return lesson.quiz if lesson is not None else None


def is_translation_file(path: Path) -> bool:
    """Tell whether a path names a translation (`course.wo.md`)."""
    return _NAME.match(path.name) is not None


def translation_files(course_file: Path) -> list[Path]:
    """The `course.<lang>.md` files beside a `course.md`, in a stable order."""
    try:
        found = [p for p in course_file.parent.iterdir() if _NAME.match(p.name) and p.is_file()]
    except OSError:
        return []
    return sorted(found)


def parse_translation(
    text: str, path: Path, course: Course
) -> tuple[CourseTranslation, list[CourseFormatError]]:
    """Read a translation of `course`; problems (unknown lessons, steps) come back as errors."""
    errors: list[CourseFormatError] = []
    named = _NAME.match(path.name)
    language = named.group(1) if named else ""
    header: dict[str, str] = {}
    lessons: list[LessonText] = []
    modules: list[tuple[str, str]] = []
    lesson: LessonText | None = None
    step: tuple[str, int, str, int] | None = None  # kind, index, source mark, line
    body: list[tuple[int, str]] = []
    in_comment = False

    def close_step() -> None:
        nonlocal lesson, step, body
        if step is not None and lesson is not None and step[1] >= 0:
            kind, index, mark, line = step
            if kind == "remedy":
                entry = StepText("\n".join(b for _, b in body).strip(), mark, line)
                lesson = replace(lesson, remediation=entry)
            elif kind == "question":
                question = _question_at(course, lesson.lesson_id, index)
                assert question is not None
                done, problems = read_question(body, question)
                for at, problem in problems:
                    errors.append(CourseFormatError(path, at, 1, problem.text, problem.args))
                done = replace(done, source=mark, line=line)
                lesson = replace(lesson, questions=(*lesson.questions, (index, done)))
            else:
                entry = StepText("\n".join(b for _, b in body).strip(), mark, line)
                lesson = replace(lesson, steps=(*lesson.steps, (index, entry)))
        step, body = None, []

    def close_lesson() -> None:
        nonlocal lesson
        close_step()
        if lesson is not None:
            same = [i for i, le in enumerate(lessons) if le.lesson_id == lesson.lesson_id]
            if not same:
                lessons.append(lesson)
            else:  # the lesson's heading again (a skeleton pasted below): one lesson
                first = lessons[same[0]]
                lessons[same[0]] = replace(
                    first,
                    steps=(*first.steps, *lesson.steps),
                    questions=(*first.questions, *lesson.questions),
                    remediation=first.remediation or lesson.remediation,
                )
        lesson = None

    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.rstrip()
        if in_comment or line.lstrip().startswith("<!--"):
            in_comment = "-->" not in line
            continue
        if (found := _MODULE.match(line)) is not None:
            close_lesson()
            if course.module(found.group(2)) is None:
                message = N_("aucun module '%(id)s' dans le cours '%(course)s'")
                args = {"id": found.group(2), "course": course.id}
                errors.append(CourseFormatError(path, number, 1, message, args))
            else:
                modules.append((found.group(2), found.group(1)))
            continue
        found = _PLACEMENT.match(line)
        if found is not None and "{#" not in line and is_placement_heading(found.group(1)):
            close_lesson()
            if course.placement is None:
                message = N_("le cours '%(course)s' n'a pas de test de placement")
                errors.append(CourseFormatError(path, number, 1, message, {"course": course.id}))
            lesson = LessonText(PLACEMENT_ID, "", number)
            continue
        if (found := _LESSON.match(line)) is not None:
            close_lesson()
            original = course.lesson(found.group(2))
            if original is None:
                message = N_("aucune leçon '%(id)s' dans le cours '%(course)s'")
                args = {"id": found.group(2), "course": course.id}
                errors.append(CourseFormatError(path, number, 1, message, args))
            lesson = LessonText(found.group(2), found.group(1), number)
            continue
        if (found := _REMEDY.match(line)) is not None and lesson is not None:
            close_step()
            index = _check_remedy(course, lesson, lessons, path, number, errors)
            step = ("remedy", index, found.group(1) or "", number)
            continue
        if (found := _STEP.match(line)) is not None:
            close_step()
            if lesson is None:
                message = N_("une étape doit suivre le titre de sa leçon : # Titre {#id}")
                errors.append(CourseFormatError(path, number, 1, message))
                continue
            kind = "question" if found.group(1) == "question" else "step"
            index = int(found.group(2)) - 1
            index = _check_place(course, lessons, lesson, kind, index, path, number, errors)
            step = (kind, index, found.group(3) or "", number)
            continue
        if step is not None:
            body.append((number, line))
            continue
        if lesson is None and (found := _HEADER.match(line)) is not None:
            header[found.group(1)] = found.group(2).strip()
            continue
        if line.strip():
            message = N_("texte hors d'une étape : commencez l'étape par ## étape N")
            errors.append(CourseFormatError(path, number, 1, message))
    close_lesson()
    if header.get("language", language) != language:
        message = N_("la langue '%(header)s' ne correspond pas au nom du fichier (%(name)s)")
        args = {"header": header["language"], "name": path.name}
        errors.append(CourseFormatError(path, 1, 1, message, args))
    translation = CourseTranslation(
        language,
        path,
        header.get("title", ""),
        header.get("summary", ""),
        tuple(lessons),
        tuple(modules),
    )
    return translation, errors


def _check_place(
    course: Course,
    lessons: list[LessonText],
    lesson: LessonText,
    kind: str,
    index: int,
    path: Path,
    number: int,
    errors: list[CourseFormatError],
) -> int:
    """The step's or question's index, or -1 (its text set aside) when the main file has
    no such step or question, or it is translated twice."""
    original = course.lesson(lesson.lesson_id)
    if kind == "question":
        quiz = quiz_of(course, lesson.lesson_id)
        count = len(quiz.questions) if quiz else 0
        known = original is not None or (lesson.lesson_id == PLACEMENT_ID and quiz is not None)
        if known and not 0 <= index < count:
            message = N_("la leçon '%(id)s' n'a pas de question %(n)s (son quiz en a %(count)s)")
            args = {"id": lesson.lesson_id, "n": index + 1, "count": count}
            errors.append(CourseFormatError(path, number, 1, message, args))
            return -1
        twice = lesson.question(index) is not None or any(
            le.lesson_id == lesson.lesson_id and le.question(index) for le in lessons
        )
        if twice:
            message = N_("la question %(n)s est déjà traduite plus haut")
            errors.append(CourseFormatError(path, number, 1, message, {"n": index + 1}))
            return -1
        return index if known else -1
    if lesson.lesson_id == PLACEMENT_ID:
        message = N_("le test de placement n'a que des questions : ## question N")
        errors.append(CourseFormatError(path, number, 1, message))
        return -1
    if original is not None and not 0 <= index < len(original.steps):
        message = N_("la leçon '%(id)s' n'a pas d'étape %(n)s (elle en a %(count)s)")
        args = {"id": lesson.lesson_id, "n": index + 1, "count": len(original.steps)}
        errors.append(CourseFormatError(path, number, 1, message, args))
        return -1  # its text is read and set aside: one problem, not one a line
    if lesson.step(index) is not None or _done_before(lessons, lesson.lesson_id, index):
        message = N_("l'étape %(n)s est déjà traduite plus haut")
        errors.append(CourseFormatError(path, number, 1, message, {"n": index + 1}))
        return -1
    return index


def _check_remedy(
    course: Course,
    lesson: LessonText,
    lessons: list[LessonText],
    path: Path,
    number: int,
    errors: list[CourseFormatError],
) -> int:
    """0 for a lesson's `## remédiation` block, or -1 (its text set aside) when the main
    file's lesson has none, or it is translated twice."""
    original = course.lesson(lesson.lesson_id)
    if original is None:
        return -1
    if not original.remediation:
        message = N_("la leçon '%(id)s' n'a pas de remédiation à traduire")
        errors.append(CourseFormatError(path, number, 1, message, {"id": original.id}))
        return -1
    twice = lesson.remediation is not None or any(
        le.lesson_id == lesson.lesson_id and le.remediation for le in lessons
    )
    if twice:
        message = N_("la remédiation de cette leçon est déjà traduite plus haut")
        errors.append(CourseFormatError(path, number, 1, message))
        return -1
    return 0


def _question_at(course: Course, lesson_id: str, index: int) -> Question | None:
    """The main file's question at this index of a lesson's (or the placement) quiz."""
    quiz = quiz_of(course, lesson_id)
    if quiz is None or not 0 <= index < len(quiz.questions):
        return None
    return quiz.questions[index]


def _done_before(lessons: list[LessonText], lesson_id: str, index: int) -> bool:
    """Whether an earlier block of the same lesson already translates this step."""
    return any(le.lesson_id == lesson_id and le.step(index) for le in lessons)


def read_translations(course: Course) -> tuple[Course, list[CourseFormatError]]:
    """The course with the translations found beside its file, and their problems."""
    if course.source is None:
        return course, []
    translations: list[CourseTranslation] = []
    errors: list[CourseFormatError] = []
    for path in translation_files(course.source):
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            message = N_("lecture impossible : %(reason)s")
            errors.append(CourseFormatError(path, 0, 0, message, {"reason": str(exc)}))
            continue
        translation, problems = parse_translation(text, path, course)
        errors.extend(problems)
        if _language(translation.language) == _language(course.language):
            message = N_("une traduction dans la langue du cours lui-même (%(lang)s)")
            args = {"lang": course.language}
            errors.append(CourseFormatError(path, 1, 1, message, args))
            continue
        translations.append(translation)
    return replace(course, translations=tuple(translations)), errors


def translation_gaps(course: Course) -> list[CourseFormatError]:
    """What each translation lacks or has out of date, step by step (warnings, not errors).

    A missing step is placed at its line in the main file; an out-of-date one (or one
    without a `source:` fingerprint) at its line in the translation.
    """
    notes: list[CourseFormatError] = []
    main = course.source or Path("course.md")
    for translation in course.translations:
        for lesson in course.lessons:
            texts = translation.lesson(lesson.id)
            if texts is None:
                whole = {"lang": translation.language, "lesson": lesson.id}
                message = N_("leçon '%(lesson)s' non traduite en %(lang)s")
                notes.append(CourseFormatError(main, lesson.line, 1, message, whole))
                continue
            for index, step in enumerate(lesson.steps):
                if not step.text.strip():
                    continue  # nothing to translate (an image without a caption)
                done = texts.step(index)
                args: dict[str, object] = {
                    "lang": translation.language,
                    "lesson": lesson.id,
                    "n": index + 1,
                }
                if done is None or not done.text:
                    message = N_("étape %(n)s de la leçon '%(lesson)s' non traduite en %(lang)s")
                    notes.append(CourseFormatError(main, step.line, 1, message, args))
                elif done.source != source_mark(step.text):
                    message = N_(
                        "étape %(n)s de la leçon '%(lesson)s' : traduction en %(lang)s à revoir,"
                        " le texte source a changé depuis (source: %(mark)s)"
                    )
                    args["mark"] = source_mark(step.text)
                    notes.append(CourseFormatError(translation.path, done.line, 1, message, args))
            notes += _question_gaps(translation, lesson.id, lesson.quiz, texts, main)
            notes += _remedy_gaps(translation, lesson, texts, main)
        if course.placement is not None:
            texts = translation.lesson(PLACEMENT_ID) or LessonText(PLACEMENT_ID)
            notes += _question_gaps(translation, PLACEMENT_ID, course.placement, texts, main)
    return notes


def _question_gaps(
    translation: CourseTranslation,
    lesson_id: str,
    quiz: Quiz | None,
    texts: LessonText,
    main: Path,
) -> list[CourseFormatError]:
    """The questions of a lesson's (or the placement) quiz a translation lacks or has out
    of date."""
    notes: list[CourseFormatError] = []
    placement = lesson_id == PLACEMENT_ID
    for index, question in enumerate(quiz.questions if quiz else ()):
        done = texts.question(index)
        args: dict[str, object] = {"lang": translation.language, "n": index + 1}
        if not placement:
            args["lesson"] = lesson_id
        if done is None or done.empty:
            message = (
                N_("question %(n)s du test de placement non traduite en %(lang)s")
                if placement
                else N_("question %(n)s de la leçon '%(lesson)s' non traduite en %(lang)s")
            )
            notes.append(CourseFormatError(main, question.line, 1, message, args))
        elif done.source != question_mark(question):
            message = (
                N_(
                    "question %(n)s du test de placement : traduction en %(lang)s à revoir,"
                    " la question a changé depuis (source: %(mark)s)"
                )
                if placement
                else N_(
                    "question %(n)s de la leçon '%(lesson)s' : traduction en %(lang)s à revoir,"
                    " la question a changé depuis (source: %(mark)s)"
                )
            )
            args["mark"] = question_mark(question)
            notes.append(CourseFormatError(translation.path, done.line, 1, message, args))
    return notes


def _remedy_gaps(
    translation: CourseTranslation, lesson: Lesson, texts: LessonText, main: Path
) -> list[CourseFormatError]:
    """A lesson's `remédiation:` a translation lacks or has out of date."""
    if not lesson.remediation:
        return []
    done = texts.remediation
    args: dict[str, object] = {"lang": translation.language, "lesson": lesson.id}
    if done is None or not done.text:
        message = N_("remédiation de la leçon '%(lesson)s' non traduite en %(lang)s")
        return [CourseFormatError(main, lesson.line, 1, message, args)]
    if done.source != source_mark(lesson.remediation):
        message = N_(
            "remédiation de la leçon '%(lesson)s' : traduction en %(lang)s à revoir,"
            " le texte source a changé depuis (source: %(mark)s)"
        )
        args["mark"] = source_mark(lesson.remediation)
        return [CourseFormatError(translation.path, done.line, 1, message, args)]
    return []


def translation_skeleton(course: Course, language: str) -> str:
    """What a translator fills in: every step the translation into `language` lacks or has
    out of date, under its lesson's heading, with its `source:` fingerprint and the source
    text as a comment to replace (paste into `course.<language>.md`)."""
    translation = translation_for(course, language)
    out: list[str] = []
    if translation is None:
        out += [f"language: {language}", f"title: {course.title}", ""]
    for module in course.modules:
        if not (translation and translation.module_title(module.id)):
            title = module.title.replace("-->", "- ->")  # its French, to replace
            out += [f"<!-- {title} -->", f"# Module : {{#{module.id}}}", ""]
    for lesson in course.lessons:
        texts = translation.lesson(lesson.id) if translation else None
        todo = [
            (index, step)
            for index, step in enumerate(lesson.steps)
            if step.text.strip()
            and (
                (done := texts.step(index) if texts else None) is None
                or not done.text
                or done.source != source_mark(step.text)
            )
        ]
        questions = [
            (index, question)
            for index, question in enumerate(lesson.quiz.questions if lesson.quiz else ())
            if (done_q := texts.question(index) if texts else None) is None
            or done_q.empty
            or done_q.source != question_mark(question)
        ]
        remedy = lesson.remediation if _stale(texts, lesson.remediation) else ""
        if not todo and not questions and not remedy:
            continue
        out += [f"# {texts.title if texts else lesson.title} {{#{lesson.id}}}", ""]
        for index, step in todo:
            source = step.text.replace("-->", "- ->")
            out += [f"## étape {index + 1} · source: {source_mark(step.text)}"]
            out += [f"<!--\n{source}\n-->", ""]
        for index, question in questions:
            out += [f"## question {index + 1} · source: {question_mark(question)}"]
            out += [*question_lines(question), ""]
        if remedy:
            out += [f"## remédiation · source: {source_mark(remedy)}"]
            out += [f"<!--\n{remedy.replace('-->', '- ->')}\n-->", ""]
    out += _placement_skeleton(course, translation)
    return "\n".join(out).rstrip() + "\n"


def _stale(texts: LessonText | None, remediation: str) -> bool:
    """Whether a lesson's remediation is to translate (again)."""
    if not remediation:
        return False
    done = texts.remediation if texts else None
    return done is None or not done.text or done.source != source_mark(remediation)


def _placement_skeleton(course: Course, translation: CourseTranslation | None) -> list[str]:
    """The placement quiz's questions to translate (or redo), under `# Test de placement`."""
    if course.placement is None:
        return []
    texts = translation.lesson(PLACEMENT_ID) if translation else None
    todo = [
        (index, question)
        for index, question in enumerate(course.placement.questions)
        if (done := texts.question(index) if texts else None) is None
        or done.empty
        or done.source != question_mark(question)
    ]
    if not todo:
        return []
    out = ["# Test de placement", ""]
    for index, question in todo:
        out += [f"## question {index + 1} · source: {question_mark(question)}"]
        out += [*question_lines(question), ""]
    return out


def localized_lesson(course: Course, lesson: Lesson, language: str | None) -> Lesson:
    """The lesson as a learner of `language` reads it: translated steps where they exist."""
    translation = translation_for(course, language)
    texts = translation.lesson(lesson.id) if translation else None
    if texts is None:
        return lesson
    steps = tuple(
        replace(step, text=done.text) if (done := texts.step(i)) and done.text else step
        for i, step in enumerate(lesson.steps)
    )
    quiz = lesson.quiz and _localized_quiz(lesson.quiz, texts)
    remedy = texts.remediation.text if texts.remediation else ""
    return replace(
        lesson,
        title=texts.title or lesson.title,
        steps=steps,
        quiz=quiz,
        remediation=remedy or lesson.remediation,
    )


def _localized_quiz(quiz: Quiz, texts: LessonText) -> Quiz:
    """The quiz with its translated questions (same ids, answers and weights); a question
    whose translation is out of date is asked in the main language."""
    questions = tuple(
        localized_question(question, done)
        if (done := texts.question(i)) and done.source in ("", question_mark(question))
        else question  # a question changed since: its old options may no longer match
        for i, question in enumerate(quiz.questions)
    )
    return replace(quiz, questions=questions)


# The courses last localized, by the course object and the language: a step asks for its
# course in the learner's language at every turn, and laying a translation over every lesson
# each time cost a lesson step about four times its own work (bench/course_translations.py).
# A library reload makes new Course objects, so a kept one is never stale.
_LOCALIZED: OrderedDict[tuple[int, str], tuple[Course, Course]] = OrderedDict()
LOCALIZED_KEPT = 256


def localized_course(course: Course, language: str | None) -> Course:
    """The course with every lesson as a learner of `language` reads it."""
    translation = translation_for(course, language)
    if translation is None or language is None:
        return course
    key = (id(course), language)
    kept = _LOCALIZED.get(key)
    if kept is not None and kept[0] is course:
        _LOCALIZED.move_to_end(key)
        return kept[1]
    shown = _localized(course, translation, language)
    _LOCALIZED[key] = (course, shown)
    if len(_LOCALIZED) > LOCALIZED_KEPT:
        _LOCALIZED.popitem(last=False)
    return shown


def _localized(course: Course, translation: CourseTranslation, language: str) -> Course:
    """`localized_course`, made."""
    lessons = tuple(localized_lesson(course, lesson, language) for lesson in course.lessons)
    modules = tuple(
        replace(module, title=translation.module_title(module.id) or module.title)
        for module in course.modules
    )
    placed = translation.lesson(PLACEMENT_ID)
    placement = course.placement and placed and _localized_quiz(course.placement, placed)
    return replace(
        course,
        title=translation.title or course.title,
        summary=translation.summary or course.summary,
        lessons=lessons,
        modules=modules,
        placement=placement or course.placement,
    )


def translation_for(course: Course, language: str | None) -> CourseTranslation | None:
    """The course's translation into a language, if it has one."""
    if not language:
        return None
    wanted = _language(language)
    return next((t for t in course.translations if _language(t.language) == wanted), None)


def languages_of(courses: Iterable[Course]) -> set[str]:
    """Every language some course is translated into."""
    return {t.language for course in courses for t in course.translations}


def _language(code: str) -> str:
    """The primary language of a code: fr_SN -> fr."""
    return code.replace("_", "-").split("-")[0].casefold()
