"""Browsing the library and walking through a lesson, step by step."""

from __future__ import annotations

from pathlib import Path

from content.model import Course, Lesson, Module, StepKind
from content.model import Step as LessonStep
from content.translations import localized_course, translation_for

from dialogs.capabilities import fitting
from dialogs.context import Context, Step, Turn
from dialogs.events import Entered, Incoming
from dialogs.flow import Flow, fresh
from dialogs.flows.ask_teacher import ASK, ask_option
from dialogs.flows.common import menu_option, route, unexpected
from dialogs.flows.light_data import MEDIA, is_light, offer, on_request
from dialogs.flows.place import Place, go_to_lesson, place
from dialogs.messages import Ask, Document, Option, Out, Say, Show
from dialogs.options import choose
from dialogs.ports import Booklets, CompleteLesson, Effect
from dialogs.roles import Role


def subject_name(ctx: Context, key: str) -> str:
    """The display name of a subject key of the course files."""
    names = {
        "mathematiques": ctx._("Mathématiques"),
        "francais": ctx._("Français"),
        "sciences": ctx._("Sciences"),
        "sante": ctx._("Santé"),
        "histoire-geo": ctx._("Histoire et géographie"),
        "civisme": ctx._("Éducation civique"),
        "autre": ctx._("Autres sujets"),
    }
    return names.get(key, key)


async def allowed_courses(ctx: Context) -> frozenset[str]:
    """The library's restricted courses this person may be offered (their teachers' courses
    for their classes); asked of storage only when the library has such courses."""
    if not ctx.library.restricted or ctx.services.shelf is None:
        return frozenset()
    return await ctx.services.shelf.allowed()


async def reachable(ctx: Context, course_id: object) -> Course | None:
    """The course with this id if this person may open it: every course but a restricted one
    (published for a teacher's classes), which only its author and their students may. Every
    way into a course (the menus, a lesson link, a paper code, the resume bookmark) goes
    through here, so a course for "my classes" is as closed by link as it is in the lists."""
    found = ctx.library.get(str(course_id))
    if found is None or found.id not in ctx.library.restricted:
        return found
    return found if found.id in await allowed_courses(ctx) else None


async def _visible_courses(ctx: Context) -> tuple[list[Course], str]:
    """Courses for the learner's class and language, widening the filter when empty."""
    level, lang, country = ctx.profile.level, ctx.profile.locale, ctx.profile.country
    allowed = await allowed_courses(ctx)
    teacher = any(c.for_teachers for c in ctx.library.courses) and await for_teachers_ok(ctx)
    courses = ctx.library.for_learner(level, lang, country, allowed, teacher)
    if any(translation_for(course, lang) is None for course in courses):  # written in it
        return courses, ""
    wider = ctx.library.for_learner(level, None, country, allowed, teacher)
    if courses:  # only versions in it (often partial): those first, then the class's others
        return courses + [course for course in wider if course not in courses], ""
    courses = wider
    if courses:
        return courses, ctx._("Il n'y a pas encore de cours dans votre langue pour votre classe.")
    note = ctx._("Il n'y a pas encore de cours pour votre classe. Voici tous les cours.")
    return ctx.library.for_learner(None, None, country, allowed, teacher), note


async def for_teachers_ok(ctx: Context) -> bool:
    """Whether this person may open courses written for teachers (`public: enseignants`):
    who said they teach (onboarding: most teachers read these before anyone grants them
    the role) and whoever holds a role above student; never a pupil."""
    if ctx.profile.role == "teacher":
        return True
    if ctx.services.admin is None:
        return False
    return any(g.role is not Role.STUDENT for g in await ctx.services.admin.grants())


def for_teachers_only(ctx: Context) -> Turn:
    """What a pupil who reaches a course for teachers (by a link, a bookmark) is told."""
    text = ctx._("Ce cours est destiné aux enseignants : il n'est pas proposé aux élèves.")
    return Turn([Say(text)], goto="menu")


async def subjects(ctx: Context, event: Incoming) -> Turn:
    """Choose a subject among the courses that fit the learner."""
    courses, note = await _visible_courses(ctx)
    keys = list(dict.fromkeys(course.subject for course in courses))
    if len(keys) == 1:
        place(ctx).subject = keys[0]
        return Turn([Say(note)] if note else [], goto="courses")
    options = tuple(Option(key, subject_name(ctx, key)) for key in keys) + (menu_option(ctx),)
    if isinstance(event, Entered):
        messages: list[Out] = [Say(note)] if note else []
        messages.append(Ask(ctx._("Choisissez une matière :"), options, ctx.state.prompt))
        return Turn(messages)
    chosen = route(ctx, event, options)
    if isinstance(chosen, Turn):
        return chosen
    place(ctx).subject = chosen
    return Turn(goto="courses")


async def courses(ctx: Context, event: Incoming) -> Turn:
    """Choose a course of the chosen subject."""
    visible, _note = await _visible_courses(ctx)
    subject = place(ctx).subject
    listed = [course for course in visible if course.subject == subject] or visible
    locale = ctx.profile.locale
    titles = (localized_course(c, locale).title for c in listed)  # the learner's language
    options = tuple(Option(c.id, f"📘 {title}") for c, title in zip(listed, titles, strict=True))
    options += (menu_option(ctx),)
    if isinstance(event, Entered):
        return Turn([Ask(ctx._("Choisissez un cours :"), options, ctx.state.prompt)])
    chosen = route(ctx, event, options)
    if isinstance(chosen, Turn):
        return chosen
    place(ctx).course = chosen
    return Turn(goto="course")


async def course(ctx: Context, event: Incoming) -> Turn:
    """A course's page: its summary and its lessons (or modules), those done ticked."""
    found = await reachable(ctx, place(ctx).course)
    if found is None:
        return Turn([Say(ctx._("Ce cours n'est plus disponible."))], goto="menu")

    if found.for_teachers and not await for_teachers_ok(ctx):
        return for_teachers_only(ctx)
    from dialogs.flows import placement as placing  # placement reads courses through here

    done = {d.lesson_id for d in await ctx.records.lessons_done() if d.course_id == found.id}
    placed = await _placed_out(ctx, found)
    shown = localized_course(found, ctx.profile.locale)  # titles in the learner's language
    if found.modules:
        listed = tuple(_module_option(shown, module, done, placed) for module in shown.modules)
    else:
        listed = _lesson_options_of(shown, shown.lessons, done, placed)
    extra = placing.placement_option(ctx, found)
    options = listed + extra + _teacher_options(ctx, found) + (menu_option(ctx),)
    if isinstance(event, Entered):
        text = f"📘 {shown.title}\n\n{shown.summary}".strip()
        if found.objectives:
            goals = "\n".join(f"• {objective}" for objective in found.objectives)
            text += "\n\n" + ctx._("🎯 À la fin de ce cours, vous saurez :") + "\n" + goals
        if found.attribution:  # the chain of adaptations, in the course's own words
            text += "\n\n" + "\n".join(f"✍️ {link}" for link in found.attribution)
        if note := placing.placement_note(ctx, found, bool(done or placed)):
            text += "\n\n" + note
        if placed - done:
            text += "\n\n" + _placed_note(ctx)
        pick = (
            ctx._("Choisissez une partie :") if found.modules else ctx._("Choisissez une leçon :")
        )
        return Turn([Ask(f"{text}\n\n{pick}", options, ctx.state.prompt)])
    chosen = route(ctx, event, options)
    if isinstance(chosen, Turn):
        return chosen
    if chosen == placing.PLACEMENT and extra:
        place(ctx).course = found.id  # the placement quiz reads it there
        return placing.start_placement(ctx)
    if chosen.startswith(BOOKLET) and ctx.services.booklets is not None:
        language = chosen.removeprefix(BOOKLET).removeprefix(":") or None
        return Turn([await _booklet(ctx, ctx.services.booklets, found, language)], reprompt=True)
    if found.module(chosen) is not None:
        place(ctx).module = chosen
        return Turn(goto="module")
    go_to_lesson(ctx, found.id, chosen)
    return Turn(goto="lesson")


async def module(ctx: Context, event: Incoming) -> Turn:
    """A module's page: its lessons, those done ticked, and the way back to the course."""
    here = place(ctx)
    found = await reachable(ctx, here.course)
    part = found.module(str(here.module)) if found else None
    if found is None or part is None:
        return Turn(goto="course" if found else "menu")
    done = {d.lesson_id for d in await ctx.records.lessons_done() if d.course_id == found.id}
    placed = await _placed_out(ctx, found)
    found = localized_course(found, ctx.profile.locale)  # titles in the learner's language
    part = found.module(part.id) or part
    options = (
        _lesson_options_of(found, found.lessons_of(part), done, placed)
        + (Option(COURSE_PAGE, ctx._("📘 Toutes les parties du cours")),)
        + (menu_option(ctx),)
    )
    if isinstance(event, Entered):
        text = f"📘 {found.title}\n🧩 {part.title}\n\n" + ctx._("Choisissez une leçon :")
        if any(i in placed and i not in done for i in part.lesson_ids):
            text += "\n\n" + _placed_note(ctx)
        return Turn([Ask(text, options, ctx.state.prompt)])
    chosen = route(ctx, event, options)
    if isinstance(chosen, Turn):
        return chosen
    if chosen == COURSE_PAGE:
        return Turn(goto="course")
    go_to_lesson(ctx, here.course, chosen)
    return Turn(goto="lesson")


def _lesson_options_of(
    found: Course, lessons: tuple[Lesson, ...], done: set[str], placed: frozenset[str]
) -> tuple[Option, ...]:
    """One option per lesson, numbered in the course (as the booklet's codes are): ✓ done,
    ⏭️ skipped after the placement quiz (and not done since)."""
    return tuple(
        Option(le.id, f"{found.lesson_index(le.id) + 1}. {le.title}" + _mark(le.id, done, placed))
        for le in lessons
    )


def _mark(lesson_id: str, done: set[str], placed: frozenset[str]) -> str:
    """✓ for a lesson done, ⏭️ for one placed out, nothing otherwise."""
    if lesson_id in done:
        return " ✓"
    return " ⏭️" if lesson_id in placed else ""


def _module_option(found: Course, part: Module, done: set[str], placed: frozenset[str]) -> Option:
    """A module with how many of its lessons are done: "🧩 Se protéger (1/2)"; ⏭️ when some
    were skipped after the placement quiz."""
    finished = sum(1 for lesson_id in part.lesson_ids if lesson_id in done)
    tick = " ✓" if finished == len(part.lesson_ids) else ""
    skipped = " ⏭️" if any(i in placed and i not in done for i in part.lesson_ids) else ""
    return Option(part.id, f"🧩 {part.title} ({finished}/{len(part.lesson_ids)}){tick}{skipped}")


async def _placed_out(ctx: Context, found: Course) -> frozenset[str]:
    """The lessons of the course this learner skipped after its placement quiz."""
    if found.placement is None or ctx.services.mastery is None:
        return frozenset()
    return await ctx.services.mastery.placed_out(found.id)


def _placed_note(ctx: Context) -> str:
    """What ⏭️ means on a course page."""
    return ctx._(
        "⏭️ : leçon sautée après le test de placement. Vous pouvez la suivre quand vous "
        "voulez ; elle ne compte pas comme terminée."
    )


COURSE_PAGE = "_course"  # never a lesson id: those are [a-z0-9-] slugs
BOOKLET = "_booklet"  # never a lesson id: those are [a-z0-9-] slugs


def _teacher_options(ctx: Context, found: Course) -> tuple[Option, ...]:
    """A teacher can get the course as a booklet to print for pupils without a network: in
    its own language, or in each language it has a version in (`course.wo.md`)."""
    if ctx.services.booklets is None or ctx.profile.role != "teacher":
        return ()
    names = {language.code: language.name for language in ctx.languages}
    return (Option(BOOKLET, ctx._("🖨️ Recevoir le livret à imprimer")),) + tuple(
        Option(
            f"{BOOKLET}:{t.language}",
            ctx._("🖨️ Livret en %(language)s", language=names.get(t.language, t.language)),
        )
        for t in found.translations
    )


async def _booklet(
    ctx: Context, booklets: Booklets, found: Course, language: str | None = None
) -> Document:
    """The course's booklet as a PDF document, in one of its languages."""
    shown = localized_course(found, language)
    caption = ctx._(
        "Le livret « %(title)s » : leçons, exercices et corrigé. Chaque leçon a un code QR "
        "qui l'ouvre dans la discussion.",
        title=shown.title,
    )
    if language is None:
        return Document(
            f"{found.id}.pdf", await booklets.booklet(found), "application/pdf", caption
        )
    pdf = await booklets.booklet(found, language)
    return Document(f"{found.id}.{language}.pdf", pdf, "application/pdf", caption)


def current_lesson(ctx: Context) -> tuple[Course, Lesson] | None:
    """The course and lesson the state points to, if they still exist."""
    here = place(ctx)
    found = ctx.library.get(str(here.course))
    lesson = found.lesson(str(here.lesson)) if found else None
    return (found, lesson) if found and lesson else None


async def lesson(ctx: Context, event: Incoming) -> Turn:
    """Show one step of the lesson with "next", "back" and "menu" (and its media on request,
    with light data on)."""
    here = current_lesson(ctx)
    if here is None or await reachable(ctx, here[0].id) is None:
        return Turn([Say(ctx._("Cette leçon n'est plus disponible."))], goto="menu")
    found, current = here
    if found.for_teachers and not await for_teachers_ok(ctx):
        ctx.profile.bookmark = None
        return for_teachers_only(ctx)
    # The learner's language where the course has it (step by step), its own language elsewhere.
    # (Its module's title too: the whole course as the learner reads it.)
    shown_course = localized_course(found, ctx.profile.locale)
    found, current = shown_course, shown_course.lesson(current.id) or current
    index = min(int(place(ctx).step), len(current.steps) - 1)
    options = _lesson_options(ctx, current, index)
    if index == len(current.steps) - 1:  # a question to the teacher, once the lesson is read
        options = options[:-1] + await ask_option(ctx) + options[-1:]
    media = step_media(found, current.steps[index])
    shown = options
    if media is not None and await is_light(ctx):
        shown = with_offer(options, offer(ctx, media[0].kind, media[1]), found, media[0])
    if isinstance(event, Entered):
        ctx.profile.bookmark = {"course": found.id, "lesson": current.id, "step": index}
        if shown is not options:
            return Turn(_render_light(ctx, found, current, index, shown))
        return Turn(_render_step(ctx, found, current, index, options))
    chosen = choose(ctx, event, shown)
    if chosen == MEDIA and media is not None:
        sent = await on_request(ctx, *media)
        # The same buttons again below the file (a typed "2" keeps meaning the same option).
        return Turn([*sent, Ask(_step_header(found, current, index), shown, ctx.state.prompt)])
    if chosen == "menu":
        return Turn(goto="menu")
    if chosen == "back":
        place(ctx).step = max(index - 1, 0)
        return Turn(goto="lesson")
    if chosen == "next":
        return _next_step(ctx, found, current, index)
    if chosen == ASK:
        return Turn(goto="student_ask")
    return unexpected(ctx, event)


def step_media(found: Course, step: LessonStep) -> tuple[Show, int] | None:
    """The file a step sends (an image, a sound, a document, or its text read aloud) and its
    size in bytes; None for text and video steps."""
    if step.kind in _FILE_KINDS and step.media is not None:
        url = media_url(found, step.media)
        return Show(step.kind.value, step.media, step.text, url), step.size
    if step.kind is StepKind.TEXT and step.audio is not None:
        return Show(
            "audio", step.audio.path, "", media_url(found, step.audio.path)
        ), step.audio.size
    return None


_FILE_KINDS = (StepKind.IMAGE, StepKind.AUDIO, StepKind.DOCUMENT)


def with_offer(
    options: tuple[Option, ...], option: Option, found: Course, show: Show
) -> tuple[Option, ...]:
    """The options with the media offer: first for the sounds of an audio-first course (they
    are the point), after "next" otherwise."""
    at = 0 if found.audio_first and show.kind == "audio" else 1
    return (*options[:at], option, *options[at:])


def _step_header(found: Course, current: Lesson, index: int) -> str:
    """The lesson's title and where the step is in it, its module on the first step."""
    header = f"{current.title} ({index + 1}/{len(current.steps)})"
    part = found.module_of(current.id)
    if index == 0 and part is not None:
        header = f"🧩 {part.title}\n{header}"
    return header


def _render_light(
    ctx: Context, found: Course, current: Lesson, index: int, options: tuple[Option, ...]
) -> list[Out]:
    """A step in light data: its text (or the caption of its file) first, the file offered."""
    step = current.steps[index]
    text = "\n\n".join(p for p in (_step_header(found, current, index), step.text) if p)
    return [Ask(text, options, ctx.state.prompt)]


def _lesson_options(ctx: Context, current: Lesson, index: int) -> tuple[Option, ...]:
    """Navigation buttons for a lesson step."""
    last = index == len(current.steps) - 1
    if not last:
        label = ctx._("Suivant ▶️")
    elif current.quiz:
        label = ctx._("Passer au quiz ▶️")
    else:
        label = ctx._("Terminer la leçon ✓")
    options = [Option("next", label)]
    if index > 0:
        options.append(Option("back", ctx._("◀️ Précédent")))
    options.append(menu_option(ctx))
    return tuple(options)


def _render_step(
    ctx: Context, found: Course, current: Lesson, index: int, options: tuple[Option, ...]
) -> list[Out]:
    """The messages of one lesson step; the buttons come with the last one."""
    step = current.steps[index]
    header = _step_header(found, current, index)
    if step.kind is StepKind.VIDEO:
        data_note = ctx._("(Vidéo en ligne : elle utilise des données mobiles.)")
        parts = [header, step.text, f"🎬 {step.url}\n{data_note}"]
        return [Ask("\n\n".join(p for p in parts if p), options, ctx.state.prompt)]
    media = step_media(found, step)
    if step.kind is StepKind.TEXT or step.media is None:
        said = Ask(fitting(ctx.caps, step.text, step.short, header), options, ctx.state.prompt)
        return [media[0], said] if media else [said]  # a recording comes before its text
    assert media is not None
    return [media[0], Ask(header, options, ctx.state.prompt)]


def media_url(found: Course, media: Path) -> str:
    """Where the web server serves a course's media file."""
    if found.source is None:
        return ""
    relative = media.relative_to(found.source.parent)
    return f"/media/{found.id}/{relative.as_posix()}"


def _next_step(ctx: Context, found: Course, current: Lesson, index: int) -> Turn:
    """Advance one step, or close the lesson and open its quiz."""
    if index + 1 < len(current.steps):
        place(ctx).step = index + 1
        return Turn(goto="lesson")
    done: list[Effect] = [CompleteLesson(found.id, current.id)]
    if current.quiz and current.quiz.questions:
        from dialogs.flows.quiz import Attempt  # the quiz imports this module

        fresh(ctx, Attempt)  # a new attempt: its first question, no score, its own draw
        intro = ctx.ngettext(
            "Bravo, vous avez lu toute la leçon ! Voici un quiz de %(n)s question.",
            "Bravo, vous avez lu toute la leçon ! Voici un quiz de %(n)s questions.",
            len(current.quiz.questions),
        )
        return Turn([Say(intro)], goto="quiz", effects=done)
    return Turn(
        [Say(ctx._("Leçon terminée, bravo !"))], goto=course_page(ctx, found, current), effects=done
    )


def course_page(ctx: Context, found: Course, current: Lesson) -> str:
    """Where a learner goes back to from a lesson: its module's page, or the course's."""
    part = found.module_of(current.id)
    if part is None:
        return "course"
    place(ctx).module = part.id
    return "module"


async def resume(ctx: Context, event: Incoming) -> Turn:
    """Go back to where the learner stopped (a lesson step or a quiz question)."""
    mark = ctx.profile.bookmark or {}
    spot = place(ctx)
    spot.course, spot.lesson = mark.get("course"), mark.get("lesson")
    here = current_lesson(ctx)
    if here is None or await reachable(ctx, here[0].id) is None:
        ctx.profile.bookmark = None
        return Turn([Say(ctx._("Cette leçon n'est plus disponible."))], goto="menu")
    if "quiz" in mark:
        from dialogs.flows.quiz import resume_attempt  # the quiz imports this module

        resume_attempt(ctx, mark)
        return Turn(goto="quiz")
    spot.step = int(mark.get("step", 0))
    return Turn(goto="lesson")


STEPS: dict[str, Step] = {
    "subjects": subjects,
    "courses": courses,
    "course": course,
    "module": module,
    "lesson": lesson,
    "resume": resume,
}
FLOW = Flow(
    "learning",
    STEPS,
    services=("admin", "booklets", "data_saver", "mastery", "reports", "shelf"),
    state=Place,
)
