"""GIFT items mapped into the course model: every GIFT type becomes a Question.

content/gift.py reads a GIFT file into its own dataclasses; this module turns them into
content/model.py questions, numbered q1, q2... with options a, b... `$CATEGORY:` lines are
not questions and are skipped. Skills come from tags (`// [tag:skill:CM1-NUM-3]`) and from a
part of the category in force (`$CATEGORY: $course$/Fractions/skill:CM1-NUM-3`); `skill_tags`
writes them back as tags. Weights (`%50%`), per-answer feedback, ranges and Moodle's
"any number" answer are kept; the general feedback (`####`) becomes the explanation.
"""

from __future__ import annotations

import math
import re
from dataclasses import replace
from string import ascii_lowercase

from content.gift import GiftQuestion
from content.gift_answers import BLANK, GiftChoice, GiftNumber, GiftText, GiftType
from content.model import Choice, NumericAnswer, Pair, Question, QuestionType, TextAnswer
from content.skills import SKILL_LINE, is_skill_code

__all__ = [
    "GIFT_TYPES",
    "gift_skills",
    "gift_to_question",
    "gift_to_questions",
    "malformed_skills",
    "skill_tags",
]


# The question types a GIFT item can become (a kind GIFT has no form for is not among them).
GIFT_TYPES = frozenset(
    {
        QuestionType.SINGLE,
        QuestionType.MULTIPLE,
        QuestionType.TRUE_FALSE,
        QuestionType.SHORT,
        QuestionType.NUMERIC,
        QuestionType.MATCHING,
        QuestionType.MISSING_WORD,
        QuestionType.ESSAY,
        QuestionType.DESCRIPTION,
    }
)


def _marked_skills(item: GiftQuestion) -> list[str]:
    """Every code a GIFT item's `skill:` tags and category parts name, well-formed or not."""
    marks = [*item.tags, *(item.category or "").split("/")]
    codes: list[str] = []
    for mark in marks:
        found = SKILL_LINE.fullmatch(mark.strip())
        if found is not None:
            codes += [code.strip() for code in re.split(r"[,;]", found["value"]) if code.strip()]
    return codes


def gift_skills(item: GiftQuestion) -> tuple[str, ...]:
    """The skill codes of a GIFT item: `skill:CODE` tags, then category parts `skill:CODE`;
    malformed codes are left out (`content check` names them, `malformed_skills`)."""
    return tuple(dict.fromkeys(code for code in _marked_skills(item) if is_skill_code(code)))


def malformed_skills(item: GiftQuestion) -> list[str]:
    """The codes of a GIFT item's skill marks that are no skill codes."""
    return [code for code in _marked_skills(item) if not is_skill_code(code)]


def skill_tags(skills: tuple[str, ...]) -> tuple[str, ...]:
    """Skills as GIFT tags (`[tag:skill:CM1-NUM-3]`), which `gift_skills` reads back."""
    return tuple(f"skill:{code}" for code in skills)


def _text(text: GiftText | None) -> str:
    """The text of an optional GIFT text."""
    return text.text if text else ""


def _choice_id(index: int) -> str:
    """a, b... z, then aa, ab...: short ASCII ids in the order written."""
    letters = ascii_lowercase
    if index < len(letters):
        return letters[index]
    return letters[index // len(letters) - 1] + letters[index % len(letters)]


def _weight(choice: GiftChoice) -> float:
    """The percentage an answer earns: its `%w%`, else 100 for `=` and 0 for `~`."""
    if choice.weight is not None:
        return choice.weight
    return 100.0 if choice.is_correct else 0.0


def _choices(item: GiftQuestion) -> tuple[tuple[Choice, ...], bool]:
    """The options of a choice question, and whether several must be ticked."""
    multiple = not any(c.is_correct for c in item.choices) and (
        sum(1 for c in item.choices if _weight(c) > 0) > 1
    )
    choices = tuple(
        Choice(
            _choice_id(i),
            c.text.text,
            _weight(c) > 0 if multiple else c.is_correct or _weight(c) >= 100,
            c.weight,
            _text(c.feedback),
        )
        for i, c in enumerate(item.choices)
    )
    return choices, multiple


def _number(choice: GiftChoice) -> NumericAnswer:
    """A numeric answer: value and tolerance, a range, or any number (infinite tolerance)."""
    spec = choice.number or GiftNumber()
    weight, feedback = _weight(choice), _text(choice.feedback)
    if spec.low is not None and spec.high is not None:
        return NumericAnswer(
            (spec.low + spec.high) / 2, (spec.high - spec.low) / 2, weight, feedback
        )
    if spec.value is None:
        return NumericAnswer(0.0, math.inf, weight, feedback)
    return NumericAnswer(spec.value, spec.tolerance or 0.0, weight, feedback)


def _split_stem(item: GiftQuestion) -> tuple[str, str]:
    """The stem before and after the embedded answers (the whole stem when none)."""
    stem = item.stem.text
    if item.blank_at is None:
        return stem, ""
    return stem[: item.blank_at].rstrip(), stem[item.blank_at + len(BLANK) :].lstrip()


def gift_to_question(item: GiftQuestion, question_id: str) -> Question:
    """Map one GIFT question (not a category) into the model."""
    kind = item.type
    embedded = item.blank_at is not None and kind in (GiftType.MULTIPLE_CHOICE, GiftType.SHORT)
    before, after = _split_stem(item) if embedded else (item.stem.text or item.title or "", "")
    base = Question(
        question_id,
        QuestionType.MISSING_WORD if embedded else QuestionType.DESCRIPTION,
        before,
        text_after=after,
        explanation=_text(item.global_feedback),
        line=item.line,
        skills=gift_skills(item),
    )
    if kind is GiftType.DESCRIPTION:
        return base
    if kind is GiftType.ESSAY:
        return replace(base, type=QuestionType.ESSAY)
    if kind is GiftType.TRUE_FALSE:
        return replace(base, type=QuestionType.TRUE_FALSE, truth=item.truth)
    if kind is GiftType.MATCHING:
        pairs = tuple(Pair(p.question.text, p.answer) for p in item.pairs)
        if not any(pair.left for pair in pairs):
            return base  # nothing to match: only its text can be shown
        return replace(base, type=QuestionType.MATCHING, pairs=pairs)
    if kind is GiftType.NUMERIC:
        numbers = tuple(_number(c) for c in item.choices)
        return replace(base, type=QuestionType.NUMERIC, numeric=numbers)
    if kind is GiftType.SHORT:
        answers = tuple(
            TextAnswer(c.text.text, _weight(c), _text(c.feedback)) for c in item.choices
        )
        accepted = tuple(a.text for a in answers if a.weight >= 100)
        shape = QuestionType.MISSING_WORD if embedded else QuestionType.SHORT
        return replace(base, type=shape, answers=answers, accepted=accepted)
    choices, multiple = _choices(item)
    shape = QuestionType.MULTIPLE if multiple else QuestionType.SINGLE
    return replace(base, type=QuestionType.MISSING_WORD if embedded else shape, choices=choices)


def gift_to_questions(items: list[GiftQuestion]) -> list[Question]:
    """Map GIFT items into questions q1, q2...; `$CATEGORY:` items are skipped."""
    questions = [item for item in items if item.type is not GiftType.CATEGORY]
    return [gift_to_question(item, f"q{i}") for i, item in enumerate(questions, 1)]
