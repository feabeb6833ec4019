"""A conversation driver for dialog tests: an in-memory learner and a recording channel."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.i18n import I18n
from content.library import DEFAULT_LIBRARY, Library, load_library
from dialogs.capabilities import TEXT_ONLY, Capabilities
from dialogs.context import Context
from dialogs.engine import Dialogs
from dialogs.events import (
    Incoming,
    MediaReceived,
    OptionChosen,
    OptionsChosen,
    Resumed,
    TextReceived,
    UserRef,
)
from dialogs.flows import build_dialogs
from dialogs.messages import Ask, ClearScreen, Document, Option, Out, QuizQuestion, Say, Show
from dialogs.ports import (
    CompleteLesson,
    EraseLearner,
    LessonDone,
    QuizScore,
    RecordAnswer,
    RecordQuiz,
    SubmitEssay,
)
from dialogs.services import Services
from dialogs.state import DialogState, Profile

_ids = itertools.count(1)
_library: Library | None = None
_with_audio: Library | None = None

# An audio-first course for tests only (its voice notes are tones, not speech: no bundled
# course ships them). Its id is `lecture-audio`; see its course.md for what it holds.
AUDIO_COURSE = Path(__file__).parent / "fixtures" / "audio_course" / "lecture-audio"


def bundled_library() -> Library:
    """The bundled library, parsed once per test session."""
    global _library
    if _library is None:
        _library = load_library(DEFAULT_LIBRARY)
    return _library


def with_audio_course() -> Library:
    """The bundled library plus the audio-first test course, parsed once per session."""
    global _with_audio
    if _with_audio is None:
        _with_audio = bundled_library().with_courses(load_library(AUDIO_COURSE.parent).courses)
    return _with_audio


@dataclass
class MemoryRecords:
    """LearnerRecords kept in memory, applying effects like bot/storage does."""

    done: dict[tuple[str, str], datetime] = field(default_factory=dict)
    attempts: list[tuple[str, str, float, float, datetime]] = field(default_factory=list)
    essays: dict[tuple[str, str, str], str] = field(default_factory=dict)
    answers: list[RecordAnswer] = field(default_factory=list)

    async def lessons_done(self) -> list[LessonDone]:
        return [LessonDone(c, le, at) for (c, le), at in self.done.items()]

    async def quiz_scores(self) -> list[QuizScore]:
        best: dict[tuple[str, str], QuizScore] = {}
        for course, lesson, score, top, at in self.attempts:
            old = best.get((course, lesson))
            count = old.attempts + 1 if old else 1
            high = max(score, old.best) if old else score
            best[(course, lesson)] = QuizScore(course, lesson, high, top, count, at)
        return list(best.values())

    async def export(self) -> dict[str, Any]:
        return {"lessons": [list(k) for k in self.done], "quizzes": len(self.attempts)}


@dataclass
class Learner:
    """One learner chatting with the dialogs; `sent` records every message they received."""

    dialogs: Dialogs
    i18n: I18n
    library: Library
    user: UserRef = field(default_factory=lambda: UserRef("test", str(next(_ids))))
    profile: Profile = field(default_factory=Profile)
    state: DialogState = field(default_factory=DialogState)
    records: MemoryRecords = field(default_factory=MemoryRecords)
    sent: list[Out] = field(default_factory=list)
    erased: bool = False
    booklets: Any = None  # a Booklets port, when the test prints
    # The ports the test gives (the in-memory fakes of tests/fakes/ports.py), none by default.
    services: Services = field(default_factory=Services)
    caps: Capabilities = TEXT_ONLY  # what their channel can do: text only, options marked

    @classmethod
    def new(cls) -> Learner:
        """A brand-new learner on the bundled library."""
        return cls(build_dialogs(), I18n(), bundled_library())

    async def _deliver(self, event: Incoming) -> list[Out]:
        ctx = Context(
            user=self.user,
            profile=self.profile,
            state=self.state,
            t=self.i18n.translator(self.profile.locale, self.profile.country),
            library=self.library,
            records=self.records,
            now=datetime.now(UTC),
            languages=self.i18n.languages,
            caps=self.caps,
            services=replace(self.services, booklets=self.booklets or self.services.booklets),
            translator_for=lambda lang: self.i18n.translator(lang, self.profile.country),
        )
        reply = await self.dialogs.handle(ctx, event)
        for effect in reply.effects:
            self._apply(effect)
        self.sent.extend(reply.messages)
        return reply.messages

    def _apply(self, effect: object) -> None:
        now = datetime.now(UTC)
        if isinstance(effect, CompleteLesson):
            self.done.setdefault((effect.course_id, effect.lesson_id), now)
        elif isinstance(effect, RecordQuiz):
            self.records.attempts.append(
                (effect.course_id, effect.lesson_id, effect.score, effect.max_score, now)
            )
        elif isinstance(effect, SubmitEssay):
            self.records.essays[(effect.course_id, effect.lesson_id, effect.question_id)] = (
                effect.text
            )
        elif isinstance(effect, RecordAnswer):
            self.records.answers.append(effect)
        elif isinstance(effect, EraseLearner):
            self.erased = True
            self.profile, self.state, self.records = Profile(), DialogState(), MemoryRecords()

    @property
    def done(self) -> dict[tuple[str, str], datetime]:
        return self.records.done

    def _id(self) -> str:
        return str(next(_ids))

    async def send(self, text: str) -> list[Out]:
        """The learner types text."""
        return await self._deliver(TextReceived(self.user, self._id(), text))

    async def send_media(self, kind: str = "photo") -> list[Out]:
        """The learner sends a photo, a sticker..."""
        return await self._deliver(MediaReceived(self.user, self._id(), kind))

    async def resume(self) -> list[Out]:
        """The learner reopens the chat."""
        return await self._deliver(Resumed(self.user, self._id()))

    async def tap(self, label_or_id: str, prompt_of: Out | None = None) -> list[Out]:
        """The learner taps an option of the last prompt (or of an older one)."""
        asked = prompt_of or self.last_prompt()
        option = find_option(asked, label_or_id)
        prompt = asked.prompt  # type: ignore[union-attr]
        return await self._deliver(OptionChosen(self.user, self._id(), prompt, option.id))

    async def tick(self, *ids: str) -> list[Out]:
        """The learner ticks several options of the last quiz question and submits."""
        asked = self.last_prompt()
        assert isinstance(asked, QuizQuestion)
        return await self._deliver(OptionsChosen(self.user, self._id(), asked.prompt, ids))

    def last_prompt(self) -> Ask | QuizQuestion:
        """The last message with options."""
        for message in reversed(self.sent):
            if isinstance(message, Ask | QuizQuestion):
                return message
        raise AssertionError("no prompt was sent")

    def last_text(self) -> str:
        """The text of the last message."""
        return text_of(self.sent[-1])

    def texts(self, messages: list[Out] | None = None) -> str:
        """Every text sent (or of the given messages), one per line, for `in` assertions."""
        return "\n".join(text_of(m) for m in (self.sent if messages is None else messages))


def find_option(asked: Out, label_or_id: str) -> Option:
    """An option of a prompt by id or by (part of its) label."""
    assert isinstance(asked, Ask | QuizQuestion), f"not a prompt: {asked!r}"
    options = asked.options + (asked.extra if isinstance(asked, QuizQuestion) else ())
    for option in options:
        if label_or_id == option.id or label_or_id in option.label:
            return option
    raise AssertionError(f"no option {label_or_id!r} in {[o.label for o in options]}")


def text_of(message: Out) -> str:
    """The human-readable text of a message."""
    if isinstance(message, Say | Ask | QuizQuestion):
        return message.text
    if isinstance(message, Show):
        return message.caption
    if isinstance(message, ClearScreen):
        return ""
    assert isinstance(message, Document)
    return message.caption
