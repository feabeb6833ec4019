"""The learners' journey, written once for every channel the benches drive.

A learner looks at what their chat shows (`Shown`: the options of the last question, its
text, a native poll) and decides the next step like a person: onboarding (French, "J'accepte",
a country, "Élève", CM2), then menu → courses → a subject → a course → a lesson → "next"
through the steps → the quiz (a vote in a native poll, a tap, or a typed answer to an open
question), `/progres` on the score screen, then "Refaire le quiz", "Leçon suivante" or
`/menu`, and round again. Each channel's load generator turns the step (`Type`, `Tap`,
`Vote`) into its own update: a Telegram update (bench/webhook_load.py), a signed WhatsApp
body (bench/whatsapp_load.py).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

ONBOARDING = ("fr", "yes", "student", "CM2")  # what our learners pick when it is offered
TYPED_ANSWERS = ("3/4", "12", "0,5", "a c", "b", "mangé", "la moustiquaire", "je ne sais pas")
ECHO_TEXTS = ("Bonjour", "Salut, ça va ?", "2 + 2 = 4", "J'ai fini mes devoirs 📚", "merci")


@dataclass(frozen=True, slots=True)
class Shown:
    """What a chat shows now: the option ids of the last question (``"next"``, ``"fr"``...),
    the last text, and the last native poll's option count when the last message is one."""

    options: tuple[str, ...] = ()
    text: str = ""
    poll_options: int = 0
    poll_multiple: bool = False


@dataclass(frozen=True, slots=True)
class Type:
    """Type a text."""

    text: str


@dataclass(frozen=True, slots=True)
class Tap:
    """Choose an option of the last question (a button, a list row, a number)."""

    option: str


@dataclass(frozen=True, slots=True)
class Vote:
    """Vote in the last native poll."""

    picked: tuple[int, ...]


Step = Type | Tap | Vote


@dataclass
class Journey:
    """One learner's way through the course: the next step from what their chat shows."""

    rng: random.Random
    first: str = "/start"  # what a learner types into an empty chat
    asked_progress: bool = False
    fallbacks: int = 0  # no option the learner knew: typed /menu

    def next(self, shown: Shown | None) -> Step:
        """The next step: onboarding, menu, lesson, quiz, progress, again."""
        if shown is None:
            return Type(self.first)
        if shown.poll_options:
            return self._vote(shown)
        ids = shown.options
        if "again" in ids:
            return self._after_quiz(ids)
        for wanted in ("courses", "next", *ONBOARDING):
            if wanted in ids:
                return Tap(wanted)
        choices = [option for option in ids if option != "menu"]
        if not choices and "Question" in shown.text:
            return Type(self.rng.choice(TYPED_ANSWERS))  # an open question
        if choices:
            return Tap(self.rng.choice(choices))
        self.fallbacks += 1
        return Type("/menu")

    def echo(self) -> Type:
        """A short text (the echo bots, or a text typed while waiting)."""
        return Type(self.rng.choice(ECHO_TEXTS))

    def _vote(self, shown: Shown) -> Vote:
        """One option, or one or two when several are allowed."""
        options = range(shown.poll_options)
        count = self.rng.randint(1, min(2, len(options))) if shown.poll_multiple else 1
        return Vote(tuple(sorted(self.rng.sample(options, count))))

    def _after_quiz(self, ids: tuple[str, ...]) -> Step:
        """After the score: /progres, then redo the quiz, the next lesson, or /menu."""
        if not self.asked_progress:
            self.asked_progress = True
            return Type("/progres")
        self.asked_progress = False
        roll = self.rng.random()
        if roll < 0.3:
            return Tap("again")
        if roll < 0.6 and "next" in ids:
            return Tap("next")
        return Type("/menu")
