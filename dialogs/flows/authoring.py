"""Writing a course in the chat: title, subject, level and language; lessons built from the
messages the teacher sends (each one a step); questions by guided prompts; preview; publish
to the learners of the teacher's country or of every country; the course as a file.

The course is kept as our course format's text (content/README.md), the same a teacher
would write by hand: what the chat builds can be exported, edited and checked like any file.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import replace

from content.format import CourseFormatError, parse_course
from content.format_edit import lesson_titles
from content.format_write import choice_question, header, lesson, quiz, text_step
from content.format_write import question as question_text
from content.model import LEVELS, SUBJECTS, Course, Question, QuestionType
from content.normalize import slugify

from dialogs.authoring_ports import AuthoringDesk
from dialogs.context import Context, Step, Turn
from dialogs.events import Entered, Incoming, MediaReceived, TextReceived
from dialogs.flow import Flow, state_of
from dialogs.flows.authoring_files import Authoring, current, stored_media
from dialogs.flows.classes import teachers_only
from dialogs.flows.common import route
from dialogs.flows.learning import subject_name
from dialogs.flows.onboarding import level_name
from dialogs.flows.versions import draft_note
from dialogs.lines import items
from dialogs.messages import Ask, Document, Option, Out, Say, Show
from dialogs.services import need

MAX_OPTIONS = 8
_LESSON_HEADING = re.compile(r"^# .*\{#(?P<id>[a-z0-9-]+)\}$", re.MULTILINE)


def authoring(ctx: Context) -> AuthoringDesk:
    """The authoring port; every channel that runs these flows provides it."""
    return need(ctx.services.authoring, "authoring", "authoring flows")


def _parsed(ctx: Context, course_id: str, source: str) -> Course | str:
    """The course the text makes, or the first problem in the teacher's language."""
    try:
        return parse_course(source, authoring(ctx).path_of(course_id))
    except CourseFormatError as error:
        problem = error.render(ctx.t.gettext)
        return ctx._("Ligne %(line)s : %(problem)s", line=error.line, problem=problem)


async def author_home(ctx: Context, event: Incoming) -> Turn:
    """The teacher's courses, and a new one."""
    mine = await authoring(ctx).mine()
    options = tuple(
        Option(f"a{i}", _mark(c.status, c.draft_pending) + _title_of(c.source))
        for i, c in enumerate(mine[:8])
    ) + (
        Option("new", ctx._("➕ Nouveau cours")),
        Option("import", ctx._("📥 Importer un fichier")),
        Option("back", ctx._("⬅️ Mes classes")),
    )
    if isinstance(event, Entered):
        text = ctx._("Vos cours :") if mine else ctx._("Vous n'avez pas encore écrit de cours.")
        return Turn([Ask(text, options, ctx.state.prompt)])
    chosen = route(ctx, event, options)
    if isinstance(chosen, Turn):
        return chosen
    if chosen == "back":
        return Turn(goto="classes_home")
    if chosen == "new":
        work = state_of(ctx, Authoring)
        work.title = work.subject = work.level = work.language = ""
        return Turn(goto="author_title")
    if chosen == "import":
        return Turn(goto="author_import_new")
    state_of(ctx, Authoring).course = mine[int(chosen[1:])].course_id
    return Turn(goto="author_course")


def _mark(status: str, pending: bool) -> str:
    """📗 published, 📗✏️ published with changes not published yet, ✏️ a draft."""
    if status != "published":
        return "✏️ "
    return "📗✏️ " if pending else "📗 "


def _title_of(source: str) -> str:
    """The title line of a course text."""
    found = re.search(r"^title: (.*)$", source, re.MULTILINE)
    return found[1] if found else "?"


async def author_title(ctx: Context, event: Incoming) -> Turn:
    """The new course's title."""
    options = (Option("back", ctx._("⬅️ Mes cours")),)
    if isinstance(event, Entered):
        return Turn([Ask(ctx._("Le titre du cours :"), options, ctx.state.prompt)])
    if isinstance(event, TextReceived) and not event.text.startswith("/") and event.text.strip():
        state_of(ctx, Authoring).title = " ".join(event.text.split())[:80]
        return Turn(goto="author_subject")
    chosen = route(ctx, event, options)
    return chosen if isinstance(chosen, Turn) else Turn(goto="author_home")


async def author_subject(ctx: Context, event: Incoming) -> Turn:
    """The new course's subject."""
    options = tuple(Option(key, subject_name(ctx, key)) for key in SUBJECTS)
    chosen = await _pick(ctx, event, options, ctx._("La matière :"))
    if isinstance(chosen, Turn):
        return chosen
    state_of(ctx, Authoring).subject = chosen
    return Turn(goto="author_level")


async def author_level(ctx: Context, event: Incoming) -> Turn:
    """The new course's class."""
    options = tuple(Option(code, level_name(ctx, code)) for code in LEVELS)
    chosen = await _pick(ctx, event, options, ctx._("Pour quelle classe ?"))
    if isinstance(chosen, Turn):
        return chosen
    state_of(ctx, Authoring).level = chosen
    return Turn(goto="author_language")


async def author_language(ctx: Context, event: Incoming) -> Turn:
    """The language the course is written in; then the draft exists."""
    options = tuple(Option(lang.code, lang.name) for lang in ctx.languages)
    chosen = await _pick(ctx, event, options, ctx._("La langue du cours :"))
    if isinstance(chosen, Turn):
        return chosen
    state_of(ctx, Authoring).language = chosen
    return Turn(goto="author_create")


async def _pick(
    ctx: Context, event: Incoming, options: tuple[Option, ...], question: str
) -> str | Turn:
    """One choice of the new course: the option chosen, or the turn to take."""
    if isinstance(event, Entered):
        return Turn([Ask(question, options, ctx.state.prompt, 2)])
    return route(ctx, event, options)


async def author_create(ctx: Context, event: Incoming) -> Turn:
    """Store the draft with its header, under an id no other course has."""
    work = state_of(ctx, Authoring)
    title = work.title or "Cours"
    subject, level, language = work.subject or "autre", work.level or "CM2", work.language or "fr"
    work.title = work.subject = work.level = work.language = ""
    course_id = await _fresh_id(ctx, title)
    source = header(
        course_id, title, subject, [level], language, country=ctx.profile.country or "all"
    )
    await authoring(ctx).create(course_id, source, ctx.profile.country or "")
    work.course = course_id
    return Turn(
        [Say(ctx._("Le brouillon « %(title)s » est prêt.", title=title))], goto="author_course"
    )


async def _fresh_id(ctx: Context, title: str) -> str:
    """A course id from the title, with a short random tail, used by no other course."""
    base = (slugify(title) or "cours")[:16].strip("-") or "cours"
    while True:
        candidate = f"{base}-{secrets.token_hex(2)}"
        if ctx.library.get(candidate) is None and not await authoring(ctx).taken(candidate):
            return candidate


async def _source(ctx: Context) -> tuple[str, str] | None:
    """The course being written: (id, text), if it is still the teacher's (its images and
    sounds on this machine's disk)."""
    return await current(ctx)


async def author_course(ctx: Context, event: Incoming) -> Turn:
    """A course being written: add lessons and questions, preview, publish, get the file."""
    current = await _source(ctx)
    if current is None:
        return Turn(goto="author_home")
    course_id, source = current
    lessons = lesson_titles(source)
    options = [Option("lesson", ctx._("➕ Nouvelle leçon"))]
    if lessons:
        options.append(Option("question", ctx._("❓ Question pour la dernière leçon")))
        options.append(Option("edit", ctx._("🛠️ Modifier une leçon")))
        options += [
            Option("preview", ctx._("👁️ Aperçu")),
            Option("publish", ctx._("📤 Publier")),
        ]
    entry = await authoring(ctx).get(course_id)
    pending = entry is not None and entry.draft_pending
    if pending:
        options.append(Option("discard", ctx._("↩️ Annuler les modifications")))
    options += [
        Option("import", ctx._("📥 Importer un fichier")),
        Option("file", ctx._("📄 Recevoir le fichier")),
        Option("back", ctx._("⬅️ Mes cours")),
    ]
    if isinstance(event, Entered):
        text = ctx._(
            "« %(title)s » : %(lessons)s, %(questions)s.",
            title=_title_of(source),
            lessons=ctx.ngettext("%(n)s leçon", "%(n)s leçons", len(lessons)),
            questions=ctx.ngettext("%(n)s question", "%(n)s questions", source.count("\n? ")),
        )
        note = await draft_note(ctx, entry) if entry is not None else None
        return Turn([Ask(f"{text}\n{note}" if note else text, tuple(options), ctx.state.prompt)])
    chosen = route(ctx, event, tuple(options))
    if isinstance(chosen, Turn):
        return chosen
    if chosen == "file":
        doc = Document(
            f"{course_id}.md", source.encode("utf-8"), "text/markdown", _title_of(source)
        )
        return Turn([doc], reprompt=True)
    if chosen == "question":
        _forget_question(state_of(ctx, Authoring))
    if chosen == "publish":  # another flow: called, so that the course being written stays
        return Turn(call="author_publish", then="author_course")
    targets = {
        "lesson": "author_lesson_title",
        "question": "author_q_text",
        "preview": "author_preview",
        "import": "author_import",
        "edit": "author_edit",
        "discard": "author_discard",
        "back": "author_home",
    }
    return Turn(goto=targets[chosen])


def _forget_question(work: Authoring) -> None:
    """No question being built."""
    work.question, work.kind, work.truth = "", "", False
    work.accepted, work.options, work.right = [], [], []


async def author_lesson_title(ctx: Context, event: Incoming) -> Turn:
    """A new lesson's title."""
    options = (Option("back", ctx._("⬅️ Le cours")),)
    if isinstance(event, Entered):
        return Turn([Ask(ctx._("Le titre de la leçon :"), options, ctx.state.prompt)])
    current = await _source(ctx)
    if (
        current
        and isinstance(event, TextReceived)
        and not event.text.startswith("/")
        and event.text.strip()
    ):
        course_id, source = current
        title = " ".join(event.text.split())[:80]
        taken = set(_LESSON_HEADING.findall(source))
        lesson_id = (slugify(title) or "lecon")[:20].strip("-") or "lecon"
        while lesson_id in taken:
            lesson_id = f"{lesson_id[:17]}-{secrets.token_hex(1)}"
        await authoring(ctx).save(course_id, source + lesson(title, lesson_id))
        state_of(ctx, Authoring).steps = 0
        return Turn(goto="author_steps")
    chosen = route(ctx, event, options)
    return chosen if isinstance(chosen, Turn) else Turn(goto="author_course")


async def author_steps(ctx: Context, event: Incoming) -> Turn:
    """Each message the teacher sends becomes a step of the lesson."""
    options = (Option("done", ctx._("✅ Leçon terminée")),)
    if isinstance(event, Entered):
        text = ctx._(
            "Envoyez le contenu de la leçon : chaque message devient une étape que l'élève "
            "lit avant de toucher « Suivant ». Touchez « Leçon terminée » à la fin."
        )
        return Turn([Ask(text, options, ctx.state.prompt)])
    current = await _source(ctx)
    if (
        current
        and isinstance(event, TextReceived)
        and not event.text.startswith("/")
        and event.text.strip()
    ):
        course_id, source = current
        work = state_of(ctx, Authoring)
        count = work.steps
        await authoring(ctx).save(course_id, source + text_step(event.text, count == 0))
        work.steps = count + 1
        return Turn([Say(ctx._("Étape %(n)s ajoutée.", n=count + 1))], reprompt=True)
    if current and isinstance(event, MediaReceived):
        return await _media_step(ctx, *current, event)
    chosen = route(ctx, event, options)
    if isinstance(chosen, Turn):
        return chosen
    if not state_of(ctx, Authoring).steps:
        return Turn([Say(ctx._("Écrivez au moins une étape."))], reprompt=True)
    return Turn(goto="author_course")


async def _media_step(ctx: Context, course_id: str, source: str, event: MediaReceived) -> Turn:
    """A photo, voice note, sound or document becomes an image, audio or document step."""
    stored = await stored_media(ctx, course_id, event)
    if isinstance(stored, Turn):
        return stored
    work = state_of(ctx, Authoring)
    count = work.steps
    await authoring(ctx).save(
        course_id, source + ("" if count == 0 else "\n---\n") + f"\n{stored}\n"
    )
    work.steps = count + 1
    return Turn([Say(ctx._("Étape %(n)s ajoutée.", n=count + 1))], reprompt=True)


async def author_q_text(ctx: Context, event: Incoming) -> Turn:
    """The question."""
    return await _ask_part(ctx, event, ctx._("La question :"), "text", "author_q_kind")


async def author_q_kind(ctx: Context, event: Incoming) -> Turn:
    """How the learner answers: by choosing, true or false, or by writing."""
    options = (
        Option("choice", ctx._("🔘 Réponses à choisir")),
        Option("truth", ctx._("✔️ Vrai ou faux")),
        Option("written", ctx._("✍️ Réponse à écrire")),
    )
    if isinstance(event, Entered):
        return Turn([Ask(ctx._("Comment l'élève répond-il ?"), options, ctx.state.prompt)])
    chosen = route(ctx, event, options)
    if isinstance(chosen, Turn):
        return chosen
    state_of(ctx, Authoring).kind = chosen
    targets = {
        "choice": "author_q_options",
        "truth": "author_q_truth",
        "written": "author_q_written",
    }
    return Turn(goto=targets[chosen])


async def author_q_truth(ctx: Context, event: Incoming) -> Turn:
    """Whether the statement is true."""
    options = (Option("true", ctx._("Vrai")), Option("false", ctx._("Faux")))
    if isinstance(event, Entered):
        return Turn([Ask(ctx._("La bonne réponse :"), options, ctx.state.prompt)])
    chosen = route(ctx, event, options)
    if isinstance(chosen, Turn):
        return chosen
    state_of(ctx, Authoring).truth = chosen == "true"
    return Turn(goto="author_q_feedback")


async def author_q_written(ctx: Context, event: Incoming) -> Turn:
    """The answers accepted, one per line (case, accents and small typos are forgiven)."""
    question = ctx._(
        "Les réponses acceptées, une par ligne (majuscules, accents et petites fautes de "
        "frappe sont pardonnés) :"
    )
    return await _ask_part(ctx, event, question, "accepted", "author_q_feedback", lines=True)


async def author_q_options(ctx: Context, event: Incoming) -> Turn:
    """The answers to choose from, one per line."""
    question = ctx._("Les réponses proposées, une par ligne (de 2 à %(n)s) :", n=MAX_OPTIONS)
    return await _ask_part(ctx, event, question, "options", "author_q_right", lines=True)


async def _ask_part(
    ctx: Context, event: Incoming, question: str, key: str, then: str, lines: bool = False
) -> Turn:
    """One typed part of the question being built (`lines`: a list, one item per line)."""
    options = (Option("back", ctx._("⬅️ Le cours")),)
    if isinstance(event, Entered):
        return Turn([Ask(question, options, ctx.state.prompt, lines=lines)])
    if isinstance(event, TextReceived) and not event.text.startswith("/") and event.text.strip():
        work = state_of(ctx, Authoring)
        if key == "accepted":
            work.accepted = items(event.text)[:MAX_OPTIONS]
        elif key == "options":
            typed = items(event.text)
            if not 2 <= len(typed) <= MAX_OPTIONS:
                return Turn(
                    [Say(ctx._("Il faut de 2 à %(n)s réponses, une par ligne.", n=MAX_OPTIONS))],
                    reprompt=True,
                )
            work.options = typed
        else:
            work.question = event.text.strip()
        return Turn(goto=then)
    chosen = route(ctx, event, options)
    return chosen if isinstance(chosen, Turn) else Turn(goto="author_course")


async def author_q_right(ctx: Context, event: Incoming) -> Turn:
    """Tick the right answer(s)."""
    work = state_of(ctx, Authoring)
    answers, right = work.options, work.right
    options = tuple(
        Option(str(i), ("✅ " if i in right else "⬜ ") + answer[:60])
        for i, answer in enumerate(answers)
    ) + (Option("done", ctx._("Valider ▶️")),)
    if isinstance(event, Entered):
        text = ctx._("Touchez la ou les bonnes réponses, puis « Valider ».")
        return Turn([Ask(text, options, ctx.state.prompt)])
    chosen = route(ctx, event, options)
    if isinstance(chosen, Turn):
        return chosen
    if chosen == "done":
        if not right:
            return Turn([Say(ctx._("Cochez au moins une bonne réponse."))], reprompt=True)
        return Turn(goto="author_q_feedback")
    index = int(chosen)
    if index in right:
        right.remove(index)
    else:
        right.append(index)
    return Turn(goto="author_q_right")


async def author_q_feedback(ctx: Context, event: Incoming) -> Turn:
    """The explanation shown after the answer (or none); then the question is in the quiz."""
    options = (Option("none", ctx._("Pas d'explication")),)
    if isinstance(event, Entered):
        text = ctx._("L'explication montrée après la réponse :")
        return Turn([Ask(text, options, ctx.state.prompt)])
    feedback = ""
    if isinstance(event, TextReceived) and not event.text.startswith("/") and event.text.strip():
        feedback = event.text
    else:
        chosen = route(ctx, event, options)
        if isinstance(chosen, Turn):
            return chosen
    current = await _source(ctx)
    work = state_of(ctx, Authoring)
    written = _written_question(work, feedback)
    _forget_question(work)
    if current is None:
        return Turn(goto="author_home")
    course_id, source = current
    last = source.rfind("\n# ")
    if "\n## Quiz" not in source[last:]:
        source += quiz()
    source += written
    await authoring(ctx).save(course_id, source)
    return Turn([Say(ctx._("Question ajoutée."))], goto="author_course")


def _written_question(work: Authoring, feedback: str) -> str:
    """The question built by the prompts, in our course format."""
    text = work.question
    if work.kind == "truth":
        item = Question("q", QuestionType.TRUE_FALSE, text, truth=work.truth)
        return question_text(replace(item, explanation=" ".join(feedback.split())))
    if work.kind == "written":
        item = Question("q", QuestionType.SHORT, text, accepted=tuple(work.accepted))
        return question_text(replace(item, explanation=" ".join(feedback.split())))
    return choice_question(text, list(work.options), set(work.right), feedback)


async def author_preview(ctx: Context, event: Incoming) -> Turn:
    """The course as a learner will read it, or the first problem with its line."""
    current = await _source(ctx)
    if current is None:
        return Turn(goto="author_home")
    parsed = _parsed(ctx, *current)
    if isinstance(parsed, str):
        return Turn([Say(parsed)], goto="author_course")
    shown: list[Out] = []
    for number, les in enumerate(parsed.lessons, 1):
        steps = "\n\n".join(step.text for step in les.steps if step.media is None)
        shown.append(Say(f"{number}. {les.title}\n\n{steps}"))
        shown += [Show(s.kind.value, s.media, s.text) for s in les.steps if s.media is not None]
        for question in les.quiz.questions if les.quiz else ():
            answers = "\n".join(("✅ " if c.correct else "▫️ ") + c.text for c in question.choices)
            shown.append(Say(f"❓ {question.text}\n{answers}"))
    return Turn(shown, goto="author_course")


STEPS: dict[str, Step] = {
    name: teachers_only(step)
    for name, step in {
        "author_home": author_home,
        "author_title": author_title,
        "author_subject": author_subject,
        "author_level": author_level,
        "author_language": author_language,
        "author_create": author_create,
        "author_course": author_course,
        "author_lesson_title": author_lesson_title,
        "author_steps": author_steps,
        "author_q_text": author_q_text,
        "author_q_kind": author_q_kind,
        "author_q_truth": author_q_truth,
        "author_q_written": author_q_written,
        "author_q_options": author_q_options,
        "author_q_right": author_q_right,
        "author_q_feedback": author_q_feedback,
        "author_preview": author_preview,
    }.items()
}
# The authoring family (dialogs/flows/authoring_files.py): one flow in four modules.
FLOW = Flow("authoring", STEPS, services=("admin", "authoring"), state=Authoring)
