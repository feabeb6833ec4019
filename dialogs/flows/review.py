"""Spaced review: the questions of the learner's deck that are due, a few at a time."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from content import grading
from content.model import Course, Question
from content.translations import localized_lesson

from dialogs.context import Context, Step, Turn
from dialogs.events import Entered, Incoming, OptionChosen
from dialogs.flow import Flow, FlowState, state_of
from dialogs.flows import quiz
from dialogs.flows.common import unexpected
from dialogs.flows.learning import reachable
from dialogs.flows.light_data import MEDIA
from dialogs.flows.placement import after_failure
from dialogs.flows.quiz_help import forget_help, help_asked, help_turn, helped
from dialogs.kinds import DIALOG_KINDS
from dialogs.messages import Out, Say
from dialogs.review_ports import Recall, ReviewDesk

BATCH = 5  # questions served in one sitting
SOON = timedelta(days=1)  # a next review sooner than this is "later today"


@dataclass
class Review(FlowState, flow="review"):
    """The sitting: its cards ([course, lesson, question] each) and how many are behind."""

    batch: list[list[str]] = field(default_factory=list)
    index: int = 0
    right: int = 0  # answers right in this sitting
    wrong: int = 0  # answers wrong or partly right
    legacy = {"batch": "rv", "index": "ri"}  # noqa: RUF012


def position(ctx: Context) -> tuple[int, int]:
    """Where the learner's sitting stands (cards behind, cards in it), for the streaks: it
    moves with each answer and goes back to nothing when the sitting ends; nothing away
    from the review."""
    if ctx.state.step != "review":
        return 0, 0
    sitting = state_of(ctx, Review)
    return sitting.index, len(sitting.batch)


async def review(ctx: Context, event: Incoming) -> Turn:
    """Ask the next due question of the deck, or grade the answer to it."""
    if ctx.review is None:
        return Turn(goto="menu")
    if isinstance(event, Entered):
        return await _ask_next(ctx, ctx.review)
    if isinstance(event, OptionChosen) and event.option_id == "menu":
        return Turn(goto="menu")
    card = _current(ctx)
    question = _question(ctx, card) if card else None
    if card is None or question is None:
        return Turn(goto="review")
    if isinstance(event, OptionChosen) and event.option_id == MEDIA:
        return await quiz.sound_on_request(ctx, _course(ctx, card), question, event)
    answer = quiz.read_answer(ctx, question, event, quiz.choice_options(ctx, question))
    asked = help_asked(event)
    if asked is not None and (answer is None or not quiz.grade_answer(question, answer).correct):
        return help_turn(ctx, question, (), asked, quiz=False)
    if answer is None:
        return unexpected(ctx, event)
    result = quiz.grade_answer(question, answer)
    due = await ctx.review.review(*card, _recall(result), ctx.now)
    failed: tuple[str, ...] = ()
    lesson = _course(ctx, card).lesson(card[1])
    assert lesson is not None  # `_question` found the question in it
    if ctx.mastery is not None and not helped(ctx, question):
        await ctx.mastery.observe(lesson.skills_of(question), result.correct, ctx.now)
        failed = () if result.correct else lesson.skills_of(question)
    forget_help(ctx)
    sitting = state_of(ctx, Review)
    sitting.index += 1
    if result.correct:
        sitting.right += 1
    else:
        sitting.wrong += 1
    text = quiz.feedback(ctx, question, result) + "\n" + _next_time(ctx, due)
    turn = Turn([Say(text)], goto="review")
    return await after_failure(ctx, _course(ctx, card), lesson, question, failed, turn)


async def _ask_next(ctx: Context, desk: ReviewDesk) -> Turn:
    """The next question of this sitting; a new sitting when the deck allows; or the end."""
    sitting = state_of(ctx, Review)
    if _current(ctx) is None:
        if sitting.batch:  # a sitting just ended
            said = _the_end(ctx, sitting)
            sitting.batch, sitting.index, sitting.right, sitting.wrong = [], 0, 0, 0
            return Turn([Say(said)], goto="menu")
        due = await desk.due(ctx.now, BATCH)
        forget_help(ctx)
        sitting.batch = [[c.course_id, c.lesson_id, c.question_id] for c in due]
        sitting.index, sitting.right, sitting.wrong = 0, 0, 0
    card = _current(ctx)
    if card is None:
        sitting.batch, sitting.index, sitting.right, sitting.wrong = [], 0, 0, 0
        text = ctx._("✅ C'est tout pour aujourd'hui : aucune question à revoir.")
        return Turn([Say(text)], goto="menu")
    question = _question(ctx, card)
    if question is None or await reachable(ctx, card[0]) is None:
        # the course changed, or is a class's course the learner may no longer open
        await desk.forget(*card)
        sitting.index += 1
        return await _ask_next(ctx, desk)
    # Its recording comes first, or is offered with its size in light data, as in the quiz.
    return Turn(await quiz.with_sound(ctx, _course(ctx, card), question, _render(ctx, question)))


def _the_end(ctx: Context, sitting: Review) -> str:
    """The end of a sitting, worded by how it went: bravo only when every answer was right."""
    if not sitting.wrong:
        return ctx._("🔁 Bravo, cette série est terminée !")
    score = ctx._(
        "🔁 Série terminée : %(right)s sur %(total)s.",
        right=sitting.right,
        total=sitting.right + sitting.wrong,
    )
    again = ctx.ngettext(
        "Cette question reviendra bientôt.", "Ces questions reviendront bientôt.", sitting.wrong
    )
    return score + " " + again


def _current(ctx: Context) -> tuple[str, str, str] | None:
    """The course, lesson and question being reviewed, if the sitting is not over."""
    sitting = state_of(ctx, Review)
    batch, index = sitting.batch, sitting.index
    if index >= len(batch):
        return None
    course, lesson, question = (str(part) for part in batch[index])
    return course, lesson, question


def _course(ctx: Context, card: tuple[str, str, str]) -> Course:
    """The course of a card whose question `_question` found."""
    course = ctx.library.get(card[0])
    assert course is not None
    return course


def _question(ctx: Context, card: tuple[str, str, str]) -> Question | None:
    """The question of a card, if its course still holds it and it can be asked here."""
    course = ctx.library.get(card[0])
    lesson = course.lesson(card[1]) if course else None
    if course is None or lesson is None or lesson.quiz is None:
        return None
    lesson = localized_lesson(course, lesson, ctx.profile.locale)  # the learner's language
    assert lesson.quiz is not None
    found = next((q for q in lesson.quiz.questions if q.id == card[2]), None)
    return found if found is not None and DIALOG_KINDS[found.type].reviewable else None


def _render(ctx: Context, question: Question) -> Out:
    """The question as the quiz asks it, under a review header."""
    sitting = state_of(ctx, Review)
    batch, index = sitting.batch, sitting.index
    header = ctx._("🔁 Révision %(n)s sur %(total)s", n=index + 1, total=len(batch))
    return quiz.ask_question(ctx, question, header, quiz.choice_options(ctx, question))


def _recall(result: grading.Grade) -> Recall:
    """Right: Good; partly right: Hard; wrong: Again."""
    if result.correct:
        return Recall.GOOD
    return Recall.HARD if result.score > 0 else Recall.AGAIN


def _next_time(ctx: Context, due: datetime) -> str:
    """When the question comes back."""
    if due - ctx.now < SOON:
        return ctx._("🔁 Je vous reposerai cette question un peu plus tard aujourd'hui.")
    return ctx._("🔁 Prochaine révision de cette question : le %(date)s.", date=ctx.t.date(due))


STEPS: dict[str, Step] = {"review": review}
FLOW = Flow("review", STEPS, services=("data_saver", "mastery", "review", "shelf"), state=Review)
