"""The library: every course the bot can offer, loaded once from course files."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from pathlib import Path

from content.errors import N_, CourseFormatError
from content.format import COURSE_FILE_NAME, parse_course_files
from content.model import LEVELS, SUBJECTS, Course
from content.normalize import fold

DEFAULT_LIBRARY = Path(__file__).parent / "library"


def _language(code: str) -> str:
    """Return the primary language of a code or locale: fr_SN -> fr, ar-TD -> ar."""
    return code.replace("_", "-").split("-")[0].casefold()


def _school_order(course: Course) -> tuple[int, str, str]:
    """Sort key: youngest level first, then title, then id."""
    first = min((LEVELS.index(level) for level in course.levels), default=len(LEVELS))
    return (first, fold(course.title), course.id)


class Library:
    """Courses by id, in a stable order (school level, then title).

    Some courses may be `restricted`: offered only to the learners the caller names as
    allowed (a teacher's course for their own classes). Who is allowed is not the library's
    business (it knows no classes and does no IO): the dialog asks storage and passes the ids.
    """

    def __init__(self, courses: Iterable[Course] = (), restricted: Iterable[str] = ()) -> None:
        ordered = sorted(courses, key=_school_order)
        self._by_id = {course.id: course for course in ordered}
        if len(self._by_id) != len(ordered):
            raise ValueError("two courses share an id")
        self._courses = tuple(ordered)
        self.restricted = frozenset(restricted) & set(self._by_id)

    @property
    def courses(self) -> tuple[Course, ...]:
        """Return every course, youngest level first."""
        return self._courses

    def __len__(self) -> int:
        """Return how many courses the library holds."""
        return len(self._courses)

    def get(self, course_id: str) -> Course | None:
        """Return the course with this id, if any."""
        return self._by_id.get(course_id)

    def for_learner(
        self,
        level: str | None,
        language: str | None,
        country: str | None = None,
        allowed: Collection[str] = (),
        teacher: bool = False,
    ) -> list[Course]:
        """Return the courses for a level, a language and a country (None: any), in order.

        A course written for some countries only (`country: SN, ML`) is offered to learners
        of those countries; `country: all` courses to everyone. A restricted course is
        offered only when its id is in `allowed`. A course for teachers (`public:
        enseignants`) is offered only when `teacher` is true (never to pupils).
        """
        # Strict on purpose: widening to French is the dialog's choice, told to the learner.
        return [
            course
            for course in self._courses
            if (level is None or _has_level(course, level))
            and (language is None or _language(language) in _languages(course))
            and (country is None or not course.countries or country in course.countries)
            and (course.id not in self.restricted or course.id in allowed)
            and (teacher or not course.for_teachers)
        ]

    def with_courses(self, extra: Iterable[Course], restricted: Iterable[str] = ()) -> Library:
        """This library plus other courses (teachers' published courses), some of them
        restricted; ids stay unique."""
        known = set(self._by_id)
        added = [c for c in extra if c.id not in known]
        return Library([*self._courses, *added], {*self.restricted, *restricted})

    def subjects_for(self, level: str | None, language: str | None) -> list[str]:
        """Return the subjects that have courses for this learner, in SUBJECTS order."""
        present = {course.subject for course in self.for_learner(level, language)}
        return [subject for subject in SUBJECTS if subject in present]


def _languages(course: Course) -> set[str]:
    """The languages a course can be read in: its own and its translations' (partial ones
    too: the steps they lack are read in the course's own language)."""
    return {_language(course.language), *(_language(t.language) for t in course.translations)}


def _has_level(course: Course, level: str) -> bool:
    """Tell whether a course is meant for a class level (case-insensitive: "cm1" = "CM1")."""
    return level.casefold() in (lv.casefold() for lv in course.levels)


def load_library(folder: Path = DEFAULT_LIBRARY) -> Library:
    """Load every `*/course.md` under a folder; raise CourseFormatError on the first problem."""
    if not folder.is_dir():
        message = N_("le dossier de la bibliothèque n'existe pas")
        raise CourseFormatError(folder, 0, 0, message)
    courses, errors = parse_course_files(sorted(folder.glob(f"*/{COURSE_FILE_NAME}")))
    if errors:
        raise errors[0]
    return Library(courses)
