"""Our course file format: Markdown-flavoured, line-based text a teacher writes by hand.

The format is documented with a complete example in content/README.md. This module reads
it into the model of content/model.py and reports every problem with its line and column.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

from content.errors import N_, CourseFormatError, Message
from content.format_lesson import LessonDraft, sound_at
from content.format_quiz import QuizDraft
from content.model import LEVELS, SUBJECTS, Course, Lesson, Module
from content.normalize import is_valid_id, slugify
from content.placement import is_placement_heading, placement_problems
from content.translations import read_translations

COURSE_FILE_NAME = "course.md"
COURSE_SUFFIX = ".course"  # other course files a folder check picks up, e.g. algebre.course

HEADER_KEYS = (
    "id",
    "title",
    "subject",
    "levels",
    "language",
    "summary",
    "licence",
    "authors",
    "country",
    "version",
    "objectives",
    "attribution",
    "audio",
    "public",
)
REQUIRED_KEYS = ("id", "title", "subject", "levels", "language")
# Problems found before reading stops: each one costs, and 512 KB of wrong lines (130,000
# problems) held the event loop for seconds where the first ones are all a teacher reads.
MAX_ERRORS = 100

__all__ = [
    "COURSE_FILE_NAME",
    "CourseFormatError",
    "check_path",
    "course_files",
    "parse_course",
    "parse_course_file",
    "parse_course_files",
]

# Only these line shapes start something; any other line is text of the current section.
_HEADING = re.compile(r"(?P<hashes>#{1,6})[ \t]+(?P<title>.*)$")
_MODULE = re.compile(r"module[ \t]*:(?P<rest>.*)", re.IGNORECASE)
_KEY_VALUE = re.compile(r"(?P<key>[A-Za-z][\w-]*)[ \t]*:[ \t]*(?P<value>.*)$")
_LANGUAGE = re.compile(r"[a-z]{2,3}(?:[-_][A-Za-z]{2,4})?")
_CANONICAL_LEVELS = {level.casefold(): level for level in LEVELS}


def split_heading(heading: str) -> tuple[str, str | None]:
    """A heading's title and its `{#id}` (None without one): "Les fractions {#fractions}".

    Scanned, not matched: a regular expression for it backtracked quadratically on a long
    run of `{#` (58 KB of them blocked the event loop for 17 s). The id is the end of the
    heading, from the first `{#` after any earlier `}`.
    """
    if heading.endswith("}"):
        previous = heading.rfind("}", 0, len(heading) - 1)
        start = heading.find("{#", previous + 1, len(heading) - 1)
        if start >= 0:
            return heading[:start].strip(), heading[start + 2 : -1]
    return heading.strip(), None


@dataclass(frozen=True)
class _HeaderValue:
    """A header value and where it was written."""

    value: str
    line: int
    column: int


@dataclass(frozen=True)
class _Parsed:
    """What reading one course file gave: the course if it is sound, and all problems."""

    course: Course | None
    errors: list[CourseFormatError]
    id_line: int


class _Parser:
    """Reads a course file line by line, collecting every problem it meets."""

    def __init__(self, source: Path) -> None:
        self.source = source
        self.errors: list[CourseFormatError] = []
        self.header: dict[str, _HeaderValue] = {}
        self.lessons: list[Lesson] = []
        self.modules: list[Module] = []
        self.lesson: LessonDraft | None = None
        self.placement: QuizDraft | None = None  # `# Test de placement`, once read
        self.in_placement = False  # its lines are being read
        self.headings = 0  # lesson headings seen, sound or not
        self.comment_line = 0  # where an open <!-- comment started, 0 when none is open

    def report(self, line: int, column: int, message: str, /, **args: object) -> None:
        """Record one problem: a French msgid marked with N_ and its named arguments."""
        self.errors.append(CourseFormatError(self.source, line, column, message, args))

    def run(self, text: str) -> _Parsed:
        """Read the whole text and build the course if no problem was found."""
        lines = text.removeprefix("\ufeff").split("\n")
        for number, raw in enumerate(lines, 1):
            if len(self.errors) >= MAX_ERRORS:
                break  # a file of nothing but mistakes: what follows would not help
            self.feed(number, raw.rstrip())
        if self.comment_line:
            message = N_("le commentaire '<!--' n'est jamais fermé par '-->'")
            self.report(self.comment_line, 1, message)
        self.close_lesson()
        self.close_module()
        placement = self.placement.close() if self.placement is not None else None
        if self.placement is not None and self.placement.options:
            message = N_(
                "le test de placement ne prend pas d'options (%(keys)s) : seulement des "
                "questions ('? ')"
            )
            keys = ", ".join(sorted(self.placement.options))
            self.report(self.placement.line, 1, message, keys=keys)
        course = self.build_course(len(lines))
        if course is not None and placement is not None:
            course = replace(course, placement=placement)
            for line, problem in placement_problems(course):
                self.report(line, 1, problem.text, **problem.args)
            course = None if self.errors else course
        self.errors.sort(key=lambda e: (e.line, e.column))
        id_line = self.header["id"].line if "id" in self.header else 0
        return _Parsed(None if self.errors else course, self.errors, id_line)

    def feed(self, number: int, line: str) -> None:
        """Route one line to the section being read."""
        if self.skip_comment(number, line):
            return
        heading = _HEADING.match(line)
        if heading:
            self.on_heading(number, heading)
        elif self.in_placement and self.placement is not None:
            self.placement.feed(number, line)
        elif self.lesson is None:
            self.on_header_line(number, line)
        else:
            self.lesson.feed(number, line)

    def skip_comment(self, number: int, line: str) -> bool:
        """Tell whether the line belongs to a <!-- comment --> (whole lines only)."""
        if self.comment_line:
            if "-->" in line:
                self.comment_line = 0
            return True
        stripped = line.lstrip()
        if not stripped.startswith("<!--"):
            return False
        if "-->" not in stripped[4:]:
            self.comment_line = number
        return True

    def on_heading(self, number: int, heading: re.Match[str]) -> None:
        """Start a lesson (#) or the quiz of the current lesson (## Quiz)."""
        level, title = len(heading["hashes"]), heading["title"].strip()
        module = _MODULE.fullmatch(title) if level == 1 else None
        if level == 1:
            self.in_placement = False
        if level == 1 and is_placement_heading(title):
            self.close_lesson()
            self.open_placement(number)
        elif module:
            self.close_lesson()
            self.open_module(number, module["rest"].strip(), module.start("rest") + 3)
        elif level == 1:
            self.close_lesson()
            self.open_lesson(number, title)
        elif level == 2 and title.casefold() == "quiz" and self.in_placement:
            message = N_("le test de placement est déjà un quiz : écrivez ses questions ('? ')")
            self.report(number, 1, message)
        elif level == 2 and title.casefold() == "quiz" and self.lesson is not None:
            self.lesson.open_quiz(number)
        elif level == 2 and title.casefold() == "quiz":
            self.report(number, 1, N_("un quiz doit suivre une leçon ('# Titre')"))
        else:
            message = N_(
                "titre inconnu : '# Titre de leçon' ou '## Quiz' attendu ('\\#' pour du texte)"
            )
            self.report(number, 1, message)

    def open_placement(self, number: int) -> None:
        """Start the course's placement quiz (`# Test de placement`): questions with skills."""
        if self.placement is not None:
            self.report(number, 1, N_("ce cours a déjà un test de placement : un seul"))
        else:
            self.placement = QuizDraft(
                self.report, number, lambda raw: sound_at(self.source.parent, raw)
            )
        self.in_placement = True

    def open_module(self, number: int, heading: str, column: int) -> None:
        """Start a module: the lessons that follow belong to it, until the next module."""
        title, given = split_heading(heading)
        module_id = slugify(title) if given is None else given.strip()
        if self.lessons and not self.modules:
            message = N_(
                "des leçons précèdent le premier module : commencez le cours par un module"
            )
            self.report(number, 1, message)
        if not title:
            self.report(number, column, N_("le module n'a pas de titre"))
        elif given is not None and not is_valid_id(module_id):
            message = N_(
                "l'identifiant de module '%(id)s' doit être un code ASCII court : "
                "a-z, 0-9 et '-', 24 caractères au plus"
            )
            self.report(number, column + heading.find("{#"), message, id=module_id)
        elif not module_id:
            self.report(number, column, _NO_ID)
        elif any(m.id == module_id for m in self.modules):
            message = N_("l'identifiant de module '%(id)s' est déjà pris dans ce cours")
            self.report(number, column, message, id=module_id)
        self.close_module()
        self.modules.append(Module(module_id, title, (), number))

    def close_module(self) -> None:
        """Check that the module being read got at least one lesson."""
        if self.modules and not self.modules[-1].lesson_ids:
            message = N_("le module n'a aucune leçon : ajoutez un '# Titre de leçon' après lui")
            self.report(self.modules[-1].line, 1, message)

    def open_lesson(self, number: int, heading: str) -> None:
        """Start a lesson from its heading, with an explicit {#id} or a slug of its title."""
        self.headings += 1
        title, given = split_heading(heading)
        lesson_id = slugify(title) if given is None else given.strip()
        if not title:
            self.report(number, 3, N_("la leçon n'a pas de titre"))
        elif given is not None and not is_valid_id(lesson_id):
            message = N_(
                "l'identifiant de leçon '%(id)s' doit être un code ASCII court : "
                "a-z, 0-9 et '-', 24 caractères au plus"
            )
            self.report(number, 3 + heading.find("{#"), message, id=lesson_id)
        elif not lesson_id:
            self.report(number, 3, _NO_ID)
        elif any(le.id == lesson_id for le in self.lessons):
            message = N_("l'identifiant de leçon '%(id)s' est déjà pris dans ce cours")
            self.report(number, 3, message, id=lesson_id)
        self.lesson = LessonDraft(self.source.parent, self.report, lesson_id, title, number)
        if self.modules:
            last = self.modules[-1]
            self.modules[-1] = replace(last, lesson_ids=(*last.lesson_ids, lesson_id))

    def close_lesson(self) -> None:
        """Finish the lesson being read, if any."""
        if self.lesson is not None:
            self.lessons.append(self.lesson.close())
            self.lesson = None

    def on_header_line(self, number: int, line: str) -> None:
        """Read one `key: value` line of the course header."""
        if not line.strip():
            return
        match = _KEY_VALUE.fullmatch(line)
        if match is None:
            message = N_("ligne d'en-tête 'clé: valeur' ou titre '# Leçon' attendu")
            self.report(number, 1, message)
            return
        key, value = match["key"].casefold(), match["value"].strip()
        if key not in HEADER_KEYS:
            message = N_("clé d'en-tête inconnue '%(key)s' (connues : %(known)s)")
            self.report(number, 1, message, key=key, known=", ".join(HEADER_KEYS))
        elif key in self.header:
            self.report(number, 1, N_("la clé d'en-tête '%(key)s' est donnée deux fois"), key=key)
        elif not value:
            message = N_("la clé d'en-tête '%(key)s' n'a pas de valeur")
            self.report(number, len(key) + 2, message, key=key)
        else:
            self.header[key] = _HeaderValue(value, number, match.start("value") + 1)

    def build_course(self, last_line: int) -> Course | None:
        """Check the header and assemble the course."""
        for key in REQUIRED_KEYS:
            if key not in self.header:
                self.report(1, 1, N_("la clé d'en-tête '%(key)s' manque"), key=key)
        if not self.headings:
            message = N_("le cours n'a aucune leçon : commencez-en une par '# Titre'")
            self.report(last_line, 1, message)
        levels = self.check_levels()
        self.check_fields()
        if self.errors:
            return None
        get = {key: header.value for key, header in self.header.items()}
        return Course(
            id=get["id"],
            title=get["title"],
            subject=get["subject"],
            levels=levels,
            language=get["language"].casefold(),
            summary=get.get("summary", ""),
            licence=get.get("licence", "CC BY-SA 4.0"),
            authors=tuple(a.strip() for a in get.get("authors", "").split(",") if a.strip()),
            lessons=tuple(self.lessons),
            source=self.source,
            countries=_countries(get.get("country", "all")),
            version=get.get("version", "1"),
            objectives=_split(get.get("objectives", ""), ";"),
            modules=tuple(self.modules),
            attribution=_split(get.get("attribution", ""), ";"),
            audio_first=_audio_first(get.get("audio", "")) is True,
            audience=_audience(get.get("public", "")) or "students",
        )

    def check_fields(self) -> None:
        """Validate the single-valued header fields."""
        get = {key: header.value for key, header in self.header.items()}
        if "id" in get and not is_valid_id(get["id"]):
            message = N_(
                "l'identifiant de cours '%(id)s' doit être un code ASCII court : "
                "a-z, 0-9 et '-', 24 caractères au plus"
            )
            self.report_at("id", Message(message, {"id": get["id"]}))
        if "subject" in get and get["subject"] not in SUBJECTS:
            message = N_("matière inconnue (connues : %(known)s)")
            self.report_at("subject", Message(message, {"known": ", ".join(SUBJECTS)}))
        if "language" in get and not _LANGUAGE.fullmatch(get["language"]):
            message = N_("la langue doit être un code comme fr, en, ar, wo, ff")
            self.report_at("language", Message(message))
        if "country" in get and not all(_COUNTRY.fullmatch(c) for c in _countries(get["country"])):
            message = N_("le pays doit être 'all' ou des codes comme SN, ML, TD")
            self.report_at("country", Message(message))
        if "audio" in get and _audio_first(get["audio"]) is None:
            message = N_(
                "audio doit valoir « d'abord » (cours pour ceux qui lisent peu, "
                "consignes en audio) ou « normal »"
            )
            self.report_at("audio", Message(message))
        if "public" in get and _audience(get["public"]) is None:
            message = N_("public doit valoir « élèves » (par défaut) ou « enseignants »")
            self.report_at("public", Message(message))

    def check_levels(self) -> tuple[str, ...]:
        """Read the comma-separated class levels, in school order."""
        header = self.header.get("levels")
        if header is None:
            return ()
        found: set[str] = set()
        offset = header.column
        for raw in header.value.split(","):
            level = _CANONICAL_LEVELS.get(raw.strip().casefold())
            if level is None:
                column = offset + len(raw) - len(raw.lstrip())
                message = N_("niveau inconnu '%(level)s' (connus : %(known)s)")
                known = ", ".join(LEVELS)
                self.report(header.line, column, message, level=raw.strip(), known=known)
            else:
                found.add(level)
            offset += len(raw) + 1
        return tuple(level for level in LEVELS if level in found)

    def report_at(self, key: str, message: Message) -> None:
        """Record a problem with the value of a header key."""
        header = self.header[key]
        self.report(header.line, header.column, message.text, **message.args)


_NO_ID = N_("impossible de tirer un identifiant ASCII de ce titre : ajoutez-en un, {#mon-id}")


def _parse(text: str, source: Path) -> _Parsed:
    """Parse a course text, never raising: problems come back in the result."""
    return _Parser(source).run(text)


def parse_course(text: str, source: Path) -> Course:
    """Parse the text of a course file; media paths are relative to `source`'s folder."""
    parsed = _parse(text, source)
    if parsed.course is None:
        raise parsed.errors[0]
    return parsed.course


def _read(path: Path) -> _Parsed:
    """Read and parse one course file, turning IO and encoding problems into errors."""
    try:
        data = path.read_bytes()
    except (OSError, ValueError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        message = N_("lecture impossible : %(reason)s")
        return _Parsed(None, [CourseFormatError(path, 0, 0, message, {"reason": reason})], 0)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        message = N_("le fichier n'est pas du texte UTF-8 : enregistrez-le en UTF-8")
        return _Parsed(None, [CourseFormatError(path, line, column, message)], 0)
    return _parse(text, path)


def parse_course_file(path: Path) -> Course:
    """Read and parse one course file."""
    parsed = _read(path)
    if parsed.course is None:
        raise parsed.errors[0]
    return parsed.course


def parse_course_files(paths: Iterable[Path]) -> tuple[list[Course], list[CourseFormatError]]:
    """Parse several course files: the sound courses, and every problem including shared ids."""
    courses: list[Course] = []
    errors: list[CourseFormatError] = []
    first_source: dict[str, Path] = {}
    for path in paths:
        parsed = _read(path)
        errors.extend(parsed.errors)
        course = parsed.course
        if course is None:
            continue
        if course.id in first_source:
            message = N_("l'identifiant de cours '%(id)s' est déjà pris par %(other)s")
            args = {"id": course.id, "other": str(first_source[course.id])}
            errors.append(CourseFormatError(path, parsed.id_line, 1, message, args))
            continue
        first_source[course.id] = path
        if path.name == COURSE_FILE_NAME:
            course, problems = read_translations(course)
            errors.extend(problems)
        courses.append(course)
    return courses, errors


def course_files(folder: Path) -> list[Path]:
    """List the course files under a folder, in a stable order."""
    try:
        found = [p for p in folder.rglob("*") if _is_course_file(p)]
    except OSError:
        return []
    return sorted(found)


def _is_course_file(path: Path) -> bool:
    """Tell whether a path names a course file."""
    named = path.name == COURSE_FILE_NAME or path.suffix == COURSE_SUFFIX
    return named and path.is_file()


def check_path(path: Path) -> list[CourseFormatError]:
    """Check one course file, or every course file under a folder; return all problems."""
    if path.is_dir():
        files = course_files(path)
        if not files:
            message = N_("aucun fichier de cours (%(name)s ou *%(suffix)s) dans ce dossier")
            args = {"name": COURSE_FILE_NAME, "suffix": COURSE_SUFFIX}
            return [CourseFormatError(path, 0, 0, message, args)]
    elif path.exists():
        files = [path]
    else:
        return [CourseFormatError(path, 0, 0, N_("fichier ou dossier introuvable"))]
    return parse_course_files(files)[1]


_COUNTRY = re.compile(r"[A-Z]{2}")


def _countries(value: str) -> tuple[str, ...]:
    """`all` (every country) or comma-separated ISO codes: `SN, ML`."""
    if value.strip().casefold() == "all":
        return ()
    return tuple(c.strip().upper() for c in value.split(",") if c.strip())


# `audio: d'abord` (or `first`): a course for learners who read little; `normal` is the default.
_AUDIO_FIRST = {"d'abord": True, "dabord": True, "first": True, "normal": False}


def _audio_first(value: str) -> bool | None:
    """Read the `audio` header value; None when it is not one of the known words."""
    word = " ".join(value.casefold().replace("’", "'").split())
    return _AUDIO_FIRST.get(word) if value else False


# `public: enseignants` (or `teachers`): a course for teachers; `élèves` is the default.
_AUDIENCES = {
    "élèves": "students",
    "eleves": "students",
    "students": "students",
    "enseignants": "teachers",
    "teachers": "teachers",
}


def _audience(value: str) -> str | None:
    """Read the `public` header value: students or teachers; None when it is not known."""
    return _AUDIENCES.get(value.strip().casefold()) if value.strip() else "students"


def _split(value: str, separator: str) -> tuple[str, ...]:
    """The non-empty parts of a header value, stripped."""
    return tuple(part.strip() for part in value.split(separator) if part.strip())
