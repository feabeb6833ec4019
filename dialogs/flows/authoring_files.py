"""Files in the authoring flows: a course file (our format) that creates or replaces a
course, GIFT and Aiken files whose questions join the last lesson's quiz, and photos, voice
notes, sounds and documents that become lesson steps.

The channel adapter fetched the file before the turn (`MediaReceived.content`, see
bot/inbound_files.py): these steps never download. Nothing is kept unless the whole course
text still parses.

The course being written, and what the authoring steps are building, are the typed state of
the authoring family (`Authoring`, below): the steps of authoring.py, authoring_edit.py,
this module and versions.py are one flow, "authoring", declared in four parts, so the course
stays while the teacher moves between them and is dropped once they leave all four.
Publishing (publishing.py) is another flow: author_course calls it, which keeps the course.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from content.aiken import parse_aiken
from content.errors import CourseFormatError
from content.format import parse_course
from content.format_edit import add_questions, lesson_count
from content.format_lesson import AUDIO_SUFFIXES, DOCUMENT_SUFFIXES, IMAGE_SUFFIXES
from content.format_write import Unwritable, media_line, question, with_header
from content.gift import parse_gift
from content.gift_import import gift_to_questions
from content.images import MAX_PIXELS, MAX_SIDE, Unreadable, pixel_size, too_large
from content.model import Course
from content.normalize import slugify

from dialogs.authoring_ports import AuthoringDesk
from dialogs.context import Context, Step, Turn
from dialogs.events import Entered, Incoming, MediaReceived
from dialogs.flow import Flow, FlowState, state_of
from dialogs.flows.classes import teachers_only
from dialogs.flows.common import route
from dialogs.messages import Ask, Option, Say
from dialogs.services import need

# Steps that take files: the adapter fetches photos, voice notes and documents for them.
TAKES_FILES = frozenset(
    {"author_steps", "author_edit_replace", "author_import", "author_import_new"}
)
# Steps that keep a file as it is, for others (a circle's post, an announcement's attachment):
# nothing is fetched for the turn, but a channel whose files live nowhere else (the web chat)
# must take them in first.
KEEPS_FILES = frozenset({"circle_write", "ann_text"})
COURSE_SUFFIXES = (".md", ".course")
GIFT_SUFFIXES = (".gift",)
AIKEN_SUFFIXES = (".txt", ".aiken")
MAX_COURSE_FILE_KB = 512
MAX_STEP_FILE_MB = 5


@dataclass
class Authoring(FlowState, flow="authoring"):
    """The course being written, and what a step of the authoring family is building: the
    new course's header (until it is created), the steps of the lesson being written, the
    question being asked (until it is in the quiz), the lesson and step being edited.

    The authoring flow's state, kept while the teacher moves between writing, editing,
    importing files, versions and publishing the course (`shared_by`)."""

    shared_by = frozenset({"authoring_edit", "authoring_files", "versions", "publishing"})

    course: str = ""
    title: str = ""
    subject: str = ""
    level: str = ""
    language: str = ""
    steps: int = 0
    question: str = ""
    kind: str = ""  # "choice", "truth" or "written"
    truth: bool = False
    accepted: list[str] = field(default_factory=list)
    options: list[str] = field(default_factory=list)
    right: list[int] = field(default_factory=list)
    edit_lesson: int = 0
    edit_step: int = 0
    legacy = {  # noqa: RUF012
        "course": "authoring",
        "title": "new_course.title",
        "subject": "new_course.subject",
        "level": "new_course.level",
        "language": "new_course.language",
        "steps": "steps",
        "question": "question.text",
        "kind": "question.kind",
        "truth": "question.truth",
        "accepted": "question.accepted",
        "options": "question.options",
        "right": "question.right",
        "edit_lesson": "edit_lesson",
        "edit_step": "edit_step",
    }


def desk(ctx: Context) -> AuthoringDesk:
    """The authoring port."""
    return need(ctx.services.authoring, "authoring", "authoring flows")


async def current(ctx: Context) -> tuple[str, str] | None:
    """The course being written (id, text) with its files on disk, if it is the teacher's."""
    course_id = state_of(ctx, Authoring).course
    found = await desk(ctx).get(course_id)
    if found is None:
        return None
    await desk(ctx).folder(course_id)
    return course_id, found.source


def checked(ctx: Context, course_id: str, source: str) -> Course | str:
    """The course a text makes, or its first problem with its line, in the teacher's language."""
    try:
        return parse_course(source, desk(ctx).path_of(course_id))
    except CourseFormatError as error:
        return problem(ctx, error)


def problem(ctx: Context, error: CourseFormatError, line: int | None = None) -> str:
    """ "Line 12: what is wrong", translated."""
    found = error.render(ctx.t.gettext)
    return ctx._(
        "Ligne %(line)s : %(problem)s", line=error.line if line is None else line, problem=found
    )


def _suffix(event: MediaReceived) -> str:
    """The sent file's extension, lower case."""
    return PurePosixPath(event.filename.lower()).suffix


def _file_text(ctx: Context, event: MediaReceived) -> str | Turn:
    """The text of a sent course, GIFT or Aiken file, or what went wrong."""
    if (
        event.kind != "document"
        or _suffix(event) not in COURSE_SUFFIXES + GIFT_SUFFIXES + AIKEN_SUFFIXES
    ):
        text = ctx._(
            "Envoyez un fichier de cours (.md), de questions GIFT (.gift) ou Aiken (.txt) "
            "comme document."
        )
        return Turn([Say(text)], reprompt=True)
    if event.content is None:
        return _not_received(ctx, event, MAX_COURSE_FILE_KB * 1024)
    try:
        return event.content.decode("utf-8-sig").replace("\r\n", "\n")
    except UnicodeDecodeError:
        text = ctx._("Ce fichier n'est pas en UTF-8 : enregistrez-le en UTF-8 et renvoyez-le.")
        return Turn([Say(text)], reprompt=True)


def _not_received(ctx: Context, event: MediaReceived, limit: int) -> Turn:
    """The file did not come: too large, or the platform did not hand it over."""
    if event.size > limit:
        text = ctx._(
            "Ce fichier est trop lourd (%(size)s Ko) : la limite est de %(limit)s Ko.",
            size=event.size // 1024,
            limit=limit // 1024,
        )
    else:
        text = ctx._("Le fichier n'a pas pu être reçu. Renvoyez-le, s'il vous plaît.")
    return Turn([Say(text)], reprompt=True)


def _ask_file(ctx: Context, questions: bool) -> Turn:
    """The prompt of the import steps."""
    if questions:
        text = ctx._(
            "Envoyez le fichier comme document : un cours entier (.md) remplace le texte du "
            "cours ; des questions GIFT (.gift) ou Aiken (.txt) s'ajoutent au quiz de la "
            "dernière leçon."
        )
    else:
        text = ctx._("Envoyez le fichier du cours (.md, au format Imaginecole) comme document.")
    return Turn([Ask(text, _back(ctx), ctx.state.prompt)])


def _back(ctx: Context) -> tuple[Option, ...]:
    """The import steps' only option."""
    return (Option("back", ctx._("⬅️ Retour")),)


async def author_import(ctx: Context, event: Incoming) -> Turn:
    """A file for the course being written: a whole course, or questions for its last lesson."""
    if isinstance(event, Entered):
        return _ask_file(ctx, questions=True)
    found = await current(ctx)
    if found is None:
        return Turn(goto="author_home")
    if not isinstance(event, MediaReceived):
        chosen = route(ctx, event, _back(ctx))
        return chosen if isinstance(chosen, Turn) else Turn(goto="author_course")
    text = _file_text(ctx, event)
    if isinstance(text, Turn):
        return text
    course_id, source = found
    if _suffix(event) in COURSE_SUFFIXES:
        return await _replace_course(ctx, course_id, text)
    return await _add_questions(ctx, course_id, source, text, _suffix(event) in GIFT_SUFFIXES)


async def _replace_course(ctx: Context, course_id: str, text: str) -> Turn:
    """The file becomes the course's text (under the course's own id), if it parses."""
    text = with_header(text, "id", course_id)
    parsed = checked(ctx, course_id, text)
    if isinstance(parsed, str):
        return _refused(ctx, parsed)
    await desk(ctx).save(course_id, text)
    done = ctx.ngettext(
        "Le cours a été remplacé par le fichier : %(n)s leçon.",
        "Le cours a été remplacé par le fichier : %(n)s leçons.",
        len(parsed.lessons),
    )
    return Turn([Say(done)], goto="author_course")


def _refused(ctx: Context, why: str) -> Turn:
    """A file that was not taken: the problem, and the reassurance that nothing changed."""
    return Turn(
        [Say(why), Say(ctx._("Rien n'a été changé. Corrigez le fichier et renvoyez-le."))],
        reprompt=True,
    )


async def _add_questions(ctx: Context, course_id: str, source: str, text: str, gift: bool) -> Turn:
    """GIFT or Aiken questions at the end of the last lesson's quiz, all or none."""
    if not lesson_count(source):
        return Turn(
            [Say(ctx._("Écrivez d'abord une leçon : les questions vont dans son quiz."))],
            goto="author_course",
        )
    try:
        items = parse_gift(text) if gift else parse_aiken(text)
    except CourseFormatError as error:
        return _refused(ctx, problem(ctx, error))
    questions = gift_to_questions(items)
    if not questions:
        return _refused(ctx, ctx._("Ce fichier ne contient aucune question."))
    written: list[tuple[int, str]] = []
    for item in questions:
        try:
            written.append((item.line, question(item)))
        except Unwritable:
            return _refused(
                ctx,
                ctx._(
                    "Ligne %(line)s : ce type de question n'est pas pris en charge.", line=item.line
                ),
            )
    return await _save_questions(ctx, course_id, source, written)


async def _save_questions(
    ctx: Context, course_id: str, source: str, written: list[tuple[int, str]]
) -> Turn:
    """Keep the questions if the course still parses; else the file's line of the culprit."""
    updated = add_questions(source, "".join(text for _, text in written))
    try:
        parse_course(updated, desk(ctx).path_of(course_id))
    except CourseFormatError as error:
        return _refused(ctx, problem(ctx, error, _file_line(updated, written, error.line)))
    await desk(ctx).save(course_id, updated)
    done = ctx.ngettext(
        "%(n)s question ajoutée au quiz de la dernière leçon.",
        "%(n)s questions ajoutées au quiz de la dernière leçon.",
        len(written),
    )
    return Turn([Say(done)], goto="author_course")


def _file_line(updated: str, written: list[tuple[int, str]], line: int) -> int:
    """The line in the teacher's file of the question that holds `line` of the course."""
    start = updated.count("\n") + 1 - sum(text.count("\n") for _, text in written)
    for file_line, text in written:
        end = start + text.count("\n")
        if line < end:
            return file_line
        start = end
    return written[-1][0]


async def author_import_new(ctx: Context, event: Incoming) -> Turn:
    """A course file from "Mes cours" becomes a new draft."""
    if isinstance(event, Entered):
        return _ask_file(ctx, questions=False)
    if not isinstance(event, MediaReceived):
        chosen = route(ctx, event, _back(ctx))
        return chosen if isinstance(chosen, Turn) else Turn(goto="author_home")
    text = _file_text(ctx, event)
    if isinstance(text, Turn):
        return text
    if _suffix(event) not in COURSE_SUFFIXES:
        why = ctx._("Pour des questions GIFT ou Aiken, ouvrez d'abord le cours qui les recevra.")
        return Turn([Say(why)], reprompt=True)
    course_id = await _free_id(ctx, text)
    text = with_header(text, "id", course_id)
    parsed = checked(ctx, course_id, text)
    if isinstance(parsed, str):
        return _refused(ctx, parsed)
    await desk(ctx).create(course_id, text, ctx.profile.country or "")
    state_of(ctx, Authoring).course = course_id
    done = ctx._("Le brouillon « %(title)s » est prêt.", title=parsed.title)
    return Turn([Say(done)], goto="author_course")


async def _free_id(ctx: Context, text: str) -> str:
    """The file's own id when no course has it, else one made from it with a random tail."""
    wanted = next(
        (line.partition(":")[2].strip() for line in text.splitlines() if line.startswith("id:")),
        "",
    )
    base = (slugify(wanted) or "cours")[:16].strip("-") or "cours"
    candidate = base
    while ctx.library.get(candidate) is not None or await desk(ctx).taken(candidate):
        candidate = f"{base}-{secrets.token_hex(2)}"
    return candidate


async def stored_media(ctx: Context, course_id: str, event: MediaReceived) -> str | Turn:
    """Keep a photo, voice note, sound or document of the course; its step line, or why not."""
    if event.kind not in ("photo", "voice", "audio", "document"):
        text = ctx._("Envoyez un texte, une photo, une note vocale ou un document.")
        return Turn([Say(text)], reprompt=True)
    if event.content is None:
        return _not_received(ctx, event, MAX_STEP_FILE_MB * 1024 * 1024)
    named = _media_name(ctx, event)
    if isinstance(named, Turn):
        return named
    kind, folder, suffix = named
    if kind == "image" and (oversized := _oversized(ctx, event.content)) is not None:
        return oversized
    taken = await desk(ctx).media_names(course_id)
    stem = _stem(event, kind, len(taken) + 1)
    name = f"{folder}/{stem}{suffix}"
    while name in taken:
        name = f"{folder}/{stem}-{secrets.token_hex(2)}{suffix}"
    await desk(ctx).add_media(course_id, name, event.content, event.mime)
    caption = PurePosixPath(event.filename).stem if kind == "document" else ""
    return media_line(kind, caption, name)


def _oversized(ctx: Context, content: bytes) -> Turn | None:
    """An image too large to print or show safely (its header tells), refused; else None."""
    try:
        size = pixel_size(content)
    except Unreadable:
        return None  # kept as it came, as before: nothing decodes it on the way
    if not too_large(size):
        return None
    limit = ctx._(
        "la limite est de %(millions)s millions de pixels (par exemple %(side)s × %(side)s)",
        millions=MAX_PIXELS // 1_000_000,
        side=MAX_SIDE,
    )
    if size is None:
        text = ctx._("Cette image est trop grande : %(limit)s.", limit=limit)
    else:
        text = ctx._(
            "Cette image est trop grande (%(width)s × %(height)s pixels) : %(limit)s.",
            width=size[0],
            height=size[1],
            limit=limit,
        )
    again = ctx._("Réduisez-la, ou envoyez-la comme photo plutôt que comme document.")
    return Turn([Say(text), Say(again)], reprompt=True)


def _media_name(ctx: Context, event: MediaReceived) -> tuple[str, str, str] | Turn:
    """(step kind, folder, extension) for a sent file, or why it cannot be a step."""
    suffix = _suffix(event)
    if event.kind == "photo":
        return "image", "images", suffix if suffix in IMAGE_SUFFIXES else ".jpg"
    if event.kind == "voice":
        return "audio", "audio", ".ogg"
    if event.kind == "audio" and (suffix in AUDIO_SUFFIXES or "mpeg" in event.mime):
        return "audio", "audio", suffix if suffix in AUDIO_SUFFIXES else ".mp3"
    if event.kind == "document" and suffix in IMAGE_SUFFIXES:
        return "image", "images", suffix
    if event.kind == "document" and suffix in DOCUMENT_SUFFIXES:
        return "document", "docs", suffix
    text = ctx._(
        "Ce type de fichier ne peut pas devenir une étape. Documents acceptés : %(suffixes)s.",
        suffixes=", ".join(DOCUMENT_SUFFIXES + IMAGE_SUFFIXES),
    )
    return Turn([Say(text)], reprompt=True)


def _stem(event: MediaReceived, kind: str, number: int) -> str:
    """A file name without extension: p3 for a photo, v2 for a sound, the document's name."""
    if kind == "document":
        return slugify(PurePosixPath(event.filename).stem)[:40] or f"d{number}"
    return f"{'p' if kind == 'image' else 'v'}{number}"


STEPS: dict[str, Step] = {
    name: teachers_only(step)
    for name, step in {
        "author_import": author_import,
        "author_import_new": author_import_new,
    }.items()
}
# A part of the authoring family (the module's docstring): its flow's name and state.
FLOW = Flow("authoring_files", STEPS, services=("admin", "authoring"), state=Authoring)
