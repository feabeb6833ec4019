"""Teaching at the right level: a class grouped by level per skill, work for one group, and
who has been absent.

For each skill of a course, the class's students fall in groups from their mastery estimate
(content/mastery.py): those to help, those on the way, those who mastered it, and those who
have not answered yet; the smallest groups come first (the ones a teacher can take aside).
One message per skill fits any channel; the CSV has one row per student and skill. A group's
button gives work to just its students, through the usual assignment steps
(dialogs/flows/assignments.py). The absence page lists who has not come for the class's
number of days and tells the guardians who receive their weekly summary, each about their
own child only.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import timedelta

from content.mastery import Level, level
from content.model import Course
from content.skills import skill_names

from dialogs.context import Context, Step, Translator, Turn
from dialogs.events import Entered, Incoming, OptionChosen
from dialogs.flow import Flow, FlowState, state_of
from dialogs.flows.assignments import give_to_group
from dialogs.flows.class_reports import isolated
from dialogs.flows.class_texts import course_title
from dialogs.flows.class_tools import owned_class, reports
from dialogs.flows.classes import teachers_only
from dialogs.flows.common import route
from dialogs.flows.reminders import Voice
from dialogs.messages import Ask, Document, Option, Out, Say
from dialogs.report_ports import StudentProgress
from dialogs.spreadsheet import csv_bytes
from dialogs.teaching_ports import ClassRoom

NEW = "new"  # no answer yet to a question of the skill
ORDER = (Level.TO_REVIEW.value, Level.ON_TRACK.value, Level.MASTERED.value, NEW)
GROUP_BUTTONS = 8  # "give work to this group" buttons at once (the messages list everyone)
COURSE_BUTTONS = 8


@dataclass
class Grouping(FlowState, flow="class_groups"):
    """The course whose level groups are shown."""

    course: str = ""
    legacy = {"course": "groups_course"}  # noqa: RUF012


ABSENCE_CHOICES = (3, 7, 14)  # days without coming, offered to the teacher


@dataclass(frozen=True)
class SkillGroups:
    """The students of a class for one skill, by level: level -> [(id, name)]."""

    skill: str
    name: str
    groups: dict[str, list[tuple[int, str]]]

    def ordered(self) -> list[tuple[str, list[tuple[int, str]]]]:
        """The groups with someone in them, smallest first (ties: those to help first);
        the students without an answer yet last."""
        found = [(key, self.groups.get(key, [])) for key in ORDER if self.groups.get(key)]
        levels = sorted(
            (pair for pair in found if pair[0] != NEW),
            key=lambda pair: (len(pair[1]), ORDER.index(pair[0])),
        )
        return levels + [pair for pair in found if pair[0] == NEW]


def course_skills(course: Course) -> list[str]:
    """The skills a course teaches or tests, in the order of its lessons."""
    codes: list[str] = []
    for lesson in course.lessons:
        codes += lesson.skills
        for question in lesson.quiz.questions if lesson.quiz else ():
            codes += lesson.skills_of(question)
    return list(dict.fromkeys(codes))


def group_name(ctx: Context, key: str) -> str:
    """A group's name in words."""
    names = {
        Level.TO_REVIEW.value: ctx._("🔁 À aider"),
        Level.ON_TRACK.value: ctx._("📈 En bonne voie"),
        Level.MASTERED.value: ctx._("✅ Maîtrisé"),
        NEW: ctx._("⬜ Pas encore de réponse"),
    }
    return names.get(key, key)


async def skill_groups(ctx: Context, room: ClassRoom, course: Course) -> list[SkillGroups]:
    """The class's students grouped by level for each skill of the course."""
    students = await reports(ctx).progress(room.id)
    known: dict[tuple[int, str], float] = {
        (uid, skill): p for uid, skill, p in await reports(ctx).class_mastery(room.id)
    }
    names = skill_names(ctx.library.courses)
    found = []
    for skill in course_skills(course):
        groups: dict[str, list[tuple[int, str]]] = {}
        for student in students:
            p = known.get((student.user_id, skill))
            key = NEW if p is None else level(p).value
            groups.setdefault(key, []).append((student.user_id, student.name))
        found.append(SkillGroups(skill, names.get(skill, skill), groups))
    return found


def skill_text(ctx: Context, item: SkillGroups) -> str:
    """One skill's message: its name, then each group with its count and names."""
    lines = [f"🎯 {isolated(ctx, item.name)} ({item.skill})"]
    for key, people in item.ordered():
        listed = ", ".join(name for _, name in people)
        lines.append(f"{group_name(ctx, key)} ({ctx.t.number(len(people))}) : {listed}")
    return "\n".join(lines)


def groups_table(ctx: Context, found: list[SkillGroups]) -> bytes:
    """One row per student and skill: the level in words (never a probability)."""
    rows: list[list[object]] = [
        [ctx._("élève"), ctx._("compétence"), ctx._("code"), ctx._("niveau")]
    ]
    for item in found:
        for key in ORDER:
            for _, name in item.groups.get(key, []):
                plain = group_name(ctx, key).split(" ", 1)[-1]
                rows.append([name, item.name, item.skill, plain])
    return csv_bytes(rows)


def _buttons(ctx: Context, found: list[SkillGroups]) -> tuple[Option, ...]:
    """A "give work" button per group with someone in it, skill by skill."""
    buttons = []
    for i, item in enumerate(found):
        for key, people in item.ordered():
            # The group first: a phone's list shows the start of a label.
            count = ctx.t.number(len(people))
            label = f"{group_name(ctx, key)} ({count}) · {isolated(ctx, item.name)}"
            buttons.append(Option(f"g{i}.{key}", label))
    return tuple(buttons[:GROUP_BUTTONS])


def _courses_with_skills(ctx: Context, touched: list[str]) -> list[Course]:
    """The courses the class touched that have skills."""
    return [c for cid in touched if (c := ctx.library.get(cid)) is not None and course_skills(c)]


async def class_groups(ctx: Context, event: Incoming) -> Turn:
    """Which course to see by skill (straight to it when there is one)."""
    room = await owned_class(ctx)
    if room is None:
        return Turn(goto="classes_home")
    listed = _courses_with_skills(ctx, await reports(ctx).courses(room.id))
    if isinstance(event, Entered) and len(listed) <= 1:
        if not listed:
            text = ctx._(
                "Aucun élève n'a encore répondu à un cours dont les leçons ont des compétences."
            )
            return Turn([Say(text)], goto="class_page")
        state_of(ctx, Grouping).course = listed[0].id
        return Turn(goto="class_group_view")
    options = tuple(
        Option(f"c{i}", f"📘 {course_title(ctx, c.id)}")
        for i, c in enumerate(listed[:COURSE_BUTTONS])
    ) + (Option("back", ctx._("⬅️ La classe")),)
    if isinstance(event, Entered):
        return Turn(
            [Ask(ctx._("Les groupes de niveau de quel cours ?"), options, ctx.state.prompt)]
        )
    chosen = route(ctx, event, options)
    if isinstance(chosen, Turn):
        return chosen
    if chosen == "back":
        return Turn(goto="class_page")
    state_of(ctx, Grouping).course = listed[int(chosen[1:])].id
    return Turn(goto="class_group_view")


async def class_group_view(ctx: Context, event: Incoming) -> Turn:
    """The class by level, one message per skill, the CSV; a group's button gives it work."""
    room = await owned_class(ctx)
    if room is None:
        return Turn(goto="classes_home")
    course = ctx.library.get(state_of(ctx, Grouping).course)
    if course is None:
        return Turn(goto="class_page")
    found = await skill_groups(ctx, room, course)
    options = (*_buttons(ctx, found), Option("back", ctx._("⬅️ La classe")))
    if isinstance(event, Entered):
        title = ctx._(
            "🎯 « %(room)s » par niveau · %(course)s", room=room.name, course=course.title
        )
        messages: list[Out] = [Say(title), *(Say(skill_text(ctx, item)) for item in found)]
        caption = ctx._("Le niveau de chaque élève pour chaque compétence (CSV)")
        messages.append(
            Document(f"niveaux-{room.join_code}.csv", groups_table(ctx, found), "text/csv", caption)
        )
        ask = ctx._("Donner un travail à un groupe :")
        return Turn([*messages, Ask(ask, options, ctx.state.prompt)])
    tapped = event.option_id if isinstance(event, OptionChosen) else ""
    if tapped.startswith("g") and tapped not in {o.id for o in options}:  # answers came in
        said = ctx._("Les groupes ont changé depuis : les voici à jour.")
        return Turn([Say(said)], goto="class_group_view")
    chosen = route(ctx, event, options)
    if isinstance(chosen, Turn):
        return chosen
    if chosen == "back":
        return Turn(goto="class_page")
    index, key = chosen[1:].split(".", 1)
    item = found[int(index)]
    people = [uid for uid, _ in item.groups.get(key, [])]
    return give_to_group(ctx, course.id, {"skill": item.skill, "level": key, "users": people})


def _days_away(ctx: Context, student: StudentProgress) -> int:
    """Whole days since the student last came."""
    return max(0, (ctx.now - student.last_seen_at).days)


async def class_absent(ctx: Context, event: Incoming) -> Turn:
    """Who has not come for the class's number of days; tell their families; change it."""
    room = await owned_class(ctx)
    if room is None:
        return Turn(goto="classes_home")
    desk = reports(ctx)
    days, alerts = await desk.absence_settings(room.id)
    since = ctx.now - timedelta(days=days)
    away = sorted(
        (p for p in await desk.progress(room.id) if p.last_seen_at < since),
        key=lambda p: p.last_seen_at,
    )
    families = await desk.absent_families(room.id, since)
    alert = (
        Option("alerts_off", ctx._("🔕 Plus d'alerte le lundi"))
        if alerts
        else Option("alerts_on", ctx._("🔔 M'alerter chaque lundi"))
    )
    options = (
        *((Option("tell", ctx._("👪 Prévenir leurs familles")),) if families else ()),
        *(
            Option(f"d{n}", ctx._("⏱️ Absent après %(n)s jours", n=ctx.t.number(n)))
            for n in ABSENCE_CHOICES
            if n != days
        ),
        alert,
        Option("back", ctx._("⬅️ La classe")),
    )
    if isinstance(event, Entered):
        listed = [(p.name, _days_away(ctx, p)) for p in away]
        text = absence_text(ctx.t, room.name, days, listed, len(families))
        return Turn([Ask(text, options, ctx.state.prompt)])
    chosen = route(ctx, event, options)
    if isinstance(chosen, Turn):
        return chosen
    if chosen == "back":
        return Turn(goto="class_page")
    if chosen in ("alerts_on", "alerts_off"):
        await desk.set_absence_alerts(room.id, chosen == "alerts_on")
        said = (
            ctx._("Chaque lundi matin, je vous dirai qui n'est pas venu.")
            if chosen == "alerts_on"
            else ctx._("Plus d'alerte le lundi pour cette classe.")
        )
        return Turn([Say(said)], goto="class_absent")
    if chosen.startswith("d"):
        await desk.set_absence_days(room.id, int(chosen[1:]))
        return Turn(goto="class_absent")
    told = 0
    for family in families:
        student = next((p for p in away if p.user_id == family.user_id), None)
        gone = _days_away(ctx, student) if student is not None else days
        texts = {
            code: family_notice(replace(ctx, t=ctx.translator_for(code)), family.learner_name, gone)
            for code in _languages(ctx)
        }
        told += await desk.tell_family(room.id, family, since, texts)
    text = ctx.ngettext(
        "%(n)s famille est prévenue, chacune seulement pour son enfant.",
        "%(n)s familles sont prévenues, chacune seulement pour son enfant.",
        told,
    )
    return Turn([Say(text)], goto="class_page")


def _languages(ctx: Context) -> list[str]:
    """Every interface language (French, the fallback, first)."""
    return list(dict.fromkeys(("fr", "en", "ar", *(lang.code for lang in ctx.languages))))


def absence_text(
    t: Translator, room: str, days: int, away: list[tuple[str, int]], families: int
) -> str:
    """The absent students (name, days away) with their days away, and how many families
    can be told."""
    say = Voice(t)
    if not away:
        return say.ngettext(
            "😊 « %(room)s » : tout le monde est venu ces %(n)s derniers jours.",
            "😊 « %(room)s » : tout le monde est venu ces %(n)s derniers jours.",
            days,
            room=room,
        )
    head = say.ngettext(
        "😴 « %(room)s » : %(n)s élève n'est pas venu depuis %(days)s jours ou plus :",
        "😴 « %(room)s » : %(n)s élèves ne sont pas venus depuis %(days)s jours ou plus :",
        len(away),
        room=room,
        days=t.number(days),
    )
    lines = [head]
    for name, gone in away:
        lines.append(
            say.ngettext("• %(name)s : %(n)s jour", "• %(name)s : %(n)s jours", gone, name=name)
        )
    if families:
        lines.append(
            say.ngettext(
                "%(n)s famille reçoit le résumé de la semaine et peut être prévenue.",
                "%(n)s familles reçoivent le résumé de la semaine et peuvent être prévenues.",
                families,
            )
        )
    return "\n".join(lines)


def absence_alert_text(
    t: Translator, room: str, days: int, away: list[tuple[str, int]], families: int
) -> str:
    """The teacher's Monday alert (bot/absences.py): the absence page's text, and where to
    act on it or stop it."""
    where = Voice(t)._(
        "Pour prévenir les familles ou arrêter cette alerte : /classes, puis la classe, "
        "puis « Absences »."
    )
    return f"{absence_text(t, room, days, away, families)}\n\n{where}"


def family_notice(ctx: Context, learner: str, days: int) -> str:
    """What a guardian reads when the teacher tells them their child has been away."""
    return ctx.ngettext(
        "👪 Bonjour. %(name)s n'est pas venu(e) apprendre sur Imaginecole depuis %(n)s jour. "
        "Un mot d'encouragement peut l'aider à reprendre. — Son enseignant(e)",
        "👪 Bonjour. %(name)s n'est pas venu(e) apprendre sur Imaginecole depuis %(n)s jours. "
        "Un mot d'encouragement peut l'aider à reprendre. — Son enseignant(e)",
        days,
        name=learner,
    )


STEPS: dict[str, Step] = {
    "class_groups": teachers_only(class_groups),
    "class_group_view": teachers_only(class_group_view),
    "class_absent": teachers_only(class_absent),
}
FLOW = Flow("class_groups", STEPS, services=("admin", "reports", "teaching"), state=Grouping)
