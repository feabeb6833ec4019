"""The TeachingDesk contract (dialogs/teaching_ports.py): the in-memory fake and the SQL desk
on SQLite and PostgreSQL behave the same (tests/contract/conftest.py)."""

from __future__ import annotations

from datetime import timedelta

from dialogs.roles import Grant, Role
from tests.contract.conftest import Seeded


async def test_an_invitation_makes_a_teacher_of_its_country_only_while_it_lasts(
    world: Seeded,
) -> None:
    admin = await world.add_person(country="SN")
    awa = await world.add_person(country="SN", role="teacher")
    moussa = await world.add_person(country="ML", role="teacher")
    fatou = await world.add_person(country="SN", role="teacher")
    invite = await world.desks(admin).teaching.create_invite("SN", max_uses=1, days=7)
    assert (invite.country, invite.max_uses, invite.uses) == ("SN", 1, 0)

    assert await world.desks(awa).teaching.use_invite("NOPE42", "SN") == "unknown"
    assert await world.desks(moussa).teaching.use_invite(invite.code, "ML") == "country"
    typed = f" {invite.code[:3]}-{invite.code[3:].lower()} "
    assert await world.desks(awa).teaching.use_invite(typed, "SN") is None
    assert await world.desks(fatou).teaching.use_invite(invite.code, "SN") == "used"
    assert await world.desks(awa).admin.grants() == [Grant(Role.TEACHER, "SN")]
    assert await world.desks(fatou).admin.grants() == []


async def test_a_request_waits_for_an_admin_of_its_country_and_is_decided_once(
    world: Seeded,
) -> None:
    admin = await world.add_person(country="SN")
    awa = await world.add_person(country="SN", role="teacher")
    moussa = await world.add_person(country="ML", role="teacher")
    await world.desks(awa).teaching.save_profile("École A", ("maths",), ("CM2",), "pending")
    await world.desks(moussa).teaching.save_profile("École B", ("fr",), ("CE1",), "pending")

    desk = world.desks(admin).teaching
    assert [r.user_id for r in await desk.requests(frozenset({"SN"}))] == [awa]
    assert {r.user_id for r in await desk.requests(None)} == {awa, moussa}
    request = (await desk.requests(frozenset({"SN"})))[0]
    assert (request.school, request.subjects, request.levels) == ("École A", ("maths",), ("CM2",))

    assert await desk.decide(awa, approve=True) == "SN"
    assert await desk.decide(awa, approve=False) is None  # already decided
    assert await desk.decide(moussa, approve=False) == "ML"
    assert await desk.requests(None) == []
    assert await world.desks(awa).admin.grants() == [Grant(Role.TEACHER, "SN")]
    assert await world.desks(moussa).admin.grants() == []
    assert await world.desks(awa).teaching.my_school() == "École A"


async def test_a_granted_teacher_without_profile_gets_one_with_a_school_and_a_name(
    world: Seeded,
) -> None:
    teacher = await world.add_person(country="SN")
    desk = world.desks(teacher).teaching
    assert await desk.my_school() == ""
    await desk.set_school("Lycée de Thiès")
    await desk.set_name("M. Diop")
    assert await desk.my_school() == "Lycée de Thiès"
    assert (await world.desks(teacher).circles.me()).name == "M. Diop"


async def test_students_join_a_class_by_its_code_once_and_only_its_teacher_sees_them(
    world: Seeded,
) -> None:
    teacher = await world.add_person(country="SN", role="teacher")
    other = await world.add_person(country="SN", role="teacher")
    awa = await world.add_person(country="SN", role="student")
    bintou = await world.add_person(country="SN", role="student")
    room = await world.desks(teacher).teaching.create_class("CM2 A", "CM2", "maths")
    assert (room.name, room.level, room.subject, room.members) == ("CM2 A", "CM2", "maths", 0)

    found = await world.desks(awa).teaching.find_class(room.join_code.lower())
    assert found is not None and found.id == room.id
    assert await world.desks(awa).teaching.find_class("ZZZZZZ") is None
    assert await world.desks(awa).teaching.join(room.id, "  Awa   Ndiaye ")
    assert not await world.desks(awa).teaching.join(room.id, "Awa")
    assert await world.desks(bintou).teaching.join(room.id, "Bintou")
    gone = room.id + 1000  # a class whose teacher erased their data meanwhile
    assert await world.desks(bintou).teaching.join(gone, "Bintou") is None

    mine = world.desks(teacher).teaching
    assert [(c.id, c.members) for c in await mine.classes()] == [(room.id, 2)]
    assert [(m.user_id, m.name) for m in await mine.members(room.id)] == [
        (awa, "Awa Ndiaye"),
        (bintou, "Bintou"),
    ]
    assert await world.desks(other).teaching.members(room.id) == []
    assert not await world.desks(other).teaching.remove_member(room.id, awa)
    assert [c.id for c in await world.desks(awa).teaching.my_classes()] == [room.id]

    assert await mine.remove_member(room.id, awa)
    assert not await mine.remove_member(room.id, awa)
    assert await world.desks(awa).teaching.my_classes() == []


async def test_work_is_given_to_a_teachers_own_class_and_taken_back_by_them(
    world: Seeded,
) -> None:
    teacher = await world.add_person(country="SN", role="teacher")
    other = await world.add_person(country="SN", role="teacher")
    awa = await world.add_person(country="SN", role="student")
    room = await world.desks(teacher).teaching.create_class("CM2 A", "CM2", "maths")
    await world.desks(awa).teaching.join(room.id, "Awa")
    deadline = world.now + timedelta(days=3)

    desk = world.desks(teacher).teaching
    assert await world.desks(other).teaching.assign(room.id, "fractions", None, None) is None
    first = await desk.assign(room.id, "fractions", None, deadline)
    second = await desk.assign(room.id, "fractions", "l2", None)
    assert first is not None and second is not None
    given = [(a.id, a.course_id, a.lesson_id) for a in await desk.assignments(room.id)]
    assert given == [(first, "fractions", None), (second, "fractions", "l2")]
    assert [a.id for a in await world.desks(awa).teaching.my_assignments()] == [first, second]

    assert not await world.desks(other).teaching.delete_assignment(first)
    assert await desk.delete_assignment(first)
    assert [a.id for a in await desk.assignments(room.id)] == [second]


async def test_a_notice_to_a_class_counts_its_students_who_can_be_written_to(
    world: Seeded,
) -> None:
    teacher = await world.add_person(country="SN", role="teacher")
    awa = await world.add_person(country="SN", role="student")
    bintou = await world.add_person(country="SN", role="student", consented=False)
    room = await world.desks(teacher).teaching.create_class("CM2 A", "CM2", "maths")
    for student in (awa, bintou):
        await world.desks(student).teaching.join(room.id, "Élève")
    await world.desks(awa).admin.set_announcements(False)  # a notice is not an announcement

    _, reached = await world.desks(teacher).teaching.notify({"fr": "Demain"}, class_ids=(room.id,))
    assert reached == 1
