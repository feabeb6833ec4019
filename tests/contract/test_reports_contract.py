"""The ReportDesk contract (dialogs/report_ports.py) for students' questions and the class
page: the in-memory fake and the SQL desk on SQLite and PostgreSQL behave the same
(tests/contract/conftest.py). Quiz statistics are tested on SQL only
(tests/integration/test_class_reports.py)."""

from __future__ import annotations

from tests.contract.conftest import Seeded


async def test_a_students_question_reaches_their_teacher_once_answered_it_is_gone(
    world: Seeded,
) -> None:
    teacher = await world.add_person(country="SN", locale="en")
    other = await world.add_person(country="SN")
    awa = await world.add_person(country="SN")
    outsider = await world.add_person(country="SN")
    room = await world.desks(teacher).teaching.create_class("CM2 A", "CM2", "maths")
    await world.desks(awa).teaching.join(room.id, "Awa")

    student = world.desks(awa).reports
    assert await student.open_class() == (room.id, "CM2 A")
    assert await world.desks(outsider).reports.ask(room.id, "fractions", "l1", "?") is None
    asked = await student.ask(room.id, "fractions", "l1", "Pourquoi 1/2 = 2/4 ?")
    assert asked is not None
    assert (asked.teacher_id, asked.teacher_locale, asked.student_name, asked.class_name) == (
        teacher,
        "en",
        "Awa",
        "CM2 A",
    )

    desk = world.desks(teacher).reports
    figures = await desk.figures(room.id)
    assert (figures.essays, figures.questions, figures.questions_open) == (0, 1, True)
    waiting = await desk.questions(None)
    assert [(q.id, q.name, q.text) for q in waiting] == [
        (asked.question_id, "Awa", "Pourquoi 1/2 = 2/4 ?")
    ]
    assert await world.desks(other).reports.questions(None) == []
    assert await world.desks(other).reports.answer(asked.question_id, "Non") is None
    answered = await desk.answer(asked.question_id, "Parce que…")
    assert answered is not None and answered.student_id == awa
    assert await desk.answer(asked.question_id, "Encore") is None
    assert await desk.questions(room.id) == []


async def test_a_teacher_mutes_questions_of_their_own_class_only(world: Seeded) -> None:
    teacher = await world.add_person(country="SN")
    other = await world.add_person(country="SN")
    awa = await world.add_person(country="SN")
    room = await world.desks(teacher).teaching.create_class("CM2 A", "CM2", "maths")
    await world.desks(awa).teaching.join(room.id, "Awa")
    assert not await world.desks(other).reports.set_questions_open(room.id, False)
    assert await world.desks(teacher).reports.set_questions_open(room.id, False)
    assert await world.desks(awa).reports.open_class() is None
    assert await world.desks(awa).reports.ask(room.id, "fractions", "l1", "?") is None
    assert not (await world.desks(teacher).reports.figures(room.id)).questions_open
    assert (await world.desks(other).reports.figures(room.id)).questions_open is False


async def test_the_progress_page_lists_the_students_by_name(world: Seeded) -> None:
    teacher = await world.add_person(country="SN")
    room = await world.desks(teacher).teaching.create_class("CM2 A", "CM2", "maths")
    for name in ("Bintou", "Awa"):
        await world.desks(await world.add_person(country="SN")).teaching.join(room.id, name)
    progress = await world.desks(teacher).reports.progress(room.id)
    assert [(p.name, p.lessons) for p in progress] == [("Awa", {}), ("Bintou", {})]
    assert await world.desks(teacher).reports.courses(room.id) == []
