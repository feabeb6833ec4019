"""A teacher asks for a course's booklet in the chat and gets the PDF."""

from __future__ import annotations

from content.model import Course
from dialogs.messages import Document
from tests.driver import Learner
from tests.flow_states import place_of


class FakeBooklets:
    """Records what was printed; returns a tiny PDF."""

    def __init__(self) -> None:
        self.printed: list[str] = []
        self.languages: list[str | None] = []

    async def booklet(self, course: Course, language: str | None = None) -> bytes:
        self.printed.append(course.id)
        self.languages.append(language)
        return b"%PDF-1.4 fake"


async def open_a_course(learner: Learner, role: str) -> None:
    """Onboard with a role, then open the first course's page."""
    await learner.send("/start")
    for option in ("fr", "yes", "SN", role, "CM2", "Les cours"):
        await learner.tap(option)
    while learner.state.step != "course":
        await learner.tap(learner.last_prompt().options[0].id)


async def test_a_teacher_gets_the_booklet_of_a_course() -> None:
    learner = Learner.new()
    learner.booklets = FakeBooklets()
    await open_a_course(learner, "teacher")
    reply = await learner.tap("livret")
    document = next(m for m in reply if isinstance(m, Document))
    assert document.mime == "application/pdf" and document.content.startswith(b"%PDF")
    assert document.filename == f"{place_of(learner)['course']}.pdf"
    assert learner.booklets.printed == [place_of(learner)["course"]]
    assert learner.state.step == "course", "the course page comes again"


async def test_a_student_is_not_offered_the_booklet() -> None:
    learner = Learner.new()
    learner.booklets = FakeBooklets()
    await open_a_course(learner, "student")
    labels = [o.label for o in learner.last_prompt().options]
    assert not any("livret" in label for label in labels)


async def test_a_teacher_gets_the_booklet_in_a_language_the_course_has() -> None:
    """The fractions course has a Wolof version (course.wo.md): a second booklet is offered."""
    learner = Learner.new()
    learner.booklets = FakeBooklets()
    await learner.send("/start")
    for option in ("fr", "yes", "SN", "teacher", "CM2", "Les cours", "mathematiques"):
        await learner.tap(option)
    await learner.tap("fractions")
    labels = [o.label for o in learner.last_prompt().options]
    assert labels[-3:] == ["🖨️ Recevoir le livret à imprimer", "🖨️ Livret en Wolof", "🏠 Menu"]
    reply = await learner.tap("Livret en Wolof")
    document = next(m for m in reply if isinstance(m, Document))
    assert document.filename == "fractions.wo.pdf"
    assert document.caption.startswith("Le livret « Xaaj yi » : leçons, exercices et corrigé.")
    assert learner.booklets.languages == ["wo"]
