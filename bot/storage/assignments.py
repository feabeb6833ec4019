"""Assignments: work a teacher gives to a class (a course or one lesson, maybe a deadline),
in Core statements (bot/storage/sql.py) run on SQLite or PostgreSQL, inside the person's turn.

Progress is what `lesson_progress` holds: a lesson counts once its last step is read (its quiz
comes right after), the same measure as the reminder's `unfinished` audiences use.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    ColumnElement,
    Integer,
    bindparam,
    delete,
    exists,
    func,
    insert,
    literal_column,
    null,
    or_,
    select,
    update,
)

from bot.storage.models import (
    assignment_students,
    assignments,
    broadcasts,
    class_members,
    classes,
    lesson_progress,
)
from bot.storage.sql import Row, Runner, utc
from dialogs.teaching_ports import Assignment, Group

a, m = assignments, class_members  # as the statements name them


def _done(who: ColumnElement[int]) -> ColumnElement[int]:
    """Assigned lessons `who` has done: the lesson itself, or any lesson of the course."""
    lp = lesson_progress
    return (
        select(func.count())
        .where(
            lp.c.user_id == who,
            lp.c.course_id == a.c.course_id,
            or_(a.c.lesson_id.is_(None), lp.c.lesson_id == a.c.lesson_id),
        )
        .scalar_subquery()
    )


_FIELDS = (a.c.id, a.c.class_id, a.c.course_id, a.c.lesson_id, a.c.deadline, a.c.reminder_id)
# Whether work is for the class member `m`: the whole class's, or a group's they are in.
_FOR_MEMBER = or_(
    ~exists().where(assignment_students.c.assignment_id == a.c.id),
    exists().where(
        assignment_students.c.assignment_id == a.c.id, assignment_students.c.user_id == m.c.user_id
    ),
)
_SOONEST = (a.c.deadline.is_(None), a.c.deadline, a.c.id)
_OWNS = select(literal_column("1", Integer)).where(
    classes.c.id == bindparam("cid"), classes.c.teacher_id == bindparam("uid")
)
_MEMBERS = select(m.c.user_id).where(m.c.class_id == bindparam("cid"))
_NEW = (
    insert(a)
    .values(
        class_id=bindparam("cid"),
        course_id=bindparam("course"),
        lesson_id=bindparam("lesson"),
        deadline=bindparam("deadline"),
        created_at=bindparam("now"),
        skill=bindparam("skill"),
        skill_level=bindparam("level"),
    )
    .returning(a.c.id)
)
_NEW_STUDENT = insert(assignment_students).values(
    assignment_id=bindparam("aid"), user_id=bindparam("uid")
)
_SET_REMINDER = update(a).where(a.c.id == bindparam("aid")).values(reminder_id=bindparam("bid"))
# (the class's name is only read for a student's list)
_OF_CLASS = (
    select(*_FIELDS, null(), a.c.skill, a.c.skill_level)
    .where(a.c.class_id == bindparam("cid"))
    .order_by(*_SOONEST)
)
_CLASS_PROGRESS = (
    select(a.c.id, _done(m.c.user_id))
    .join(m, m.c.class_id == a.c.class_id)
    .where(a.c.class_id == bindparam("cid"), _FOR_MEMBER)
    .order_by(m.c.user_id)
)
_OF_STUDENT = (
    select(*_FIELDS, classes.c.name, _done(bindparam("uid")), a.c.skill, a.c.skill_level)
    .join(classes, classes.c.id == a.c.class_id)
    .join(m, (m.c.class_id == a.c.class_id) & (m.c.user_id == bindparam("uid")))
    .where(_FOR_MEMBER)
    .order_by(*_SOONEST)
)
_REMINDER = (
    select(a.c.reminder_id)
    .join(classes, classes.c.id == a.c.class_id)
    .where(a.c.id == bindparam("aid"), classes.c.teacher_id == bindparam("uid"))
)
_CANCEL = (
    update(broadcasts)
    .where(broadcasts.c.id == bindparam("bid"), broadcasts.c.status == "scheduled")
    .values(status="cancelled")
)
_DELETE = delete(a).where(a.c.id == bindparam("aid"))


async def assign(
    runner: Runner,
    teacher_id: int,
    class_id: int,
    work: tuple[str, str | None, datetime | None],
    now: datetime,
    group: Group | None = None,
) -> int | None:
    """Store work (course, lesson, deadline) for one of the teacher's classes, or for one
    group of it (only its students still in the class count; None if none is); its id."""
    if not await _owns_class(runner, teacher_id, class_id):
        return None
    students: list[int] = []
    if group is not None:
        members = {int(row[0]) for row in await runner.run(_MEMBERS, cid=class_id)}
        students = sorted(set(group.user_ids) & members)
        if not students:
            return None
    course_id, lesson_id, deadline = work
    rows = await runner.run(
        _NEW,
        cid=class_id,
        course=course_id,
        lesson=lesson_id,
        deadline=deadline,
        now=now,
        skill=group.skill if group is not None else None,
        level=group.level if group is not None else None,
    )
    assignment_id = int(rows[0][0])
    for uid in students:
        await runner.run(_NEW_STUDENT, aid=assignment_id, uid=uid)
    return assignment_id


async def set_reminder(runner: Runner, assignment_id: int, broadcast_id: int) -> None:
    """Link an assignment to the broadcast that reminds the class of it."""
    await runner.run(_SET_REMINDER, bid=broadcast_id, aid=assignment_id)


async def class_assignments(runner: Runner, teacher_id: int, class_id: int) -> list[Assignment]:
    """A teacher's class's work, soonest deadline first, with each student's progress."""
    if not await _owns_class(runner, teacher_id, class_id):
        return []
    rows = await runner.run(_OF_CLASS, cid=class_id)
    done = await runner.run(_CLASS_PROGRESS, cid=class_id)
    progress: dict[int, list[int]] = {}
    for assignment_id, count in done:
        progress.setdefault(int(assignment_id), []).append(int(count))
    return [_assignment(row[:7], tuple(progress.get(int(row[0]), ())), row[7:]) for row in rows]


async def student_assignments(runner: Runner, user_id: int) -> list[Assignment]:
    """The work of every class a person is in, soonest deadline first, with their progress."""
    rows = await runner.run(_OF_STUDENT, uid=user_id)
    return [_assignment(row[:7], (int(row[7]),), row[8:]) for row in rows]


async def delete_assignment(runner: Runner, teacher_id: int, assignment_id: int) -> bool:
    """Delete one of the teacher's assignments; a reminder not queued yet never goes."""
    rows = await runner.run(_REMINDER, aid=assignment_id, uid=teacher_id)
    if not rows:
        return False
    if rows[0][0] is not None:
        # Only while still scheduled: `queue_due` locks the row, so a reminder being queued
        # right now is either cancelled before or left alone after, never half of each.
        await runner.run(_CANCEL, bid=int(rows[0][0]))
    await runner.run(_DELETE, aid=assignment_id)
    return True


async def _owns_class(runner: Runner, teacher_id: int, class_id: int) -> bool:
    """Whether the class is this teacher's."""
    rows = await runner.run(_OWNS, cid=class_id, uid=teacher_id)
    return bool(rows)


def _assignment(row: Row, progress: tuple[int, ...], group: Row = ()) -> Assignment:
    """An assignment from (id, class, course, lesson, deadline, reminder, class name), and
    the (skill, level) of the group it is for, if it is a group's."""
    aid, cid, course, lesson, deadline, reminder, class_name = row
    skill, level = tuple(group) if group else (None, None)
    return Assignment(
        id=int(aid),
        class_id=int(cid),
        course_id=str(course),
        lesson_id=str(lesson) if lesson else None,
        deadline=utc(deadline),
        reminder_id=int(reminder) if reminder is not None else None,
        progress=progress,
        class_name=str(class_name or ""),
        group=(str(skill), str(level)) if skill and level else None,
    )
