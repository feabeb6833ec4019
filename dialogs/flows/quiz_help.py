"""Words a learner may type at a quiz question: "indice", "plus facile", "plus dur".

Each does what it says where the course has what it takes, and says plainly what is possible
where it has not: "indice" gives the question's next `hint:` line (never the explanation, which
gives the answer away and comes after it); "plus facile" takes a wrong option away from a
choice question, down to one wrong option (in a quiz; a review asks its questions as they
are); "plus dur" has no harder question to offer yet.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from content.model import Question
from content.normalize import fold

from dialogs.context import Context, Turn
from dialogs.events import Incoming, TextReceived
from dialogs.flow import FlowState, fresh, state_of
from dialogs.flows.place import place
from dialogs.kinds import DIALOG_KINDS
from dialogs.messages import Option, Say

HINT, EASIER, HARDER = "hint", "easier", "harder"
# Folded (content/normalize.py): accents, case and punctuation do not matter.
_WORDS = {
    fold(word): kind
    for kind, words in (
        (HINT, ("indice", "un indice", "hint", "a hint", "تلميح")),
        (EASIER, ("plus facile", "easier", "أسهل")),
        (HARDER, ("plus dur", "plus difficile", "harder", "أصعب")),
    )
    for word in words
}


def help_asked(event: Incoming) -> str | None:
    """Which help a typed message asks for (HINT, EASIER, HARDER), or None."""
    if not isinstance(event, TextReceived) or len(event.text) > 30:
        return None
    return _WORDS.get(fold(event.text))


@dataclass
class Help(FlowState, flow="help"):
    """The help given at the question `at` (`_key`): hints shown, options taken away.

    Kept while the learner is in a flow that asks questions with help (the quiz, a review;
    a remediation between two tries goes back to the question), dropped when they leave."""

    shared_by = frozenset({"quiz", "review", "placement"})
    legacy = {"at": "help.k", "hints": "help.h", "removed": "help.x"}  # noqa: RUF012

    at: str | None = None
    hints: int = 0
    removed: list[str] = field(default_factory=list)  # option ids "plus facile" took away


def _key(ctx: Context, question: Question) -> str:
    """Which question the help was given at: its lesson and id, or its place in a review."""
    if ctx.state.step == "review":  # a review's question: its place in the sitting
        from dialogs.flows.review import position  # review imports this module

        return f"review:{position(ctx)[0]}:{question.id}"
    return f"{place(ctx).lesson}:{question.id}"


def _given(ctx: Context, question: Question) -> Help | None:
    """The help given at this question, if any was."""
    found = state_of(ctx, Help)
    return found if found.at == _key(ctx, question) else None


def _mine(ctx: Context, question: Question) -> Help:
    """The help given at this question so far, to add to."""
    found = state_of(ctx, Help)
    key = _key(ctx, question)
    if found.at != key:
        found = fresh(ctx, Help)
        found.at = key
    return found


def taken_away(ctx: Context, question: Question) -> list[str]:
    """The ids of the options "plus facile" took away from this question."""
    found = _given(ctx, question)
    return list(found.removed) if found else []


def helped(ctx: Context, question: Question) -> bool:
    """Whether the learner had a hint or an easier version of this question: their answer
    then says less about what they knew, and does not count for their skills."""
    found = _given(ctx, question)
    return found is not None and bool(found.hints or found.removed)


def forget_help(ctx: Context) -> None:
    """The next question starts without help."""
    fresh(ctx, Help)


def may_be_easier(ctx: Context, question: Question) -> bool:
    """Whether "plus facile" can do something at this kind of question: take a wrong option
    away from a choice question in a quiz (not at a typed answer, not in a review)."""
    easier = DIALOG_KINDS[question.type].easier and bool(question.choices)
    return easier and ctx.state.step != "review"


def words_here(ctx: Context) -> str | None:
    """What the learner may type at the question they are at, for /aide (None: no question
    with help here)."""
    if ctx.state.step == "quiz":
        return ctx._(
            "À une question du quiz, vous pouvez écrire « indice » pour un coup de pouce, ou "
            "« plus facile » pour retirer une mauvaise réponse (questions à choix)."
        )
    if ctx.state.step == "review":
        return ctx._("À une question de révision, écrivez « indice » pour un coup de pouce.")
    return None


def help_turn(
    ctx: Context, question: Question, offered: tuple[Option, ...], asked: str, quiz: bool = True
) -> Turn:
    """Give the help asked for, then the question again (`quiz` False: in a review, where no
    option is taken away)."""
    if asked == HINT:
        return Turn([Say(_hint(ctx, question))], reprompt=True)
    if asked == EASIER:
        return _easier(ctx, question, offered if quiz else (), quiz)
    text = ctx._(
        "💪 Ce cours n'a pas de question plus difficile à vous proposer ici. Répondez à "
        "celle-ci : chaque bonne réponse du premier coup compte pour vos compétences "
        "(/progres)."
    )
    return Turn([Say(text)], reprompt=True)


def _hint(ctx: Context, question: Question) -> str:
    """The next hint of the question, or why there is none."""
    hints = [hint for hint in question.hints if hint.strip()]
    if not hints:
        return ctx._("💡 Cette question n'a pas d'indice. Relisez-la bien, puis répondez.")
    mine = _mine(ctx, question)
    shown = mine.hints
    if shown >= len(hints):
        return ctx._("💡 Il n'y a pas d'autre indice pour cette question.")
    mine.hints = shown + 1
    return ctx._("💡 Indice : %(hint)s", hint=hints[shown])


def _easier(ctx: Context, question: Question, offered: tuple[Option, ...], quiz: bool) -> Turn:
    """One wrong option taken away, or what the learner can do instead."""
    wrong = {choice.id for choice in question.choices if choice.points <= 0}
    left = [option.id for option in offered if option.id in wrong]
    if quiz and DIALOG_KINDS[question.type].easier and question.choices and len(left) > 1:
        mine = _mine(ctx, question)
        mine.removed = [*mine.removed, left[-1]]
        text = ctx._("🪶 Plus facile : j'ai retiré une mauvaise réponse.")
        return Turn([Say(text)], goto="quiz")
    if quiz and DIALOG_KINDS[question.type].easier and question.choices:
        text = ctx._(
            "Je ne peux pas rendre cette question plus facile : il ne reste qu'une "
            "mauvaise réponse."
        )
    else:
        text = ctx._("Cette question n'a pas de version plus facile.")
    if question.hints:
        text += " " + ctx._("Écrivez « indice » pour un coup de pouce.")
    if quiz:
        text += " " + ctx._("À la fin du quiz, « 📘 Le cours » vous ramène aux leçons.")
    return Turn([Say(text)], reprompt=True)
