"""Reading one lesson of a course file: text steps, media steps, then its quiz."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path, PurePath

from content.errors import N_, Message, Report
from content.format_quiz import QuizDraft, join_lines, unescape
from content.images import MAX_PIXELS, MAX_SIDE, Unreadable, pixel_size, too_large
from content.model import Lesson, Sound, Step, StepKind
from content.skills import NO_REMEDIATION, REMEDIATION_LINE, SKILL_LINE, read_skills

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp")
AUDIO_SUFFIXES = (".ogg", ".opus", ".mp3", ".m4a")
DOCUMENT_SUFFIXES = (".pdf", ".odt", ".docx", ".txt")

_SEPARATOR = re.compile(r"-{3,}")
_IMAGE = re.compile(r"!\[(?P<caption>[^\]]*)\]\((?P<path>[^)]*)\)")
_AUDIO = re.compile(r"\[audio(?::(?P<caption>[^\]]*))?\]\((?P<path>[^)]*)\)", re.IGNORECASE)
_DOCUMENT = re.compile(r"\[document(?::(?P<caption>[^\]]*))?\]\((?P<path>[^)]*)\)", re.IGNORECASE)
_VIDEO = re.compile(r"\[vid[eé]o(?::(?P<caption>[^\]]*))?\]\((?P<path>[^)]*)\)", re.IGNORECASE)
_WEB_LINK = re.compile(r"https://[^\s]+")
# `audio: audio/consigne.ogg` inside a text step: the text read aloud (sent before it).
_ATTACHED = re.compile(r"audio[ \t]*:[ \t]*(?P<path>.*)", re.IGNORECASE)
# `sms: short text` inside a text step: what text-only channels send instead of cutting it.
SHORT = re.compile(r"sms[ \t]*:[ \t]*(?P<text>.*)", re.IGNORECASE)
_MALFORMED = {
    StepKind.IMAGE: N_("ligne d'image mal formée : écrivez ![légende](images/fichier.png)"),
    StepKind.AUDIO: N_("ligne de son mal formée : écrivez [audio: légende](audio/fichier.ogg)"),
    StepKind.DOCUMENT: N_(
        "ligne de document mal formée : écrivez [document: légende](docs/fiche.pdf)"
    ),
    StepKind.VIDEO: N_("ligne de vidéo mal formée : écrivez [vidéo: légende](https://...)"),
}
_WRONG_SUFFIX = {
    StepKind.IMAGE: N_("le fichier d'une image doit se terminer par %(suffixes)s"),
    StepKind.AUDIO: N_("le fichier d'un son doit se terminer par %(suffixes)s"),
    StepKind.DOCUMENT: N_("le fichier d'un document doit se terminer par %(suffixes)s"),
}
_SUFFIXES = {
    StepKind.IMAGE: IMAGE_SUFFIXES,
    StepKind.AUDIO: AUDIO_SUFFIXES,
    StepKind.DOCUMENT: DOCUMENT_SUFFIXES,
}


def resolve_media(folder: Path, raw: str, kind: StepKind) -> Path | Message:
    """Return the absolute path of a media file next to the course, or what is wrong."""
    relative = raw.strip()
    suffixes = _SUFFIXES[kind]
    if not relative:
        return Message(N_("le chemin du fichier manque entre les parenthèses"))
    if "://" in relative or PurePath(relative).is_absolute() or relative.startswith(("/", "\\")):
        return Message(
            N_("un média doit être un fichier du dossier du cours, par exemple images/galette.png")
        )
    if ".." in re.split(r"[\\/]", relative):
        return Message(N_("le chemin d'un média ne doit pas sortir du dossier du cours ('..')"))
    if PurePath(relative).suffix.casefold() not in suffixes:
        return Message(_WRONG_SUFFIX[kind], {"suffixes": ", ".join(suffixes)})
    return _existing(folder, relative)


def _existing(folder: Path, relative: str) -> Path | Message:
    """Return the resolved path of a media file if it exists inside the folder."""
    not_found = Message(N_("fichier introuvable : %(path)s"), {"path": relative})
    try:
        path = (folder / relative).resolve()
        inside = path.is_relative_to(folder.resolve())
        found = path.is_file()
    except (OSError, ValueError):  # e.g. a NUL byte in the path
        return not_found
    if not inside:
        return Message(
            N_("le chemin d'un média ne doit pas sortir du dossier du cours (lien symbolique)")
        )
    return path if found else not_found


def file_size(path: Path) -> int:
    """The size of a media file in bytes (0 if it cannot be read): what it costs to send."""
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _oversized(path: Path) -> Message | None:
    """What is wrong with an image too large to decode safely (its header tells), or None."""
    try:
        size = pixel_size(path)
    except Unreadable:
        return None  # the channels send the file as it is; nothing here decodes it
    return oversized_message(size) if too_large(size) else None


def oversized_message(size: tuple[int, int] | None) -> Message:
    """ "Image too large: 12000 × 12000 pixels, the limit is 16 million", as a Message."""
    limit = {"millions": MAX_PIXELS // 1_000_000, "side": MAX_SIDE}
    if size is None:
        text = N_(
            "image trop grande : la limite est de %(millions)s millions de pixels "
            "(par exemple %(side)s × %(side)s) ; réduisez-la"
        )
        return Message(text, limit)
    text = N_(
        "image trop grande : %(width)s × %(height)s pixels, la limite est de %(millions)s "
        "millions de pixels (par exemple %(side)s × %(side)s) ; réduisez-la"
    )
    return Message(text, {"width": size[0], "height": size[1], **limit})


def sound_at(folder: Path, raw: str) -> Sound | Message:
    """A recording attached with `audio: file.ogg`, or what is wrong with its path."""
    path = resolve_media(folder, raw, StepKind.AUDIO)
    return path if isinstance(path, Message) else Sound(path, file_size(path))


class LessonDraft:
    """A lesson being read: steps are cut at '---' lines and around media lines."""

    def __init__(self, folder: Path, report: Report, lesson_id: str, title: str, line: int):
        self.folder, self.report = folder, report
        self.id, self.title, self.line = lesson_id, title, line
        self.steps: list[Step] = []
        self.lines: list[str] = []  # text of the current step, "" between paragraphs
        self.text_line = 0
        self.fresh = True  # nothing read since the heading or the last '---'
        self.quiz: QuizDraft | None = None
        self.sound: tuple[Sound, int] | None = None  # an `audio:` line for the text, its line
        self.short: tuple[str, int] | None = None  # an `sms:` line for the text, its line
        self.skills: list[str] = []  # `skill:` codes of the lesson, in order
        self.remediation: list[str] = []  # `remédiation:` lines of the lesson

    def feed(self, number: int, line: str) -> None:
        """Read one line of the lesson (or of its quiz, once it started)."""
        if self.quiz is not None:
            self.quiz.feed(number, line)
            return
        stripped = line.strip()
        if _SEPARATOR.fullmatch(stripped):
            self.on_separator(number)
        elif stripped.startswith("!["):
            self.on_media(number, line, StepKind.IMAGE, _IMAGE)
        elif stripped.casefold().startswith("[audio"):
            self.on_media(number, line, StepKind.AUDIO, _AUDIO)
        elif stripped.casefold().startswith("[document"):
            self.on_media(number, line, StepKind.DOCUMENT, _DOCUMENT)
        elif stripped.casefold().startswith(("[video", "[vidéo")):
            self.on_video(number, line)
        elif _ATTACHED.fullmatch(stripped):
            self.on_attached(number, line)
        elif SHORT.fullmatch(stripped):
            self.on_short(number, line)
        elif SKILL_LINE.fullmatch(stripped):
            self.on_skills(number, line)
        elif (remedy := REMEDIATION_LINE.fullmatch(stripped)) is not None:
            if remedy["value"].strip():
                self.remediation.append(remedy["value"].strip())
            else:
                indent = len(line) - len(line.lstrip())
                self.report(number, indent + remedy.start("value") + 1, NO_REMEDIATION)
        else:
            self.on_text(number, stripped)

    def on_text(self, number: int, text: str) -> None:
        """Add a line (or a paragraph break) to the current text step."""
        if not text:
            if self.lines:
                self.lines.append("")
            return
        if not self.lines:
            self.text_line = number
        self.lines.append(unescape(text))
        self.fresh = False

    def on_attached(self, number: int, line: str) -> None:
        """Attach a recording to the text of the current step: `audio: audio/x.ogg`."""
        indent = len(line) - len(line.lstrip())
        match = _ATTACHED.fullmatch(line.strip())
        assert match is not None
        column = indent + match.start("path") + 1
        sound = sound_at(self.folder, match["path"])
        if isinstance(sound, Message):
            self.report(number, column, sound.text, **sound.args)
        elif self.sound is not None:
            message = N_("cette étape a déjà un son 'audio:' : un seul par étape de texte")
            self.report(number, indent + 1, message)
        else:
            self.sound = (sound, number)
        self.fresh = False

    def on_short(self, number: int, line: str) -> None:
        """The short form of the current text step: `sms: Une fraction partage un tout.`"""
        indent = len(line) - len(line.lstrip())
        match = SHORT.fullmatch(line.strip())
        assert match is not None
        text = match["text"].strip()
        if not text:
            column = indent + match.start("text") + 1
            self.report(number, column, N_("'sms:' doit être suivi d'un texte"))
        elif self.short is not None:
            message = N_("cette étape a déjà une forme courte 'sms:' : une seule par étape")
            self.report(number, indent + 1, message)
        else:
            self.short = (text, number)
        self.fresh = False

    def on_skills(self, number: int, line: str) -> None:
        """Tag the lesson with skills: `skill: CM1-NUM-3, CM1-NUM-4` (not a step's text)."""
        indent = len(line) - len(line.lstrip())
        match = SKILL_LINE.fullmatch(line.strip())
        assert match is not None
        codes, problems = read_skills(match["value"])
        column = indent + match.start("value") + 1
        for offset, problem in problems:
            self.report(number, column + offset, problem.text, **problem.args)
        self.skills.extend(code for code in codes if code not in self.skills)

    def on_separator(self, number: int) -> None:
        """Close the current step at a '---' line."""
        if self.fresh:
            self.report(number, 1, N_("étape vide : rien depuis le titre ou le dernier '---'"))
        self.flush_text()
        self.fresh = True

    def on_media(self, number: int, line: str, kind: StepKind, shape: re.Pattern[str]) -> None:
        """Add an image or audio step from a media line."""
        indent = len(line) - len(line.lstrip())
        match = shape.fullmatch(line.strip())
        self.fresh = False
        if match is None:
            self.report(number, indent + 1, _MALFORMED[kind])
            return
        path = resolve_media(self.folder, match["path"], kind)
        if isinstance(path, Message):
            self.report(number, indent + match.start("path") + 1, path.text, **path.args)
            return
        if kind is StepKind.IMAGE and (oversized := _oversized(path)) is not None:
            self.report(number, indent + match.start("path") + 1, oversized.text, **oversized.args)
            return
        self.flush_text()
        caption = (match["caption"] or "").strip()
        self.steps.append(Step(kind, caption, path, number, size=file_size(path)))

    def on_video(self, number: int, line: str) -> None:
        """Add a video step: a caption and an https link (videos are not shipped)."""
        indent = len(line) - len(line.lstrip())
        match = _VIDEO.fullmatch(line.strip())
        self.fresh = False
        if match is None:
            self.report(number, indent + 1, _MALFORMED[StepKind.VIDEO])
            return
        if not _WEB_LINK.fullmatch(match["path"].strip()):
            column = indent + match.start("path") + 1
            self.report(number, column, N_("une vidéo doit être un lien https://"))
            return
        self.flush_text()
        caption = (match["caption"] or "").strip()
        self.steps.append(Step(StepKind.VIDEO, caption, None, number, match["path"].strip()))

    def flush_text(self) -> None:
        """Turn the text read so far into a step."""
        text = join_lines(self.lines)
        sound = self.sound[0] if self.sound else None
        short, short_line = self.short or ("", 0)
        if text:
            step = Step(StepKind.TEXT, text, line=self.text_line, audio=sound)
            self.steps.append(replace(step, short=short, short_line=short_line))
        elif self.sound is not None:
            message = N_("un son 'audio:' accompagne un texte : écrivez le texte dans cette étape")
            self.report(self.sound[1], 1, message)
        if self.short is not None and not text:
            message = N_(
                "une forme courte 'sms:' accompagne un texte : écrivez le texte de l'étape"
            )
            self.report(short_line, 1, message)
        self.lines = []
        self.sound = None
        self.short = None

    def open_quiz(self, number: int) -> None:
        """Start the quiz of this lesson at a '## Quiz' heading."""
        if self.quiz is not None:
            self.report(number, 1, N_("cette leçon a déjà un quiz"))
            return
        self.flush_text()
        self.quiz = QuizDraft(self.report, number, lambda raw: sound_at(self.folder, raw))

    def close(self) -> Lesson:
        """Finish the lesson."""
        self.flush_text()
        quiz = self.quiz.close() if self.quiz is not None else None
        if not self.steps:
            message = N_("la leçon n'a pas de contenu : écrivez son texte sous le titre")
            self.report(self.line, 1, message)
        return Lesson(
            self.id,
            self.title,
            tuple(self.steps),
            quiz,
            self.line,
            skills=tuple(self.skills),
            remediation="\n".join(self.remediation),
        )
