"""Streaks: days in a row with some learning, in the learner's local dates.

Kind on purpose: one missed day in any seven is forgiven (the streak goes on across it), and
a streak that stopped is never counted against the learner; the best one stays theirs.
What counts as learning: a lesson step read, a quiz question answered, a review answered.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from dialogs.context import Context
from dialogs.ports import CompleteLesson, Effect, RecordAnswer, RecordQuiz
from dialogs.when import zone_of

GRACE_EVERY = 7  # days: at most one missed day forgiven in this many
NOTED = "learned_on"  # state data: the local date whose learning day is already written


@dataclass(frozen=True)
class Streak:
    """The current and best streaks, in learning days, and whether today counts already."""

    current: int
    best: int
    today: bool


def streak(days: list[date], today: date) -> Streak:
    """The streaks of these learning days (any order) as seen on `today`."""
    chain, best, last, grace = 0, 0, None, None
    for day in sorted(set(days)):
        if day > today:
            break
        chain, grace = _extend(chain, last, grace, day)
        best, last = max(best, chain), day
    if last is None:
        return Streak(0, 0, False)
    alive = (today - last).days <= 1 or _forgiven(last, grace, today)
    return Streak(chain if alive else 0, best, last == today)


def _extend(
    chain: int, last: date | None, grace: date | None, day: date
) -> tuple[int, date | None]:
    """The chain after one more learning day, and the last missed day it forgave."""
    if last is not None and (day - last).days == 1:
        return chain + 1, grace
    if last is not None and _forgiven(last, grace, day):
        return chain + 1, last + timedelta(days=1)
    return 1, None


def _forgiven(last: date, grace: date | None, day: date) -> bool:
    """Whether `day` follows `last` across one missed day that may be forgiven."""
    missed = last + timedelta(days=1)
    if (day - last).days != 2:
        return False
    return grace is None or (missed - grace).days >= GRACE_EVERY


@dataclass(frozen=True)
class Before:
    """What a turn's learning is measured against: where the learner was when it began."""

    step: str
    bookmark: Any
    reviewed: tuple[int, int]

    @classmethod
    def of(cls, ctx: Context) -> Before:
        """The learner's position before their turn."""
        bookmark = ctx.profile.bookmark
        return cls(ctx.state.step, dict(bookmark) if bookmark else None, _review_position(ctx))


def _review_position(ctx: Context) -> tuple[int, int]:
    """Where a review sitting stands: it moves with each answer (or resets at the end)."""
    from dialogs.flows.review import position  # here: the flows import this module

    return position(ctx)


def learned(before: Before, ctx: Context, effects: list[Effect]) -> bool:
    """Whether this turn taught something: a lesson step moved on, a quiz or review answer."""
    if any(isinstance(e, CompleteLesson | RecordQuiz | RecordAnswer) for e in effects):
        return True
    if before.step == "lesson" and ctx.profile.bookmark != before.bookmark:
        return True
    return before.step == "review" and _review_position(ctx) != before.reviewed


def local_day(ctx: Context) -> date:
    """Today's date where the learner lives."""
    return ctx.now.astimezone(zone_of(ctx.profile.country)).date()


async def note_learning(ctx: Context, before: Before, effects: list[Effect]) -> None:
    """Write today's learning day once, when this turn taught something."""
    if ctx.services.reminders is None or not learned(before, ctx, effects):
        return
    today = local_day(ctx)
    if ctx.state.data.get(NOTED) == today.isoformat():
        return  # already written today: no statement at all
    await ctx.services.reminders.learned(today)
    ctx.state.data[NOTED] = today.isoformat()


async def streak_text(ctx: Context) -> str:
    """The current and best streaks, kindly worded; empty before any learning day."""
    if ctx.services.reminders is None:
        return ""
    found = streak(await ctx.services.reminders.learning_days(), local_day(ctx))
    if not found.best:
        return ""
    if not found.current:
        return (
            ctx._(
                "🌱 Votre série s'est arrêtée, ce n'est pas grave : une leçon aujourd'hui et elle "
                "repart. Votre meilleure série reste à vous."
            )
            + "\n"
            + _best(ctx, found.best)
        )
    lines = [
        ctx.ngettext(
            "🔥 Série en cours : %(n)s jour d'apprentissage",
            "🔥 Série en cours : %(n)s jours d'apprentissage",
            found.current,
        ),
        _best(ctx, found.best),
    ]
    if not found.today:
        lines.append(ctx._("Un petit moment aujourd'hui, et la série continue."))
    lines.append(ctx._("(Un jour manqué par semaine ne casse pas la série.)"))
    return "\n".join(lines)


def _best(ctx: Context, best: int) -> str:
    """ "Best streak: N days"."""
    return ctx.ngettext("🏅 Meilleure série : %(n)s jour", "🏅 Meilleure série : %(n)s jours", best)
