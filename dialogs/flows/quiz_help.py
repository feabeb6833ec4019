"""Words a learner may type at a quiz question: "indice", "plus facile", "plus dur".

Each does what it says where the course has what it takes, and says plainly what is possible
where it has not: "indice" gives the question's next `hint:` line (never the explanation, which
gives the answer away and comes after it); "plus facile" takes a wrong option away from a
choice question, down to one wrong option (in a quiz; a review asks its questions as they
are); "plus dur" has no harder question to offer yet.
"""

from __future__ import annotations

from typing import Any

from content.model import Question
from content.normalize import fold

from dialogs.context import Context, Turn
from dialogs.events import Incoming, TextReceived
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


def _key(ctx: Context, question: Question) -> str:
    """Which question the help was given at: its lesson and id, or its place in a review."""
    if ctx.state.step == "review":
        return f"review:{ctx.state.data.get('ri', 0)}:{question.id}"
    return f"{ctx.state.data.get('lesson')}:{question.id}"


def _mine(ctx: Context, question: Question) -> dict[str, Any]:
    """The help given at this question so far (hints shown, options taken away)."""
    key = _key(ctx, question)
    found = ctx.state.data.get("help")
    if not isinstance(found, dict) or found.get("k") != key:
        found = {"k": key, "h": 0, "x": []}
        ctx.state.data["help"] = found
    return found


def taken_away(ctx: Context, question: Question) -> list[str]:
    """The ids of the options "plus facile" took away from this question."""
    found = ctx.state.data.get("help")
    if not isinstance(found, dict) or found.get("k") != _key(ctx, question):
        return []
    return [str(option) for option in found.get("x", [])]


def helped(ctx: Context, question: Question) -> bool:
    """Whether the learner had a hint or an easier version of this question: their answer
    then says less about what they knew, and does not count for their skills."""
    found = ctx.state.data.get("help")
    if not isinstance(found, dict) or found.get("k") != _key(ctx, question):
        return False
    return bool(found.get("h") or found.get("x"))


def forget_help(ctx: Context) -> None:
    """The next question starts without help."""
    ctx.state.data.pop("help", None)


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
    shown = int(mine.get("h", 0))
    if shown >= len(hints):
        return ctx._("💡 Il n'y a pas d'autre indice pour cette question.")
    mine["h"] = shown + 1
    return ctx._("💡 Indice : %(hint)s", hint=hints[shown])


def _easier(ctx: Context, question: Question, offered: tuple[Option, ...], quiz: bool) -> Turn:
    """One wrong option taken away, or what the learner can do instead."""
    wrong = {choice.id for choice in question.choices if choice.points <= 0}
    left = [option.id for option in offered if option.id in wrong]
    if quiz and DIALOG_KINDS[question.type].easier and question.choices and len(left) > 1:
        mine = _mine(ctx, question)
        mine["x"] = [*mine.get("x", []), left[-1]]
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
