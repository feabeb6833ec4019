"""Assignments: work a teacher gives to a class (a course or one lesson, maybe a deadline),
on SQL that SQLite and PostgreSQL both read, inside the person's turn.

Progress is what `lesson_progress` holds: a lesson counts once its last step is read (its quiz
comes right after), the same measure as the reminder's `unfinished` audiences use.
"""

from __future__ import annotations

from datetime import datetime

from bot.storage.sql import Row, Runner, utc
from dialogs.teaching_ports import Assignment, Group

# Assigned lessons a student has done: the lesson itself, or any lesson of the course.
_DONE = (
    "(SELECT COUNT(*) FROM lesson_progress lp WHERE lp.user_id = {who}"
    " AND lp.course_id = a.course_id AND (a.lesson_id IS NULL OR lp.lesson_id = a.lesson_id))"
)
_FIELDS = "a.id, a.class_id, a.course_id, a.lesson_id, a.deadline, a.reminder_id"
# Whether work is for the class member `m`: the whole class's, or a group's they are in.
_FOR_MEMBER = (
    "(NOT EXISTS (SELECT 1 FROM assignment_students s WHERE s.assignment_id = a.id)"
    " OR EXISTS (SELECT 1 FROM assignment_students s WHERE s.assignment_id = a.id"
    " AND s.user_id = m.user_id))"
)


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
        members = {
            int(row[0])
            for row in await runner.run(
                "SELECT user_id FROM class_members WHERE class_id = :cid", cid=class_id
            )
        }
        students = sorted(set(group.user_ids) & members)
        if not students:
            return None
    course_id, lesson_id, deadline = work
    rows = await runner.run(
        "INSERT INTO assignments (class_id, course_id, lesson_id, deadline, created_at, skill,"
        " skill_level) VALUES (:cid, :course, :lesson, :deadline, :now, :skill, :level)"
        " RETURNING id",
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
        await runner.run(
            "INSERT INTO assignment_students (assignment_id, user_id) VALUES (:aid, :uid)",
            aid=assignment_id,
            uid=uid,
        )
    return assignment_id


async def set_reminder(runner: Runner, assignment_id: int, broadcast_id: int) -> None:
    """Link an assignment to the broadcast that reminds the class of it."""
    await runner.run(
        "UPDATE assignments SET reminder_id = :bid WHERE id = :aid",
        bid=broadcast_id,
        aid=assignment_id,
    )


async def class_assignments(runner: Runner, teacher_id: int, class_id: int) -> list[Assignment]:
    """A teacher's class's work, soonest deadline first, with each student's progress."""
    if not await _owns_class(runner, teacher_id, class_id):
        return []
    rows = await runner.run(
        f"SELECT {_FIELDS}, '', a.skill, a.skill_level FROM assignments a"
        " WHERE a.class_id = :cid ORDER BY a.deadline IS NULL, a.deadline, a.id",
        cid=class_id,
    )
    done = await runner.run(
        f"SELECT a.id, {_DONE.format(who='m.user_id')} FROM assignments a"
        " JOIN class_members m ON m.class_id = a.class_id WHERE a.class_id = :cid"
        f" AND {_FOR_MEMBER} ORDER BY m.user_id",
        cid=class_id,
    )
    progress: dict[int, list[int]] = {}
    for assignment_id, count in done:
        progress.setdefault(int(assignment_id), []).append(int(count))
    return [_assignment(row[:7], tuple(progress.get(int(row[0]), ())), row[7:]) for row in rows]


async def student_assignments(runner: Runner, user_id: int) -> list[Assignment]:
    """The work of every class a person is in, soonest deadline first, with their progress."""
    rows = await runner.run(
        f"SELECT {_FIELDS}, c.name, {_DONE.format(who=':uid')}, a.skill, a.skill_level"
        " FROM assignments a JOIN classes c ON c.id = a.class_id"
        " JOIN class_members m ON m.class_id = a.class_id AND m.user_id = :uid"
        f" WHERE {_FOR_MEMBER} ORDER BY a.deadline IS NULL, a.deadline, a.id",
        uid=user_id,
    )
    return [_assignment(row[:7], (int(row[7]),), row[8:]) for row in rows]


async def delete_assignment(runner: Runner, teacher_id: int, assignment_id: int) -> bool:
    """Delete one of the teacher's assignments; a reminder not queued yet never goes."""
    rows = await runner.run(
        "SELECT a.reminder_id FROM assignments a JOIN classes c ON c.id = a.class_id"
        " WHERE a.id = :aid AND c.teacher_id = :uid",
        aid=assignment_id,
        uid=teacher_id,
    )
    if not rows:
        return False
    if rows[0][0] is not None:
        # Only while still scheduled: `queue_due` locks the row, so a reminder being queued
        # right now is either cancelled before or left alone after, never half of each.
        await runner.run(
            "UPDATE broadcasts SET status = 'cancelled' WHERE id = :bid AND status = 'scheduled'",
            bid=int(rows[0][0]),
        )
    await runner.run("DELETE FROM assignments WHERE id = :aid", aid=assignment_id)
    return True


async def _owns_class(runner: Runner, teacher_id: int, class_id: int) -> bool:
    """Whether the class is this teacher's."""
    rows = await runner.run(
        "SELECT 1 FROM classes WHERE id = :cid AND teacher_id = :uid",
        cid=class_id,
        uid=teacher_id,
    )
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
