"""Our course file format: Markdown-flavoured, line-based text a teacher writes by hand.

The format is documented with a complete example in content/README.md. This module reads
it into the model of content/model.py and reports every problem with its line and column.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from content.errors import CourseFormatError
from content.format_lesson import LessonDraft
from content.model import LEVELS, SUBJECTS, Course, Lesson
from content.normalize import is_valid_id, slugify

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
)
REQUIRED_KEYS = ("id", "title", "subject", "levels", "language")

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
_LESSON_TITLE = re.compile(r"(?P<title>.*?)[ \t]*(?:\{#(?P<id>[^}]*)\})?$")
_KEY_VALUE = re.compile(r"(?P<key>[A-Za-z][\w-]*)[ \t]*:[ \t]*(?P<value>.*)$")
_LANGUAGE = re.compile(r"[a-z]{2,3}(?:[-_][A-Za-z]{2,4})?")
_CANONICAL_LEVELS = {level.casefold(): level for level in LEVELS}


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
        self.lesson: LessonDraft | None = None
        self.headings = 0  # lesson headings seen, sound or not
        self.comment_line = 0  # where an open <!-- comment started, 0 when none is open

    def report(self, line: int, column: int, message: str) -> None:
        """Record one problem."""
        self.errors.append(CourseFormatError(self.source, line, column, message))

    def run(self, text: str) -> _Parsed:
        """Read the whole text and build the course if no problem was found."""
        lines = text.removeprefix("\ufeff").split("\n")
        for number, raw in enumerate(lines, 1):
            self.feed(number, raw.rstrip())
        if self.comment_line:
            self.report(self.comment_line, 1, "comment '<!--' is never closed with '-->'")
        self.close_lesson()
        course = self.build_course(len(lines))
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
        if level == 1:
            self.close_lesson()
            self.open_lesson(number, title)
        elif level == 2 and title.casefold() == "quiz" and self.lesson is not None:
            self.lesson.open_quiz(number)
        elif level == 2 and title.casefold() == "quiz":
            self.report(number, 1, "a quiz must come after a lesson ('# Title')")
        else:
            self.report(
                number, 1, "unknown heading: use '# Lesson title' or '## Quiz' ('\\#' for text)"
            )

    def open_lesson(self, number: int, heading: str) -> None:
        """Start a lesson from its heading, with an explicit {#id} or a slug of its title."""
        self.headings += 1
        match = _LESSON_TITLE.fullmatch(heading)
        title = match["title"].strip() if match else heading
        given = match["id"] if match else None
        lesson_id = slugify(title) if given is None else given.strip()
        if not title:
            self.report(number, 3, "the lesson has no title")
        elif given is not None and not is_valid_id(lesson_id):
            self.report(number, 3 + heading.find("{#"), _bad_id("lesson", lesson_id))
        elif not lesson_id:
            self.report(number, 3, "cannot make an ASCII id from this title: add one, {#my-id}")
        elif any(le.id == lesson_id for le in self.lessons):
            self.report(number, 3, f"lesson id '{lesson_id}' is already used in this course")
        self.lesson = LessonDraft(self.source.parent, self.report, lesson_id, title, number)

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
            self.report(number, 1, "expected a 'key: value' header line or a '# Lesson' heading")
            return
        key, value = match["key"].casefold(), match["value"].strip()
        if key not in HEADER_KEYS:
            self.report(number, 1, f"unknown header key '{key}' (known: {', '.join(HEADER_KEYS)})")
        elif key in self.header:
            self.report(number, 1, f"header key '{key}' is given twice")
        elif not value:
            self.report(number, len(key) + 2, f"header key '{key}' has no value")
        else:
            self.header[key] = _HeaderValue(value, number, match.start("value") + 1)

    def build_course(self, last_line: int) -> Course | None:
        """Check the header and assemble the course."""
        for key in REQUIRED_KEYS:
            if key not in self.header:
                self.report(1, 1, f"missing header key '{key}'")
        if not self.headings:
            self.report(last_line, 1, "the course has no lesson: start one with '# Title'")
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
            objectives=tuple(o.strip() for o in get.get("objectives", "").split(";") if o.strip()),
        )

    def check_fields(self) -> None:
        """Validate the single-valued header fields."""
        get = {key: header.value for key, header in self.header.items()}
        if "id" in get and not is_valid_id(get["id"]):
            self.report_at("id", _bad_id("course", get["id"]))
        if "subject" in get and get["subject"] not in SUBJECTS:
            self.report_at("subject", f"unknown subject (known: {', '.join(SUBJECTS)})")
        if "language" in get and not _LANGUAGE.fullmatch(get["language"]):
            self.report_at("language", "language must be a code such as fr, en, ar, wo, ff")
        if "country" in get and not all(_COUNTRY.fullmatch(c) for c in _countries(get["country"])):
            self.report_at("country", "country must be 'all' or codes such as SN, ML, TD")

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
                self.report(header.line, column, f"unknown level '{raw.strip()}' ({_levels()})")
            else:
                found.add(level)
            offset += len(raw) + 1
        return tuple(level for level in LEVELS if level in found)

    def report_at(self, key: str, message: str) -> None:
        """Record a problem with the value of a header key."""
        header = self.header[key]
        self.report(header.line, header.column, message)


def _levels() -> str:
    """List the known levels for an error message."""
    return "known: " + ", ".join(LEVELS)


def _bad_id(what: str, value: str) -> str:
    """Explain what an id must look like."""
    return (
        f"{what} id '{value}' must be a short ASCII slug: a-z, 0-9 and '-', at most 24 characters"
    )


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
        return _Parsed(None, [CourseFormatError(path, 0, 0, f"cannot read: {reason}")], 0)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        message = "the file is not UTF-8 text: save it as UTF-8"
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
            message = f"course id '{course.id}' is already used by {first_source[course.id]}"
            errors.append(CourseFormatError(path, parsed.id_line, 1, message))
            continue
        first_source[course.id] = path
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
            message = f"no course file ({COURSE_FILE_NAME} or *{COURSE_SUFFIX}) in this folder"
            return [CourseFormatError(path, 0, 0, message)]
    elif path.exists():
        files = [path]
    else:
        return [CourseFormatError(path, 0, 0, "no such file or folder")]
    return parse_course_files(files)[1]


_COUNTRY = re.compile(r"[A-Z]{2}")


def _countries(value: str) -> tuple[str, ...]:
    """`all` (every country) or comma-separated ISO codes: `SN, ML`."""
    if value.strip().casefold() == "all":
        return ()
    return tuple(c.strip().upper() for c in value.split(",") if c.strip())
