"""Assignments: a teacher gives a class a course or one of its lessons, with an optional
deadline; the class is told at once and, before the deadline, those who have not finished
are reminded (a scheduled notice of the outbox: it survives restarts and goes once). Students
see their work with /devoirs and open it from there."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from content.model import Course, Lesson
from content.skills import is_skill_code, skill_names

from dialogs.context import Context, Step, Turn
from dialogs.events import Entered, Incoming, TextReceived
from dialogs.flow import CANCEL, Flow, FlowState, fresh, state_of
from dialogs.flows.class_tools import owned_class
from dialogs.flows.common import menu_option, route, unexpected
from dialogs.flows.place import go_to_lesson, place
from dialogs.flows.teachers import is_teacher, teaching
from dialogs.messages import Ask, Option, Out, Say
from dialogs.options import choose
from dialogs.teaching_ports import Assignment, ClassRoom, Group
from dialogs.when import parse_when, zone_of

MAX_DELAY = timedelta(days=120)
REMIND_BEFORE = timedelta(hours=24)
WORK_BUTTONS = 8  # "take back" or "open" buttons shown at once (the text lists everything)
NOTICE_LANGUAGES = ("fr", "en", "ar")  # and every language of the picker
GROUP_LEVELS = ("to_review", "on_track", "mastered", "new")  # dialogs/flows/class_groups.py


@dataclass
class Assigning(FlowState, flow="assignments"):
    """The work being given, until it is: its course, its lesson (None: the whole course),
    and the group it is for (skill, level, students' ids: see `_group`; None: the class).
    The class itself is the class page's (`owned_class`)."""

    course: str = ""
    lesson: str | None = None
    group: dict[str, Any] | None = None
    legacy = {"course": "work.course", "lesson": "work.lesson", "group": "work.group"}  # noqa: RUF012


def give_course(ctx: Context, course: str) -> Turn:
    """Work for the whole class in hand: the course is known, the lesson and deadline are
    asked (the class page's courses, the shared library's "give to a class")."""
    fresh(ctx, Assigning).course = course
    return Turn(goto="work_lesson")


def give_to_group(ctx: Context, course: str, group: dict[str, Any]) -> Turn:
    """Work for one group of the class (the level groups' page calls it, and is where
    "back" returns): the course is known, the lesson and deadline are asked."""
    work = fresh(ctx, Assigning)
    work.course, work.group = course, group
    return Turn(call="work_lesson", then="class_page", back="class_group_view")


async def _room(ctx: Context) -> ClassRoom | Turn:
    """The teacher's class the page points to; else the turn that refuses or goes back."""
    if ctx.services.teaching is None or not await is_teacher(ctx):
        return Turn([Say(ctx._("Cette action est réservée aux enseignants."))], goto="menu")
    found = await owned_class(ctx)
    return found if found is not None else Turn(goto="classes_home")


def _work(ctx: Context, item: Assignment) -> tuple[str, int] | None:
    """The work's title and how many lessons it has; None if the course is gone."""
    found = ctx.library.get(item.course_id)
    if found is None:
        return None
    if item.lesson_id is None:
        return found.title, len(found.lessons)
    lesson = found.lesson(item.lesson_id)
    return (f"{found.title} · {lesson.title}", 1) if lesson is not None else None


def _local(ctx: Context, moment: datetime) -> tuple[str, str]:
    """(date, time) of a moment in the reader's country, formatted for their locale."""
    local = moment.astimezone(zone_of(ctx.profile.country))
    return ctx.t.date(local), local.strftime("%H:%M")


def _teacher_line(ctx: Context, item: Assignment) -> str:
    """ "📚 « Fractions », avant le 6 déc. 2026 à 18:00 : 2 élèves sur 3 ont fini."; work for
    one group says which."""
    line = _class_line(ctx, item)
    if item.group is None:
        return line
    skill, key = item.group
    levels = {
        "to_review": ctx._("à aider"),
        "on_track": ctx._("en bonne voie"),
        "mastered": ctx._("maîtrisé"),
        "new": ctx._("pas encore de réponse"),
    }
    name = skill_names(ctx.library.courses).get(skill, skill)
    group = ctx._("(groupe « %(group)s » · %(skill)s)", group=levels.get(key, key), skill=name)
    return f"{line} {group}"


def _class_line(ctx: Context, item: Assignment) -> str:
    """The line of one piece of work, for the whole class."""
    work = _work(ctx, item)
    if work is None:
        return ctx._("📚 Un cours qui n'existe plus (travail n°%(id)s).", id=item.id)
    title, needed = work
    finished = sum(1 for done in item.progress if done >= needed)
    if item.deadline is None:
        return ctx.ngettext(
            "📚 « %(work)s », sans date limite : %(n)s élève sur %(total)s a fini.",
            "📚 « %(work)s », sans date limite : %(n)s élèves sur %(total)s ont fini.",
            finished,
            work=title,
            total=ctx.t.number(len(item.progress)),
        )
    day, hour = _local(ctx, item.deadline)
    return ctx.ngettext(
        "📚 « %(work)s », avant le %(date)s à %(time)s : %(n)s élève sur %(total)s a fini.",
        "📚 « %(work)s », avant le %(date)s à %(time)s : %(n)s élèves sur %(total)s ont fini.",
        finished,
        work=title,
        date=day,
        time=hour,
        total=ctx.t.number(len(item.progress)),
    )


async def work_summary(ctx: Context, room: ClassRoom) -> str:
    """The class's work, one line each with how many finished (empty when there is none)."""
    given = await teaching(ctx).assignments(room.id)
    return "\n".join(_teacher_line(ctx, item) for item in given)


async def work_home(ctx: Context, event: Incoming) -> Turn:
    """The class's work and who finished it; give new work or take some back."""
    room = await _room(ctx)
    if isinstance(room, Turn):
        return room
    given = await teaching(ctx).assignments(room.id)
    if not given and isinstance(event, Entered):
        return Turn(goto="work_course")
    options = tuple(
        Option(f"x{item.id}", ctx._("❌ Retirer le travail n°%(n)s", n=i))
        for i, item in enumerate(given[:WORK_BUTTONS], 1)
    ) + (Option("new", ctx._("➕ Donner un nouveau travail")), Option("back", ctx._("⬅️ La classe")))
    if isinstance(event, Entered):
        lines = [f"{i}. {_teacher_line(ctx, item)}" for i, item in enumerate(given, 1)]
        text = ctx._("Le travail donné à la classe « %(name)s » :", name=room.name)
        return Turn([Ask("\n".join([text, *lines]), options, ctx.state.prompt)])
    chosen = route(ctx, event, options)
    if isinstance(chosen, Turn):
        return chosen
    if chosen in ("new", "back"):
        return Turn(goto="work_course" if chosen == "new" else "class_page")
    taken = await teaching(ctx).delete_assignment(int(chosen[1:]))
    text = (
        ctx._("Le travail est retiré ; son rappel ne partira pas.")
        if taken
        else ctx._("Déjà fait.")
    )
    return Turn([Say(text)], goto="class_page")


async def _courses_for(ctx: Context, room: ClassRoom) -> list[Course]:
    """The library's courses for the class's level (all of them if none fits); of the
    class-only courses, the teacher's own; never a course for teachers (a class is pupils)."""
    allowed = (
        await ctx.services.shelf.allowed()
        if ctx.services.shelf and ctx.library.restricted
        else frozenset()
    )
    fits = ctx.library.for_learner(room.level, None, None, allowed)
    return fits or [
        c
        for c in ctx.library.courses
        if c.id not in ctx.library.restricted - allowed and not c.for_teachers
    ]


async def work_course(ctx: Context, event: Incoming) -> Turn:
    """Which course to give the class."""
    room = await _room(ctx)
    if isinstance(room, Turn):
        return room
    listed = await _courses_for(ctx, room)
    options = tuple(Option(c.id, f"📘 {c.title}") for c in listed) + (
        Option("back", ctx._("⬅️ La classe")),
    )
    if isinstance(event, Entered):
        text = ctx._("Quel cours donner à la classe « %(name)s » ?", name=room.name)
        return Turn([Ask(text, options, ctx.state.prompt)])
    chosen = route(ctx, event, options)
    if isinstance(chosen, Turn):
        return chosen
    if chosen == "back":
        return Turn(goto="class_page")
    return give_course(ctx, chosen)


async def work_lesson(ctx: Context, event: Incoming) -> Turn:
    """The whole course, or one of its lessons (with its quiz)."""
    room = await _room(ctx)
    if isinstance(room, Turn):
        return room
    draft = state_of(ctx, Assigning)
    found = ctx.library.get(str(draft.course))
    if found is None:
        return Turn(goto="work_course")
    if found.for_teachers:  # a course for teachers is not given to pupils
        return Turn([Say(ctx._("Ce cours est destiné aux enseignants."))], goto="work_course")
    group = _group(draft.group)
    skill = group.skill if group is not None else ""

    def mark(lesson: Lesson) -> str:
        """🎯 before a lesson that teaches or tests the group's skill."""
        tested = {s for q in (lesson.quiz.questions if lesson.quiz else ()) for s in q.skills}
        return "🎯 " if skill and (skill in lesson.skills or skill in tested) else ""

    options = (
        (Option("all", ctx._("📘 Tout le cours")),)
        + tuple(
            Option(le.id, f"{mark(le)}{i}. {le.title}") for i, le in enumerate(found.lessons, 1)
        )
        + (Option("back", ctx._("⬅️ Les groupes") if group else ctx._("⬅️ Les cours")),)
    )
    if isinstance(event, Entered):
        text = ctx._(
            "« %(course)s » : tout le cours, ou une seule leçon (avec son quiz) ?",
            course=found.title,
        )
        if group is not None:
            text = (
                ctx.ngettext(
                    "Un travail pour %(n)s élève seulement (🎯 : les leçons de la compétence). ",
                    "Un travail pour %(n)s élèves seulement (🎯 : les leçons de la compétence). ",
                    len(group.user_ids),
                )
                + text
            )
        return Turn([Ask(text, options, ctx.state.prompt)])
    chosen = route(ctx, event, options)
    if isinstance(chosen, Turn):
        return chosen
    if chosen == "back" and group:  # back to the groups' page, which called this step
        return Turn(ret=CANCEL, goto="class_group_view")
    if chosen == "back":
        return Turn(goto="work_course")
    draft.course, draft.lesson = found.id, None if chosen == "all" else chosen
    return Turn(goto="work_deadline")


def in_a_week(now: datetime, zone: ZoneInfo) -> datetime:
    """The end of the day a week from now, in the teacher's time zone (as UTC)."""
    day = now.astimezone(zone).date() + timedelta(days=7)
    return datetime.combine(day, time(23, 59), zone).astimezone(UTC)


async def work_deadline(ctx: Context, event: Incoming) -> Turn:
    """No deadline, a week, or a day and time typed in the teacher's time zone."""
    room = await _room(ctx)
    if isinstance(room, Turn):
        return room
    zone = zone_of(ctx.profile.country)
    options = (
        Option("none", ctx._("Sans date limite")),
        Option("week", ctx._("Dans une semaine")),
        Option("back", ctx._("⬅️ Les leçons")),
    )
    if isinstance(event, Entered):
        text = ctx._(
            "À finir pour quand ? Touchez un choix, ou écrivez le jour et l'heure, par exemple "
            "« 01/12 18:00 » ou « demain 8h » (heure de %(zone)s).",
            zone=zone.key.rsplit("/", 1)[-1].replace("_", " "),
        )
        return Turn([Ask(text, options, ctx.state.prompt)])
    chosen = choose(ctx, event, options)
    if chosen in ("none", "week"):
        return await _give(ctx, room, in_a_week(ctx.now, zone) if chosen == "week" else None)
    if chosen == "back":
        return Turn(goto="work_lesson")
    if isinstance(event, TextReceived) and not event.text.startswith("/"):
        return await _typed_deadline(ctx, room, event.text, zone)
    return unexpected(ctx, event)


async def _typed_deadline(ctx: Context, room: ClassRoom, text: str, zone: ZoneInfo) -> Turn:
    """A typed deadline, if it is in the next 120 days."""
    moment = parse_when(text, ctx.now, zone)
    if moment is None or not ctx.now < moment <= ctx.now + MAX_DELAY:
        again = ctx._(
            "Je n'ai pas compris cette date, ou elle n'est pas dans les 120 prochains jours."
        )
        return Turn([Say(again)], reprompt=True)
    return await _give(ctx, room, moment.astimezone(UTC))


def reminder_time(now: datetime, deadline: datetime) -> datetime:
    """24 hours before the deadline, or halfway there when it is less than 48 hours away."""
    if deadline - now >= 2 * REMIND_BEFORE:
        return deadline - REMIND_BEFORE
    return now + (deadline - now) / 2


async def _give(ctx: Context, room: ClassRoom, deadline: datetime | None) -> Turn:
    """Store the work, tell the class now, and schedule the reminder before the deadline."""
    draft = state_of(ctx, Assigning)
    fresh(ctx, Assigning)  # given, or refused: the draft is done with
    found = ctx.library.get(str(draft.course))
    lesson_id = draft.lesson or None
    if found is None or (lesson_id is not None and found.lesson(str(lesson_id)) is None):
        return Turn(goto="work_course")
    if found.for_teachers:
        return Turn([Say(ctx._("Ce cours est destiné aux enseignants."))], goto="work_course")
    desk = teaching(ctx)
    group = _group(draft.group)
    item_id = await desk.assign(room.id, found.id, lesson_id, deadline, group)
    if item_id is None and group is not None:
        text = ctx._("Aucun élève de ce groupe n'est encore dans la classe.")
        return Turn([Say(text)], goto="class_page")
    if item_id is None:
        return Turn([Say(ctx._("Cette classe n'est pas la vôtre."))], goto="classes_home")
    given = next((a for a in await desk.assignments(room.id) if a.id == item_id), None)
    item = given or Assignment(item_id, room.id, found.id, lesson_id, deadline)
    title = (_work(ctx, item) or (found.title, 0))[0]
    who = len(item.progress) if group is not None else room.members
    _, reached = await desk.notify(
        _in_each_language(ctx, lambda c: _notice(c, room, title, deadline)),
        class_ids=(room.id,),
        user_ids=group.user_ids if group is not None else (),
    )
    messages: list[Out] = [Say(_given(ctx, reached))]
    if who > reached:  # messages stopped, or a channel that cannot write first
        missed = ctx.ngettext(
            "%(n)s élève ne peut pas être prévenu maintenant : ce travail l'attend dans /devoirs.",
            "%(n)s élèves ne peuvent pas être prévenus maintenant : ce travail les attend "
            "dans /devoirs.",
            who - reached,
        )
        messages.append(Say(missed))
    if deadline is not None:
        messages.append(Say(await _schedule_reminder(ctx, room, item, title, group)))
    return Turn(messages, goto="class_page")


def _group(stored: object) -> Group | None:
    """The group a draft of work is for (as the groups page wrote it), or None."""
    if not isinstance(stored, dict):
        return None
    users = tuple(int(uid) for uid in stored.get("users", ()) if isinstance(uid, int))
    skill, key = str(stored.get("skill", "")), str(stored.get("level", ""))
    # A forged state still gives work to the group's students only, under plain labels.
    return Group(
        skill if is_skill_code(skill) else "?", key if key in GROUP_LEVELS else "new", users
    )


def _given(ctx: Context, reached: int) -> str:
    """What the teacher reads once the work is given."""
    return ctx.ngettext(
        "Le travail est donné : %(n)s élève est prévenu.",
        "Le travail est donné : %(n)s élèves sont prévenus.",
        reached,
    )


async def _schedule_reminder(
    ctx: Context, room: ClassRoom, item: Assignment, title: str, group: Group | None = None
) -> str:
    """Schedule the reminder to those who will not have finished; what the teacher reads."""
    assert item.deadline is not None
    at = reminder_time(ctx.now, item.deadline)
    deadline = item.deadline
    texts = _in_each_language(ctx, lambda c: _reminder(c, room, title, deadline))
    users = group.user_ids if group is not None else ()
    if item.lesson_id is None:
        found = ctx.library.get(item.course_id)
        lessons = len(found.lessons) if found is not None else 0
        reminder_id, _ = await teaching(ctx).notify(
            texts,
            class_ids=(room.id,),
            user_ids=users,
            unfinished=(item.course_id, lessons),
            at=at,
        )
    else:
        reminder_id, _ = await teaching(ctx).notify(
            texts,
            class_ids=(room.id,),
            user_ids=users,
            unfinished_lesson=(item.course_id, item.lesson_id),
            at=at,
        )
    await teaching(ctx).set_reminder(item.id, reminder_id)
    day, hour = _local(ctx, at)
    return ctx._(
        "Un rappel partira le %(date)s à %(time)s vers les élèves qui n'auront pas fini.",
        date=day,
        time=hour,
    )


def _in_each_language(ctx: Context, write: Callable[[Context], str]) -> dict[str, str]:
    """A notice written in every interface language (French, the fallback, first)."""
    codes = dict.fromkeys((*NOTICE_LANGUAGES, *(lang.code for lang in ctx.languages)))
    return {code: write(replace(ctx, t=ctx.translator_for(code))) for code in codes}


def _notice(ctx: Context, room: ClassRoom, title: str, deadline: datetime | None) -> str:
    """The notice students get when work is given."""
    if deadline is None:
        return ctx._(
            "Nouveau travail de la classe « %(name)s » : « %(work)s ». "
            "Ouvrez /devoirs pour le commencer.",
            name=room.name,
            work=title,
        )
    day, hour = _local(ctx, deadline)
    return ctx._(
        "Nouveau travail de la classe « %(name)s » : « %(work)s », à finir avant le %(date)s "
        "à %(time)s. Ouvrez /devoirs pour le commencer.",
        name=room.name,
        work=title,
        date=day,
        time=hour,
    )


def _reminder(ctx: Context, room: ClassRoom, title: str, deadline: datetime) -> str:
    """The reminder students who have not finished get before the deadline."""
    day, hour = _local(ctx, deadline)
    return ctx._(
        "Rappel de la classe « %(name)s » : « %(work)s » est à finir avant le %(date)s "
        "à %(time)s. Ouvrez /devoirs pour le terminer.",
        name=room.name,
        work=title,
        date=day,
        time=hour,
    )


async def homework_command(ctx: Context, event: Incoming) -> Turn:
    """/devoirs: the work given to the learner's classes."""
    if ctx.services.teaching is None or not ctx.profile.complete:
        return Turn(reprompt=True)
    return Turn(goto="homework")


def _student_line(ctx: Context, item: Assignment, title: str, needed: int) -> str:
    """ "✅ « Fractions » (classe « CM2 A ») : terminé. À finir avant le …"."""
    if item.progress and item.progress[0] >= needed:
        status = ctx._(
            "✅ « %(work)s » (classe « %(name)s ») : terminé.", name=item.class_name, work=title
        )
    else:
        status = ctx._(
            "⏳ « %(work)s » (classe « %(name)s ») : à faire.", name=item.class_name, work=title
        )
    if item.deadline is None:
        no_deadline = ctx._("Sans date limite.")
        return f"{status} {no_deadline}"
    day, hour = _local(ctx, item.deadline)
    if item.deadline <= ctx.now:
        due = ctx._("La date limite était le %(date)s à %(time)s.", date=day, time=hour)
    else:
        due = ctx._("À finir avant le %(date)s à %(time)s.", date=day, time=hour)
    return f"{status} {due}"


async def homework(ctx: Context, event: Incoming) -> Turn:
    """The learner's work, with its deadline and whether it is done; each opens directly."""
    given = [
        (item, work) for item in await teaching(ctx).my_assignments() if (work := _work(ctx, item))
    ]
    options = tuple(
        Option(f"a{item.id}", f"📘 {title}") for item, (title, _) in given[:WORK_BUTTONS]
    ) + (menu_option(ctx),)
    if isinstance(event, Entered):
        lines = [_student_line(ctx, item, *work) for item, work in given]
        text = "\n".join(lines) or ctx._("Vous n'avez aucun travail à faire pour le moment.")
        return Turn([Ask(text, options, ctx.state.prompt)])
    chosen = route(ctx, event, options)
    if isinstance(chosen, Turn):
        return chosen
    item = next(item for item, _ in given if f"a{item.id}" == chosen)
    if item.lesson_id is None:
        place(ctx).course = item.course_id
        return Turn(goto="course")
    go_to_lesson(ctx, item.course_id, item.lesson_id)
    return Turn(goto="lesson")


async def with_homework(ctx: Context, options: tuple[Option, ...]) -> tuple[Option, ...]:
    """The menu's options, with "my homework" after the courses for a member of a class."""
    if ctx.services.teaching is None or not await ctx.services.teaching.my_classes():
        return options
    at = next((i + 1 for i, o in enumerate(options) if o.id == "courses"), 0)
    mine = Option("homework", ctx._("📝 Mes devoirs"))
    return (*options[:at], mine, *options[at:])


STEPS: dict[str, Step] = {
    "work_home": work_home,
    "work_course": work_course,
    "work_lesson": work_lesson,
    "work_deadline": work_deadline,
    "homework": homework,
}
COMMANDS: dict[str, Step] = {
    "devoirs": homework_command,
    "homework": homework_command,
}
FLOW = Flow(
    "assignments", STEPS, COMMANDS, services=("admin", "shelf", "teaching"), state=Assigning
)
