"""What a question kind declares on the dialog side (see dialogs/kinds/__init__.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Final

from content.grading import Grade
from content.model import Question, QuestionType

from dialogs.capabilities import fitting
from dialogs.context import Context
from dialogs.events import Incoming, OptionsChosen, TextReceived
from dialogs.messages import Ask, Option, Out, QuizQuestion
from dialogs.options import choose

MAX_ANSWER = 500  # characters of an answer kept for the reports
GAP = "……"  # where the missing word goes, as the learner sees it


class _More:
    """The answer is not complete yet: the quiz asks the next part (a matching pair)."""


MORE: Final = _More()

Reader = Callable[[Context, Question, Incoming, tuple[Option, ...]], object | None]


def as_labels(ctx: Context, question: Question, stored: str) -> str:
    """Recorded option ids as the options' labels ("b" -> "5", "a, c" -> "2/4 ; 5/10"); typed
    text, pairs and an id the course no longer has stay as they are."""
    del ctx
    if question.choices:
        labels = {choice.id: choice.text for choice in question.choices}
        ids = [part.strip() for part in stored.split(",")]
        if all(i in labels for i in ids):
            return " ; ".join(labels[i] for i in ids)
    return stored


@dataclass(frozen=True)
class DialogKind:
    """A question kind as the chat asks it, reads its answer, records and reviews it."""

    type: QuestionType
    options: Callable[[Context, Question], tuple[Option, ...]]  # before shuffling
    # The question under a header, with its options as this learner sees them.
    ask: Callable[[Context, Question, str, tuple[Option, ...]], Out]
    # The answer in the shape its grader takes, None when the message is no answer, or MORE.
    read: Reader
    expected: Callable[[Context, Question, Grade], str]  # the right answer in words
    record: Callable[[Question, object], str]  # the answer as the reports keep it
    # A recorded answer as the learner saw it, for a teacher (dialogs/flows/class_texts.py).
    reread: Callable[[Context, Question, str], str] = as_labels
    one_turn: bool = True  # answered in one message (so a help word may be its answer)
    asks: bool = True  # False: nothing to answer, "Suivant" moves on (a description)
    reviewable: bool = False  # comes back in the spaced review
    easier: bool = False  # "plus facile" may take a wrong option away


def sentence(question: Question) -> str:
    """The text as shown; a missing word question with its gap."""
    if question.type is not QuestionType.MISSING_WORD:
        return question.text
    return " ".join(part for part in (question.text, GAP, question.text_after) if part)


def stem(ctx: Context, question: Question, header: str) -> str:
    """The header and the question, or its short form (`sms:`) where the whole would not fit
    one of the channel's messages."""
    return fitting(ctx.caps, sentence(question), question.short, header)


def no_options(ctx: Context, question: Question) -> tuple[Option, ...]:
    """A typed answer offers nothing to pick."""
    del ctx, question
    return ()


def menu(ctx: Context) -> Option:
    """The menu button under a question (dialogs/flows/common.py's, which imports the flows)."""
    return Option("menu", ctx._("🏠 Menu"))


def ask_typed(ctx: Context, question: Question, header: str, options: tuple[Option, ...]) -> Out:
    """An open question with a menu button."""
    del options
    text = stem(ctx, question, header) + "\n\n" + ctx._("✏️ Écrivez votre réponse.")
    return Ask(text, (menu(ctx),), ctx.state.prompt)


def ask_choice(
    ctx: Context,
    question: Question,
    text: str,
    options: tuple[Option, ...],
    *,
    multiple: bool = False,
    correct_ids: tuple[str, ...] = (),
) -> Out:
    """A quiz message offering `options` (native quizzes tell `correct_ids` at once)."""
    del question
    return QuizQuestion(
        text,
        options,
        ctx.state.prompt,
        multiple=multiple,
        correct_ids=correct_ids,
        extra=(menu(ctx),),
        submit=ctx._("Valider ✔️"),
        hint=ctx._("Répondez en écrivant les lettres de vos choix, par exemple : a c"),
    )


def read_typed(
    ctx: Context, question: Question, event: Incoming, shown: tuple[Option, ...]
) -> object | None:
    """The text typed."""
    del ctx, question, shown
    return event.text if isinstance(event, TextReceived) else None


def read_one(
    ctx: Context, question: Question, event: Incoming, shown: tuple[Option, ...]
) -> str | None:
    """One option of those shown: tapped, or typed as its label or its letter."""
    del question
    if isinstance(event, OptionsChosen):
        picked = [i for i in event.option_ids if any(o.id == i for o in shown)]
        return picked[0] if picked else None
    return choose(ctx, event, shown, letters=True)


def as_stated(ctx: Context, question: Question, result: Grade) -> str:
    """The right answer as the grader states it."""
    del ctx, question
    return result.expected


def record_text(question: Question, answer: object) -> str:
    """Option ids sorted and joined ("a, c"), "vrai"/"faux", or the typed text tidied."""
    del question
    if isinstance(answer, bool):
        text = "vrai" if answer else "faux"
    elif isinstance(answer, str):
        text = " ".join(answer.split())
    else:
        text = ", ".join(sorted({str(item) for item in items(answer)}))
    return text[:MAX_ANSWER]


def items(answer: object) -> list[object]:
    """The items of a several-part answer (ids, right items)."""
    return list(answer) if isinstance(answer, Iterable) else [answer]
