"""The quiz closing a lesson: one question at a time, immediate feedback, a final score."""

from __future__ import annotations

import random
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, cast

from content import grading
from content.model import Course, Lesson, Question, Quiz
from content.translations import localized_lesson

from dialogs.context import Context, Step, Turn
from dialogs.events import Entered, Incoming, OptionChosen
from dialogs.flow import Flow, FlowState, fresh, state_of
from dialogs.flows.answers import record_answer
from dialogs.flows.certificates import earn_certificate
from dialogs.flows.common import menu_option, unexpected
from dialogs.flows.learning import course_page, current_lesson, media_url
from dialogs.flows.light_data import MEDIA, is_light, offer, on_request
from dialogs.flows.place import go_to_lesson, place
from dialogs.flows.placement import after_failure
from dialogs.flows.quiz_help import forget_help, help_asked, help_turn, helped, taken_away
from dialogs.kinds import DIALOG_KINDS, MORE
from dialogs.kinds.picks import Picks
from dialogs.messages import Ask, Option, Out, QuizQuestion, Say, Show
from dialogs.options import choose
from dialogs.ports import RecordQuiz, SubmitEssay

RETRY_WEIGHT = 0.5  # a right answer at the second try earns half the points
MAX_ESSAY = 4000  # characters of an essay kept for the teacher


@dataclass
class Attempt(FlowState, flow="quiz"):
    """One attempt at a lesson's quiz: the question asked and how it was shown, the draw of
    a question bank, the tries at the question, the score so far, the essays written; at the
    end, the share of the points (the certificate counts it: the attempt is not stored yet).

    Kept through a remediation (placement.py's "remedy" step goes back to the question) and
    the certificate's name, which go back to the quiz."""

    shared_by = frozenset({"placement", "certificates"})
    # "passed": written by the previous release, read by nothing (no field: dropped).
    legacy = {  # noqa: RUF012
        "question": "q",
        "shown": "qk",
        "seed": "seed",
        "tries": "tries",
        "score": "score",
        "essays": "essays",
        "ratio": "ratio",
        "passed": "passed",
    }

    question: int = 0  # index in the drawn quiz
    shown: int | None = None  # fingerprint of the question as shown (`_key`)
    seed: int | None = None  # which questions a bank draws for this attempt
    tries: int = 0
    score: float = 0.0
    essays: dict[str, str] = field(default_factory=dict)  # question id -> the essay
    ratio: float | None = None  # once finished


def attempt(ctx: Context) -> Attempt:
    """The learner's attempt at the quiz, read once per turn (changed in place)."""
    return state_of(ctx, Attempt)


def resume_attempt(ctx: Context, mark: Mapping[str, Any]) -> None:
    """Go back to the question of a quiz the bookmark points to, with its score and draw."""
    work = fresh(ctx, Attempt)
    work.question, work.score = int(mark.get("quiz", 0)), float(mark.get("score", 0.0))
    if isinstance(mark.get("seed"), int):
        work.seed = mark["seed"]


async def quiz(ctx: Context, event: Incoming) -> Turn:
    """Ask the current question, or grade the answer to it."""
    here = current_lesson(ctx)
    if here is None or here[1].quiz is None:
        return Turn([Say(ctx._("Ce quiz n'est plus disponible."))], goto="menu")
    found, lesson = here
    # The learner's language where the course has it, question by question: the same ids
    # and right answers, so an option tapped or typed in Wolof is graded as in French.
    lesson = localized_lesson(found, lesson, ctx.profile.locale)
    assert lesson.quiz is not None
    work = attempt(ctx)
    quiz_ = lesson.quiz.drawn(_attempt_seed(work))
    index = min(work.question, len(quiz_.questions) - 1)
    question = quiz_.questions[index]
    shown_as = work.shown
    if not isinstance(event, Entered) and shown_as is not None and shown_as != _key(question):
        # The teacher published a new version while the learner was answering: never grade
        # an answer against a question they were not shown.
        again = next((i for i, q in enumerate(quiz_.questions) if _key(q) == shown_as), None)
        if again is None:
            note = Say(ctx._("Ce quiz vient d'être mis à jour : voici la question."))
            return Turn([note], goto="quiz")
        index, question = again, quiz_.questions[again]
        work.question = index
    if isinstance(event, Entered):
        work.shown = _key(question)
        ctx.profile.bookmark = {
            "course": found.id,
            "lesson": lesson.id,
            "quiz": index,
            "score": work.score,
            "seed": work.seed,  # /reprendre asks the same questions of a bank
        }
        return Turn(await with_sound(ctx, found, question, _render(ctx, quiz_, question, index)))
    if isinstance(event, OptionChosen) and event.option_id == "menu":
        return Turn(goto="menu")  # only a tap: a typed "1" is an answer, not the menu
    if isinstance(event, OptionChosen) and event.option_id == MEDIA:
        return await sound_on_request(ctx, found, question, event)
    asked = help_asked(event)
    if asked is not None and not _answers_it(ctx, quiz_, question, event):
        return help_turn(ctx, question, _offered(ctx, quiz_, question), asked)
    kind = DIALOG_KINDS[question.type]
    answer = kind.read(ctx, question, event, _offered(ctx, quiz_, question))
    if answer is None:
        return unexpected(ctx, event)
    if answer is MORE:
        return Turn(goto="quiz")  # the next part of the same question (a matching pair)
    if not kind.asks:
        return _advance(ctx, found, lesson, quiz_, [])
    return await _grade_and_go_on(ctx, found, lesson, quiz_, question, answer)


def _key(question: Question) -> int:
    """A short fingerprint of a question as shown (its ids are positions: q1, q2...)."""
    shown = [question.type, question.text, *(c.text for c in question.choices)]
    return zlib.crc32("\n".join(shown).encode("utf-8"))


def _sound(found: Course, question: Question) -> Show | None:
    """The question read aloud (`audio:` in the course), as a voice note."""
    if question.audio is None:
        return None
    return Show("audio", question.audio.path, "", media_url(found, question.audio.path))


async def with_sound(ctx: Context, found: Course, question: Question, out: Out) -> list[Out]:
    """The question after its recording; with light data on, the recording offered first."""
    sound = _sound(found, question)
    if sound is None or question.audio is None:
        return [out]
    if not await is_light(ctx):
        return [sound, out]
    listen = offer(ctx, "audio", question.audio.size)
    if isinstance(out, Ask):
        return [replace(out, options=(listen, *out.options))]
    if isinstance(out, QuizQuestion):
        return [replace(out, extra=(listen, *out.extra))]
    return [out]


async def sound_on_request(
    ctx: Context, found: Course, question: Question, event: Incoming
) -> Turn:
    """Send the question's recording the learner asked for (light data), then the question."""
    sound = _sound(found, question)
    if sound is None or question.audio is None or not await is_light(ctx):
        return unexpected(ctx, event)
    return Turn(await on_request(ctx, sound, question.audio.size), reprompt=True)


def _attempt_seed(work: Attempt) -> int:
    """Which questions a bank draws for this attempt; a new attempt draws anew."""
    if work.seed is None:
        work.seed = random.randrange(2**31)
    return work.seed


def choice_options(ctx: Context, question: Question) -> tuple[Option, ...]:
    """What a question offers to pick, before shuffling (its kind says: dialogs/kinds/)."""
    return DIALOG_KINDS[question.type].options(ctx, question)


def _shuffled(
    ctx: Context, quiz_: Quiz, question: Question, options: tuple[Option, ...]
) -> tuple[Option, ...]:
    """The options in a random order that stays the same for this learner and question."""
    if not quiz_.shuffle:
        return options
    seed = f"{ctx.user.channel}:{ctx.user.external_id}:{place(ctx).lesson}:{question.id}"
    order = list(options)
    random.Random(seed).shuffle(order)
    return tuple(order)


def _offered(ctx: Context, quiz_: Quiz, question: Question) -> tuple[Option, ...]:
    """The options as this learner sees them: in their order, without those "plus facile"
    took away."""
    gone = taken_away(ctx, question)
    shown = _shuffled(ctx, quiz_, question, choice_options(ctx, question))
    return tuple(option for option in shown if option.id not in gone)


def _answers_it(ctx: Context, quiz_: Quiz, question: Question, event: Incoming) -> bool:
    """Whether a help word typed at a question is its right answer ("indice" may be one)."""
    if not DIALOG_KINDS[question.type].one_turn:
        return False
    answer = read_answer(ctx, question, event, _offered(ctx, quiz_, question))
    return answer is not None and grade_answer(question, answer).correct


def _render(ctx: Context, quiz_: Quiz, question: Question, index: int) -> Out:
    """The question as its kind asks it, under "Question n sur total"."""
    header = ctx._("Question %(n)s sur %(total)s", n=index + 1, total=len(quiz_.questions))
    return ask_question(ctx, question, header, _offered(ctx, quiz_, question))


def ask_question(ctx: Context, question: Question, header: str, options: tuple[Option, ...]) -> Out:
    """The question under `header`, offering `options` in the order this learner sees them."""
    return DIALOG_KINDS[question.type].ask(ctx, question, header, options)


def read_answer(
    ctx: Context, question: Question, event: Incoming, shown: tuple[Option, ...]
) -> object | None:
    """The learner's answer in the shape the grader of this kind takes, or None.

    `shown`: the options in the order this learner saw them, which typed letters refer to.
    """
    return DIALOG_KINDS[question.type].read(ctx, question, event, shown)


def grade_answer(question: Question, answer: object) -> grading.Grade:
    """Grade an answer with the grader of the question's type."""
    return grading.grade(question, cast(grading.Answer, answer))


async def _grade_and_go_on(
    ctx: Context, found: Course, lesson: Lesson, quiz_: Quiz, question: Question, answer: object
) -> Turn:
    """Give feedback; offer a retry, or move to the next question or the final score."""
    result = grade_answer(question, answer)
    if result.to_grade:
        essays = attempt(ctx).essays  # kept for the teacher: 0 points until graded
        essays[question.id] = str(answer)[:MAX_ESSAY]
        text = ctx._("📝 Merci ! Votre enseignant lira votre réponse.")
        if question.explanation:
            text += "\n" + question.explanation
        turn = _advance(ctx, found, lesson, quiz_, [Say(text)])
        kept = SubmitEssay(found.id, lesson.id, question.id, essays[question.id])
        turn.effects = [kept, *turn.effects]
        return turn
    work = attempt(ctx)
    tries = work.tries
    skills = () if helped(ctx, question) else lesson.skills_of(question)
    recorded = record_answer(found.id, lesson.id, question, answer, result, tries + 1, skills)
    # A wrong first try counts towards remediation, as it counts for mastery.
    failed = skills if not result.correct and tries == 0 and question.scored else ()
    if not result.correct and quiz_.retry and tries == 0:
        work.tries = 1
        text = ctx._("❌ Ce n'est pas encore ça. Réfléchissez et essayez encore une fois !")
        if question.hints:
            text += "\n" + ctx._("💡 Indice : %(hint)s", hint=question.hints[0])
        retry = Turn([Say(text)], goto="quiz", effects=[recorded])
        return await after_failure(ctx, found, lesson, question, failed, retry)
    weight = RETRY_WEIGHT if tries else 1.0
    work.score += result.score * weight
    turn = _advance(ctx, found, lesson, quiz_, [Say(feedback(ctx, question, result))])
    turn.effects = [recorded, *turn.effects]  # before RecordQuiz: it counts in this attempt
    return await after_failure(ctx, found, lesson, question, failed, turn)


def _advance(ctx: Context, found: Course, lesson: Lesson, quiz_: Quiz, messages: list[Out]) -> Turn:
    """Move to the next question, or to the final score after the last one."""
    work = attempt(ctx)
    next_index = work.question + 1
    work.question, work.tries = next_index, 0
    forget_help(ctx)
    if next_index < len(quiz_.questions):
        return Turn(messages, goto="quiz")
    return _finish(ctx, found, lesson, quiz_, messages)


def feedback(ctx: Context, question: Question, result: grading.Grade) -> str:
    """Right, partly right or wrong, the right answer, and the explanation."""
    if result.correct:
        lines = [ctx._("✅ Bonne réponse !")]
    elif result.score > 0:
        lines = [ctx._("🟡 C'est en partie juste.")]
    else:
        lines = [ctx._("❌ Ce n'est pas la bonne réponse.")]
    if result.feedback:
        lines.append(result.feedback)
    if not result.correct:
        lines.append(
            ctx._(
                "La bonne réponse : %(answer)s",
                answer=DIALOG_KINDS[question.type].expected(ctx, question, result),
            )
        )
    if question.explanation:
        lines.append(question.explanation)
    return "\n".join(lines)


def _finish(ctx: Context, found: Course, lesson: Lesson, quiz_: Quiz, messages: list[Out]) -> Turn:
    """Record the attempt, give the score with a message by band, point to what is next."""
    total = quiz_.max_score  # essays and descriptions earn no points now
    work = attempt(ctx)
    score = round(work.score, 2)
    ratio = score / total if total else 1.0
    text = ctx._(
        "Quiz terminé ! Votre score : %(score)s sur %(total)s (%(percent)s).",
        score=ctx.t.number(score, 2),
        total=ctx.t.number(total),
        percent=ctx.t.percent(ratio),
    )
    messages.append(Say(text + "\n" + band_message(ctx, ratio, quiz_.pass_mark)))
    following = found.lesson_index(lesson.id) + 1
    has_next = following < len(found.lessons)
    ctx.profile.bookmark = (
        {"course": found.id, "lesson": found.lessons[following].id, "step": 0} if has_next else None
    )
    work.ratio = ratio  # for the certificate: this attempt is not stored yet
    work.seed = None  # the next attempt draws its own questions
    return Turn(messages, goto="quiz_done", effects=[RecordQuiz(found.id, lesson.id, score, total)])


def band_message(ctx: Context, ratio: float, pass_mark: float) -> str:
    """Encouragement that fits the score."""
    if ratio >= 0.9:
        return ctx._("🏆 Excellent ! Vous maîtrisez cette leçon.")
    if ratio >= pass_mark:
        return ctx._("👏 Bien joué, la leçon est réussie.")
    if ratio >= pass_mark / 2:
        return ctx._("💪 Pas mal ! Relisez la leçon et refaites le quiz pour progresser.")
    return ctx._("🌱 Ce n'est qu'un début. Reprenez la leçon tranquillement, puis réessayez.")


async def quiz_done(ctx: Context, event: Incoming) -> Turn:
    """After the score: next lesson, try the quiz again, the course page or the menu."""
    here = current_lesson(ctx)
    if here is None:
        return Turn(goto="menu")
    found, lesson = here
    placed = await ctx.mastery.placed_out(found.id) if ctx.mastery and found.placement else ()
    following = found.lesson_index(lesson.id) + 1
    while following < len(found.lessons) and found.lessons[following].id in placed:
        following += 1  # skipped after the placement quiz: the course page still has it
    options = []
    if following < len(found.lessons):
        options.append(Option("next", ctx._("Leçon suivante ▶️")))
    options += [
        Option("again", ctx._("🔁 Refaire le quiz")),
        Option("course", ctx._("📘 Le cours")),
        menu_option(ctx),
    ]
    if isinstance(event, Entered):
        text = ctx._("Et maintenant ?")
        if following >= len(found.lessons) > found.lesson_index(lesson.id) + 1:
            text = ctx._(
                "Les leçons suivantes ont été sautées après le test de placement : elles "
                "restent sur la page du cours (⏭️). Et maintenant ?"
            )
        elif following >= len(found.lessons):
            if (earned := await earn_certificate(ctx, found, attempt(ctx).ratio)) is not None:
                return earned
            text = ctx._("🎓 Vous avez terminé toutes les leçons de ce cours ! Et maintenant ?")
        return Turn([Ask(text, tuple(options), ctx.state.prompt)])
    chosen = choose(ctx, event, tuple(options))
    if chosen == "next":
        go_to_lesson(ctx, found.id, found.lessons[following].id)
        return Turn(goto="lesson")
    if chosen == "again":
        fresh(ctx, Attempt)  # its first question, no score, its own draw
        fresh(ctx, Picks)
        forget_help(ctx)
        return Turn(goto="quiz")
    if chosen == "course":
        return Turn(goto=course_page(ctx, found, lesson))
    if chosen == "menu":
        return Turn(goto="menu")
    return unexpected(ctx, event)


STEPS: dict[str, Step] = {"quiz": quiz, "quiz_done": quiz_done}
FLOW = Flow(
    "quiz",
    STEPS,
    services=("admin", "certificates", "certifier", "data_saver", "mastery", "reports", "shelf"),
    state=Attempt,
)
