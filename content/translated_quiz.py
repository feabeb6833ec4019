"""Quiz questions in a course's translation (`## question N` blocks of `course.wo.md`).

A translated question carries its text, its options (in the main file's order, so the
option ids, the right answers and the grading stay the main file's), each option's
feedback, its hints, its explanation, its short form, its `remédiation:` and, for a typed
answer, more
accepted answers in the language (a learner answering in Wolof is graded right; the main
language's answers stay accepted). A part left out is read in the main language.

    ## question 1 · source: 5d0c3e7a
    Ci xaaj bii 3/5, ban lim mooy dénominateur bi ?
    hint: Dénominateur bi dafay wax ñaata pàcc yu yem lañu dagg.
    - 3
    - 5
      > Waaw : limu suuf bi.
    - 8
    - 15
    > Dénominateur bi mooy limu suuf bi.

`source:` is the fingerprint of the whole question as the main file has it
(`question_mark`): when any of its texts changes, the whole translation is to redo.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from content.errors import N_, Message
from content.format_quiz import ARROW, GAP, MAX_CHOICE_LENGTH, join_lines, unescape
from content.model import Pair, Question, QuestionType, TextAnswer

_ITEM = re.compile(r"(?P<mark>[*=>-])(?:[ \t]+(?P<text>.*))?")
_KEY = re.compile(
    r"(?P<key>hint|sms|remédiation|remediation)[ \t]*:[ \t]*(?P<value>.*)", re.IGNORECASE
)
_TYPED = (QuestionType.SHORT, QuestionType.MISSING_WORD)


@dataclass(frozen=True)
class QuestionText:
    """A question's texts in another language; "" (or ()) where a part is not translated."""

    text: str = ""  # the question (a missing word question's with its `___` gap)
    choices: tuple[str, ...] = ()  # the options in the main file's order ("" untranslated)
    feedback: tuple[str, ...] = ()  # each option's feedback, same order
    pairs: tuple[tuple[str, str], ...] = ()  # MATCHING: left and right of each pair
    hints: tuple[str, ...] = ()
    explanation: str = ""
    answers: tuple[str, ...] = ()  # typed answers accepted besides the main file's
    short: str = ""
    remediation: str = ""  # the author's help after two failures (`remédiation:`)
    source: str = ""  # the fingerprint of the main question it was made from
    line: int = 0

    @property
    def empty(self) -> bool:
        """Whether nothing of the question is translated."""
        return not (
            self.text
            or any(self.choices)
            or self.explanation
            or any(self.hints)
            or self.answers
            or self.remediation
            or any(r for _, r in self.pairs)
        )


def question_source(question: Question) -> str:
    """Every text of a question, one a line: what its fingerprint is taken of."""
    text = f"{question.text} ___ {question.text_after}" if question.text_after else question.text
    parts = [text, *(f"{c.text}\n{c.feedback}" for c in question.choices)]
    parts += [f"{p.left} -> {p.right}" for p in question.pairs]
    parts += [a.text for a in question.text_answers] + list(question.hints)
    parts += [question.explanation, question.short]
    if question.remediation:  # only then: the fingerprints of questions without one stay
        parts.append(question.remediation)
    return "\n".join(parts)


def question_mark(question: Question) -> str:
    """The fingerprint of a question's texts (`source:` of its translation)."""
    from content.translations import source_mark

    return source_mark(question_source(question))


def full_text(question: Question) -> str:
    """A question's text as one line to translate: a gap written `___`."""
    if question.type is QuestionType.MISSING_WORD:
        return f"{question.text} ___ {question.text_after}".strip()
    return question.text


def read_question(
    lines: list[tuple[int, str]], question: Question
) -> tuple[QuestionText, list[tuple[int, Message]]]:
    """Read a `## question N` block's lines (number, text) against the main question."""
    problems: list[tuple[int, Message]] = []
    text: list[str] = []
    options: list[str] = []
    feedback: list[list[str]] = []
    hints: list[str] = []
    explanation: list[str] = []
    answers: list[str] = []
    remedies: list[str] = []
    short = ""
    started = False
    for number, raw in lines:
        line = raw.strip()
        indent = len(raw) - len(raw.lstrip())
        if (key := _KEY.fullmatch(line)) is not None:
            started = True
            if key["key"].casefold() == "hint":
                hints.append(key["value"].strip())
            elif key["key"].casefold().startswith("rem"):
                remedies.append(key["value"].strip())
            else:
                short = key["value"].strip()
            continue
        item = _ITEM.fullmatch(line)
        if item is None:
            if started and line:
                problems.append((number, Message(N_("texte inattendu après les options"))))
            elif line or text:
                text.append(unescape(line))
            continue
        started = True
        mark, value = item["mark"], (item["text"] or "").strip()
        if mark == ">" and indent and feedback:
            feedback[-1].append(value)
        elif mark == ">":
            explanation.append(value)
        elif mark == "=":
            if question.type not in _TYPED or question.choices:
                message = N_("'= ' donne une réponse tapée : cette question n'en prend pas")
                problems.append((number, Message(message)))
            answers.append(value)
        else:
            options.append(value)
            feedback.append([])
    result = QuestionText(
        text=join_lines(text),
        hints=tuple(hints),  # by position: an empty `hint:` leaves that one in French
        explanation=join_lines(explanation),
        answers=tuple(a for a in answers if a),
        short=short,
        remediation="\n".join(r for r in remedies if r),
    )
    return _with_options(result, question, options, feedback, lines, problems)


def _with_options(
    result: QuestionText,
    question: Question,
    options: list[str],
    feedback: list[list[str]],
    lines: list[tuple[int, str]],
    problems: list[tuple[int, Message]],
) -> tuple[QuestionText, list[tuple[int, Message]]]:
    """Check the options against the main question's and place them."""
    first = lines[0][0] if lines else 0
    expected = (
        len(question.pairs) if question.type is QuestionType.MATCHING else len(question.choices)
    )
    if options and len(options) != expected:
        message = N_(
            "%(count)s options traduites, la question en a %(expected)s (dans le même ordre)"
        )
        problems.append((first, Message(message, {"count": len(options), "expected": expected})))
        options, feedback = [], []
    if result.text and question.type is QuestionType.MISSING_WORD and not GAP.search(result.text):
        problems.append((first, Message(N_("la question traduite doit garder son trou '___'"))))
    too_long = [o for o in options if len(o) > MAX_CHOICE_LENGTH]
    if too_long:
        message = N_("une option a au plus %(count)s caractères")
        problems.append((first, Message(message, {"count": MAX_CHOICE_LENGTH})))
    if question.type is QuestionType.MATCHING:
        pairs = tuple(_pair(o) for o in options)
        return replace(result, pairs=pairs), problems
    return replace(
        result,
        choices=tuple(options),
        feedback=tuple(join_lines(f) for f in feedback),
    ), problems


def _pair(text: str) -> tuple[str, str]:
    left, _, right = text.partition(ARROW)
    return left.strip(), right.strip()


def localized_question(question: Question, done: QuestionText) -> Question:
    """The question as a learner of the translation's language reads it: translated parts
    over the main file's, the same ids, right answers and weights."""
    text, after = question.text, question.text_after
    if done.text and question.type is QuestionType.MISSING_WORD and GAP.search(done.text):
        before, rest = GAP.split(done.text, maxsplit=1)
        text, after = before.rstrip(), rest.lstrip()
    elif done.text:
        text = done.text
    choices = tuple(
        replace(
            choice,
            text=_at(done.choices, i) or choice.text,
            feedback=_at(done.feedback, i) or choice.feedback,
        )
        for i, choice in enumerate(question.choices)
    )
    pairs = tuple(
        Pair(
            (_pairs_at(done.pairs, i)[0] or pair.left) if pair.left else "",
            _pairs_at(done.pairs, i)[1] or pair.right,
        )
        for i, pair in enumerate(question.pairs)
    )
    answers, accepted = question.answers, question.accepted
    if done.answers and question.type in _TYPED and not question.choices:
        if answers:
            answers = (*answers, *(TextAnswer(a) for a in done.answers))
        else:
            accepted = (*accepted, *done.answers)
    hints = tuple(_at(done.hints, i) or hint for i, hint in enumerate(question.hints))
    return replace(
        question,
        text=text,
        text_after=after,
        choices=choices,
        pairs=pairs,
        answers=answers,
        accepted=accepted,
        hints=hints,
        explanation=done.explanation or question.explanation,
        short=done.short or question.short,
        remediation=done.remediation or question.remediation,
    )


def _at(items: tuple[str, ...], index: int) -> str:
    return items[index] if index < len(items) else ""


def _pairs_at(items: tuple[tuple[str, str], ...], index: int) -> tuple[str, str]:
    return items[index] if index < len(items) else ("", "")


def question_lines(question: Question, done: QuestionText | None = None) -> list[str]:
    """A question's block body: its translation (`done`), or its source to replace, as a
    comment, for the skeleton."""
    if done is None:
        body = _block(question, None)
        return ["<!--", *(line.replace("-->", "- ->") for line in body), "-->"]
    return _block(question, done)


def _block(question: Question, done: QuestionText | None) -> list[str]:
    """The lines of a question block, from a translation or (None) from the main file."""
    source = done is None
    text = full_text(question) if source else (done.text if done else "")
    out = [text] if text else []
    hints = question.hints if source else (done.hints if done else ())
    out += [f"hint: {h}".rstrip() for h in hints]
    if question.type is QuestionType.MATCHING:
        pairs = (
            [(p.left, p.right) for p in question.pairs]
            if source
            else list(done.pairs if done else ())
        )
        out += [f"- {left} {ARROW} {right}" for left, right in pairs]
    else:
        choices = (
            [c.text for c in question.choices] if source else list(done.choices if done else ())
        )
        feedback = (
            [c.feedback for c in question.choices]
            if source
            else list(done.feedback if done else ())
        )
        if any(choices):
            for i, option in enumerate(choices):
                out.append(f"- {option}" if option else "-")  # left in the main language
                if _at(tuple(feedback), i):
                    out.append(f"  > {feedback[i]}")
    answers = (
        [a.text for a in question.text_answers] if source else list(done.answers if done else ())
    )
    if question.type in _TYPED and not question.choices:
        out += [f"= {a}" for a in answers]
    explanation = question.explanation if source else (done.explanation if done else "")
    out += [f"> {line}" for line in explanation.splitlines() if line]
    short = question.short if source else (done.short if done else "")
    if short:
        out.append(f"sms: {short}")
    remedy = question.remediation if source else (done.remediation if done else "")
    out += [f"remédiation: {line}" for line in remedy.splitlines() if line.strip()]
    return out
