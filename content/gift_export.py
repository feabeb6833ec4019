"""Write GIFT items back as GIFT text that content/gift.py reads into the same items."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from content.gift_answers import BLANK, GiftChoice, GiftNumber, GiftText, GiftType

if TYPE_CHECKING:
    from content.gift import GiftQuestion

# Text starting with these would be read as a weight, a format marker or a comment:
# an explicit format marker in front keeps them text.
_AMBIGUOUS_STARTS = ("%", "[", "/")


def export_gift(questions: Iterable[GiftQuestion]) -> str:
    """Return GIFT text for these items, one blank line between them."""
    parts = [_item(question) for question in questions]
    return "\n\n".join(parts) + "\n" if parts else ""


def escape(text: str) -> str:
    """Escape GIFT's control characters and newlines."""
    text = text.replace("\\", "\\\\")
    for char in "~=#{}:":
        text = text.replace(char, "\\" + char)
    return text.replace("\n", "\\n")


def _text(text: GiftText, default: str) -> str:
    """Write text, with its format marker when it differs from the default or is needed."""
    body = escape(text.text)
    if text.format != default or body.startswith(_AMBIGUOUS_STARTS):
        return f"[{text.format}]{body}"
    return body


def _item(question: GiftQuestion) -> str:
    """Write one item, with a comment carrying its id and tags."""
    if question.type is GiftType.CATEGORY:
        return f"$CATEGORY: {question.category}"
    marks = ([f"[id:{question.id}]"] if question.id is not None else []) + [
        f"[tag:{tag}]" for tag in question.tags
    ]
    comment = f"// {' '.join(marks)}\n" if marks else ""
    title = f"::{escape(question.title)}::" if question.title is not None else ""
    return comment + title + _stem_and_answers(question)


def _stem_and_answers(question: GiftQuestion) -> str:
    """Write the stem with the answer block at its end or at its blank."""
    stem = question.stem
    if question.type is GiftType.DESCRIPTION:
        return _text(stem, "moodle")
    answers = "{" + _answers(question) + "}"
    if question.blank_at is None:
        return (_text(stem, "moodle") if stem.text else "") + answers
    head = stem.text[: question.blank_at].rstrip(" ")
    tail = GiftText(stem.format, stem.text[question.blank_at + len(BLANK) + 1 :])
    if not head:
        return f"{answers} {_text(tail, 'moodle')}"
    return f"{_text(GiftText(stem.format, head), 'moodle')} {answers} {_text(tail, stem.format)}"


def _answers(question: GiftQuestion) -> str:
    """Write what goes between the braces, one answer a line when there are several."""
    fmt = question.stem.format
    if question.type is GiftType.TRUE_FALSE:
        body = _truth(question, fmt)
    elif question.type is GiftType.MATCHING:
        body = "".join(
            f"\n    ={_text(p.question, fmt)} -> {escape(p.answer)}" for p in question.pairs
        )
    elif question.type is GiftType.NUMERIC:
        body = _numeric(question.choices, fmt)
    elif question.type is GiftType.ESSAY:
        body = ""
    else:
        lines = [_choice(choice, fmt) for choice in question.choices]
        if lines and all(line.startswith("=") and "->" in line for line in lines):
            # Would read back as matching pairs; an empty feedback keeps them answers.
            lines[0] += "" if "#" in lines[0] else "#"
        body = "".join(f"\n    {line}" for line in lines)
    if question.global_feedback:
        body += f"\n    ####{_text(question.global_feedback, fmt)}"
    return body + "\n" if "\n" in body else body


def _truth(question: GiftQuestion, fmt: str) -> str:
    """Write `TRUE#wrong#right`."""
    word = "TRUE" if question.truth else "FALSE"
    wrong, right = question.wrong_feedback, question.right_feedback
    if right is not None:
        return f"{word}#{_text(wrong, fmt) if wrong else ''}#{_text(right, fmt)}"
    return f"{word}#{_text(wrong, fmt)}" if wrong else word


def _choice(choice: GiftChoice, fmt: str) -> str:
    """Write `=%50%text#feedback`."""
    weight = f"%{number(choice.weight)}%" if choice.weight is not None else ""
    feedback = f"#{_text(choice.feedback, fmt)}" if choice.feedback else ""
    return f"{'=' if choice.is_correct else '~'}{weight}{_text(choice.text, fmt)}{feedback}"


def _numeric(choices: tuple[GiftChoice, ...], fmt: str) -> str:
    """Write `#3.14:0.01` for one plain right answer, else a list of answers."""
    only = choices[0] if len(choices) == 1 else None
    plain = only and only.is_correct and only.weight is None and not only.feedback
    if plain and only and only.number and not only.number.is_any:  # `*` needs the list form
        return "#" + _number_spec(only.number)
    lines = []
    for choice in choices:
        weight = f"%{number(choice.weight)}%" if choice.weight is not None else ""
        spec = _number_spec(choice.number) if choice.number else ""
        feedback = f"#{_text(choice.feedback, fmt)}" if choice.feedback else ""
        lines.append(f"\n    {'=' if choice.is_correct else '~'}{weight}{spec}{feedback}")
    return "#" + "".join(lines)


def _number_spec(answer: GiftNumber) -> str:
    """Write `3`, `3.14:0.01`, `1..5`, or nothing for any number."""
    if answer.low is not None and answer.high is not None:
        return f"{number(answer.low)}..{number(answer.high)}"
    if answer.value is None:
        return ""
    if answer.tolerance is None:
        return number(answer.value)
    return f"{number(answer.value)}:{number(answer.tolerance)}"


def number(value: float) -> str:
    """Write a number exactly, without `.0` for whole numbers."""
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value)
