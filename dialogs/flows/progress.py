"""The learner's progress, course by course, in their language."""

from __future__ import annotations

from datetime import UTC, datetime

from content.mastery import Level, level
from content.model import Course
from content.skills import skill_names

from dialogs.context import Context
from dialogs.mastery_ports import SkillMastery
from dialogs.ports import LessonDone, QuizScore
from dialogs.streaks import streak_text


async def progress_text(ctx: Context) -> str:
    """Lessons done and best quiz scores per course, with the last activity date."""
    done = await ctx.records.lessons_done()
    scores = await ctx.records.quiz_scores()
    placed = await _placed_out(ctx)
    course_ids = list(
        dict.fromkeys([d.course_id for d in done] + [s.course_id for s in scores] + list(placed))
    )
    earned = await ctx.services.certificates.mine() if ctx.services.certificates is not None else []
    blocks = []
    for course_id in course_ids:
        course = ctx.library.get(course_id)
        if course is not None:
            block = _course_block(ctx, course, done, scores, placed.get(course_id, frozenset()))
            if any(c.course_id == course_id for c in earned):
                block += "\n" + ctx._(
                    "🎓 Certificat obtenu : /certificats pour le recevoir à nouveau"
                )
            blocks.append(block)
    skills = await skills_text(ctx)
    if skills:
        blocks.append(skills)
    streak = await streak_text(ctx)
    if not blocks:
        empty = ctx._(
            "Vous n'avez pas encore terminé de leçon. Choisissez « Les cours » dans le menu "
            "pour commencer."
        )
        return "\n\n".join(part for part in (empty, streak) if part)
    return ctx._("📈 Vos progrès") + "\n\n" + "\n\n".join([*blocks, *([streak] if streak else [])])


async def skills_text(ctx: Context) -> str:
    """The learner's skills in words (never a probability), in the library's order."""
    mine = await ctx.services.mastery.mine() if ctx.services.mastery is not None else []
    if not mine:
        return ""
    names = skill_names(ctx.library.courses)
    order = {code: i for i, code in enumerate(names)}
    mine.sort(key=lambda m: (order.get(m.skill, len(order)), m.skill))
    shown = [names.get(m.skill, m.skill) for m in mine]
    lines = [ctx._("🎯 Vos compétences")]
    for item, name in zip(mine, shown, strict=True):
        if shown.count(name) > 1:
            name = f"{name} ({item.skill})"  # two skills first taught by one lesson
        lines.append(_skill_line(ctx, item, name))
    return "\n".join(lines)


def _skill_line(ctx: Context, item: SkillMastery, name: str) -> str:
    """ "✅ Partager en parts égales : maîtrisé"."""
    found = level(item.p_known)
    if found is Level.MASTERED:
        return ctx._("✅ %(skill)s : maîtrisé", skill=name)
    if found is Level.ON_TRACK:
        return ctx._("📈 %(skill)s : en bonne voie", skill=name)
    return ctx._("🔁 %(skill)s : à revoir", skill=name)


async def _placed_out(ctx: Context) -> dict[str, frozenset[str]]:
    """The lessons skipped after a placement quiz, by course (courses with one only)."""
    if ctx.services.mastery is None:
        return {}
    placed = {}
    for course in ctx.library.courses:
        if course.placement is not None and (
            found := await ctx.services.mastery.placed_out(course.id)
        ):
            placed[course.id] = found
    return placed


def _course_block(
    ctx: Context,
    course: Course,
    done: list[LessonDone],
    scores: list[QuizScore],
    placed: frozenset[str] = frozenset(),
) -> str:
    """One course's lines of the progress view; lessons skipped after the placement quiz
    are said apart: neither done nor scored."""
    mine = [d for d in done if d.course_id == course.id]
    quiz = [s for s in scores if s.course_id == course.id]
    lines = [f"📘 {course.title}"]
    lines.append(
        ctx.ngettext(
            "%(n)s leçon terminée sur %(total)s",
            "%(n)s leçons terminées sur %(total)s",
            len(mine),
            total=ctx.t.number(len(course.lessons)),
        )
    )
    skipped = placed - {d.lesson_id for d in mine}
    if skipped:
        lines.append(
            ctx.ngettext(
                "⏭️ %(n)s leçon sautée après le test de placement (ni terminée ni notée)",
                "⏭️ %(n)s leçons sautées après le test de placement (ni terminées ni notées)",
                len(skipped),
            )
        )
    for score in sorted(quiz, key=lambda s: course.lesson_index(s.lesson_id)):
        lines.append(_quiz_line(ctx, course, score))
    last = max([d.at for d in mine] + [s.last_at for s in quiz], default=None)
    if last is not None:
        lines.append(ctx._("Dernière activité : %(date)s", date=ctx.t.date(_utc(last))))
    return "\n".join(lines)


def _quiz_line(ctx: Context, course: Course, score: QuizScore) -> str:
    """ "Quiz « Title » : best 80 % (2 attempts)"."""
    lesson = course.lesson(score.lesson_id)
    ratio = score.best / score.max_score if score.max_score else 0.0
    return ctx.ngettext(
        "Quiz « %(title)s » : meilleur score %(score)s (%(n)s essai)",
        "Quiz « %(title)s » : meilleur score %(score)s (%(n)s essais)",
        score.attempts,
        title=lesson.title if lesson else score.lesson_id,
        score=ctx.t.percent(ratio),
    )


def _utc(value: datetime) -> datetime:
    """Dates from SQLite come back naive; they are UTC."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)
