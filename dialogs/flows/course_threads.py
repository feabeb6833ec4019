"""A shared course's discussion thread: its messages live in the circle of the course's
subject and level, tagged with the course. The course's page in the shared library opens it
("💬 Discussion"): the last messages, and a message to write, relayed to the circle's members
with the course's title beside the author's name. The circle is made the first time someone
writes about a course of a subject and level that has none yet."""

from __future__ import annotations

from content.model import LOWER_SECONDARY_LEVELS, PRIMARY_LEVELS, Course

from dialogs.circle_ports import Colleague
from dialogs.context import Context, Step, Turn
from dialogs.event_ports import ThreadDesk
from dialogs.events import Entered, Incoming, TextReceived
from dialogs.flow import Flow
from dialogs.flows import circle_texts as says
from dialogs.flows import moderation
from dialogs.flows.circles import MAX_TEXT, SHOWN, desk, level_groups
from dialogs.flows.classes import teachers_only
from dialogs.flows.common import route
from dialogs.flows.learning import subject_name
from dialogs.flows.shared_library import _chosen
from dialogs.flows.teachers import school_first
from dialogs.messages import Ask, Option, Out, Say


def threads(ctx: Context) -> ThreadDesk:
    """The threads port; every channel that runs these flows provides it."""
    if ctx.services.threads is None or ctx.services.circles is None:
        raise RuntimeError("course threads need ctx.services.threads and ctx.services.circles")
    return ctx.services.threads


def level_group(course: Course) -> str:
    """The circles' level group of a course: that of its first level (primary if none)."""
    first = course.levels[0] if course.levels else PRIMARY_LEVELS[0]
    if first in PRIMARY_LEVELS:
        return "primary"
    return "lower" if first in LOWER_SECONDARY_LEVELS else "upper"


def relayed(ctx: Context, author: Colleague, title: str, text: str) -> str:
    """A thread message as members receive it: who wrote it, about which course, the text."""
    head = ctx._("👤 %(who)s · 💬 « %(title)s » :", who=says.who(ctx, author), title=title)
    return f"{head}\n{text}"


async def course_thread(ctx: Context, event: Incoming) -> Turn:
    """The course's discussion: its last messages; write one."""
    item = await _chosen(ctx)
    if item is None:
        return Turn(goto="shared_home")
    course = item.course
    options = (
        Option("write", ctx._("✍️ Écrire")),
        Option("back", ctx._("⬅️ Le cours")),
    )
    if isinstance(event, Entered):
        shown = await _history(ctx, course)
        head = ctx._("💬 La discussion sur « %(title)s ».", title=course.title)
        return Turn([*shown, Ask(head, options, ctx.state.prompt)])
    chosen = route(ctx, event, options)
    if isinstance(chosen, Turn):
        return chosen
    return Turn(goto="course_thread_write" if chosen == "write" else "shared_course")


async def _history(ctx: Context, course: Course) -> list[Out]:
    """The last messages of the thread, oldest first."""
    circle_id = await threads(ctx).circle_of(course.subject, level_group(course))
    posts = await threads(ctx).thread(circle_id, course.id, SHOWN) if circle_id else []
    if not posts:
        return [Say(ctx._("Pas encore de message sur ce cours : écrivez le premier !"))]
    shown = [
        f"{ctx.t.date(p.created_at)}\n{says.relayed(ctx, p.author, p.text, p.quoted)}"
        for p in posts
    ]
    return [Say("\n\n".join(shown))]


async def course_thread_write(ctx: Context, event: Incoming) -> Turn:
    """The next message goes to the course's thread, and to the members of its circle."""
    item = await _chosen(ctx)
    if item is None:
        return Turn(goto="shared_home")
    options = (Option("back", ctx._("⬅️ La discussion")),)
    if isinstance(event, Entered):
        if asked := await school_first(ctx, "course_thread_write", "course_thread"):
            return asked  # the message is signed with name, country and school
        text = ctx._("Écrivez votre message sur « %(title)s » :", title=item.course.title)
        return Turn([Ask(text, options, ctx.state.prompt)])
    if isinstance(event, TextReceived) and not event.text.startswith("/") and event.text.strip():
        return await _post(ctx, item.course, event.text.strip()[:MAX_TEXT])
    chosen = route(ctx, event, options)
    return chosen if isinstance(chosen, Turn) else Turn(goto="course_thread")


async def _circle_id(ctx: Context, course: Course) -> tuple[int, str]:
    """The circle of the course's subject and level, made now if there is none: (id, name)."""
    group = level_group(course)
    found = await threads(ctx).circle_of(course.subject, group)
    if found is not None:
        name = next((c.name for c in await desk(ctx).circles() if c.id == found), "")
        return found, name
    name = ctx._(
        "%(subject)s - %(level)s",
        subject=subject_name(ctx, course.subject),
        level=level_groups(ctx)[group],
    )
    return await desk(ctx).create_circle(name, course.subject, group), name


async def _post(ctx: Context, course: Course, text: str) -> Turn:
    """Keep the message in the thread and relay it like any message of the circle."""
    circle_id, name = await _circle_id(ctx, course)
    circle = next((c for c in await desk(ctx).circles() if c.id == circle_id), None)
    refused = await moderation.screened(ctx, circle, (text, None, None)) if circle else None
    if refused is not None:  # the circle's filter and sanctions hold for its threads too
        return Turn(refused.messages, goto="course_thread")
    me = await desk(ctx).me()
    relay = says.in_every_language(ctx, lambda c: relayed(c, me, course.title, text))
    posted = await desk(ctx).post(circle_id, text, relay)
    await threads(ctx).tag(posted.id, course.id)
    if posted.digest:
        posts = await desk(ctx).digest_posts(circle_id)
        texts = says.in_every_language(ctx, lambda c: says.digest(c, name, posts))
        await desk(ctx).schedule_digest(circle_id, posted.digest, texts)
    done = ctx.ngettext(
        "Message envoyé à la discussion (%(n)s membre du cercle le reçoit maintenant).",
        "Message envoyé à la discussion (%(n)s membres du cercle le reçoivent maintenant).",
        posted.relayed + posted.held,
    )
    return Turn([Say(done)], goto="course_thread")


STEPS: dict[str, Step] = {
    name: teachers_only(step)
    for name, step in {
        "course_thread": course_thread,
        "course_thread_write": course_thread_write,
    }.items()
}
FLOW = Flow(
    "course_threads",
    STEPS,
    services=("admin", "circles", "creathon", "moderation", "shelf", "teaching", "threads"),
)
