"""Reading the quiz of a lesson: its options, then questions with options or answers."""

from __future__ import annotations

import math
import re
from dataclasses import replace

from content.errors import Report
from content.model import Choice, NumericAnswer, Question, QuestionType, Quiz
from content.normalize import fold

# Choice ids are what travels back in callback data: one short ASCII letter each.
CHOICE_IDS = "abcdefghij"
MAX_CHOICE_LENGTH = 100  # a Telegram poll option holds 100 characters
QUIZ_OPTIONS = ("retry", "pass", "typos")

_QUESTION = re.compile(r"\?(?:[ \t]+(?P<text>.*))?")
_MARKER = re.compile(r"(?P<mark>[*=>-])(?:[ \t]+(?P<text>.*))?")
_KEY_VALUE = re.compile(r"(?P<key>[A-Za-z][\w-]*)[ \t]*:[ \t]*(?P<value>.*)")
_LIST_ITEM = re.compile(r"(?:[-*•]|\d{1,3}[.)])\s")
_YES, _NO = {"yes", "oui", "true", "vrai"}, {"no", "non", "false", "faux"}
_TRUTH = {"vrai": True, "true": True, "faux": False, "false": False}
_PERCENT = re.compile(r"(?P<number>\d{1,3})[ \t]*%?")

# Numbers in answers: sign, French thousands spaces, decimal comma or point.
_NUM = r"[+\-\u2212]?(?:(?:\d{1,3}(?:[ \u00a0\u202f]\d{3})+|\d+)(?:[.,]\d+)?|[.,]\d+)"
_PLAIN = re.compile(rf"(?P<a>{_NUM})")
_PLUS_MINUS = re.compile(rf"(?P<a>{_NUM})\s*(?:±|\+-|\+/-)\s*(?P<b>{_NUM})")
_RANGE = re.compile(rf"(?P<a>{_NUM})\s*\.\.\s*(?P<b>{_NUM})")

_Problem = tuple[int, int, str]  # line, column, message


def unescape(line: str) -> str:
    """Drop the backslash that makes a line starting with a marker plain text."""
    return line[1:] if line.startswith("\\") else line


def join_lines(lines: list[str]) -> str:
    """Join source lines: wrapped lines run on, list items keep their line, "" breaks."""
    paragraphs: list[str] = []
    current = ""
    for line in lines:
        if not line:
            paragraphs.append(current)
            current = ""
        elif current:
            current += ("\n" if _LIST_ITEM.match(line) else " ") + line
        else:
            current = line
    paragraphs.append(current)
    return "\n\n".join(p for p in paragraphs if p)


def _number(text: str) -> float:
    """Convert a number matched by _NUM."""
    cleaned = re.sub(r"[ \u00a0\u202f]", "", text).replace(",", ".").replace("\u2212", "-")
    return float(cleaned)


def numeric_answer(text: str) -> NumericAnswer | str | None:
    """Read '12,5', '12,5 ± 0,1' or '3 .. 4'; a message if malformed, None if not a number."""
    if match := _PLAIN.fullmatch(text):
        answer = NumericAnswer(_number(match["a"]))
    elif match := _PLUS_MINUS.fullmatch(text):
        answer = NumericAnswer(_number(match["a"]), _number(match["b"]))
        if answer.tolerance < 0:
            return "the tolerance after ± must not be negative"
    elif match := _RANGE.fullmatch(text):
        low, high = _number(match["a"]), _number(match["b"])
        if low > high:
            return "a range is written low .. high"
        answer = NumericAnswer((low + high) / 2, (high - low) / 2)
    else:
        return None
    if not (math.isfinite(answer.value) and math.isfinite(answer.tolerance)):
        return "this number is too large"
    return answer


class QuestionDraft:
    """A question being read: its text, then options or answers and an explanation."""

    def __init__(self, report: Report, line: int, text: str) -> None:
        self.report, self.line = report, line
        self.text_lines = [text] if text else []
        self.choices: list[tuple[bool, str, int, int]] = []  # correct, text, line, column
        self.answers: list[tuple[str, int, int]] = []  # text, line, column
        self.explanation: list[str] = []
        self.started = False  # an answer or explanation was read: the text is over

    def feed(self, number: int, line: str) -> None:
        """Read one line of the question."""
        indent = len(line) - len(line.lstrip())
        marker = _MARKER.fullmatch(line.strip())
        if marker is None:
            self.on_text(number, line.strip())
            return
        self.started = True
        mark, text = marker["mark"], (marker["text"] or "").strip()
        column = indent + marker.start("text") + 1 if marker["text"] else indent + 1
        if mark == ">":
            self.explanation.append(text)
        elif not text:
            self.report(number, indent + 1, f"'{mark}' must be followed by a space and some text")
        elif mark == "=":
            self.answers.append((text, number, column))
        else:
            self.choices.append((mark == "*", text, number, column))

    def on_text(self, number: int, text: str) -> None:
        """Continue the question text, which may span several lines."""
        if self.started and text:
            message = "unexpected text: use '* ', '- ', '= ' or '> ' here, or '? ' for a question"
            self.report(number, 1, message)
        elif text:
            self.text_lines.append(unescape(text))
        elif self.text_lines and not self.started:
            self.text_lines.append("")

    def close(self, question_id: str, typos: bool) -> Question | None:
        """Finish the question; None when it is unusable (problems are reported)."""
        text = join_lines(self.text_lines)
        problems: list[_Problem] = [] if text else [(self.line, 1, "the question has no text")]
        partial = self.close_answers(problems)
        for line, column, message in problems:
            self.report(line, column, message)
        if partial is None or problems:
            return None
        explanation = join_lines(self.explanation)
        return replace(partial, id=question_id, text=text, explanation=explanation, typos=typos)

    def close_answers(self, problems: list[_Problem]) -> Question | None:
        """Decide the question type from its options or answers."""
        if self.choices and self.answers:
            message = "a question takes options ('* ', '- ') or answers ('= '), not both"
            problems.append((self.answers[0][1], 1, message))
            return None
        if self.choices:
            return self.close_choices(problems)
        if self.answers:
            return self.close_typed(problems)
        problems.append((self.line, 1, "the question has no answer: add '* ', '- ' or '= ' lines"))
        return None

    def close_choices(self, problems: list[_Problem]) -> Question:
        """Build a single or multiple choice question."""
        right = sum(correct for correct, *_ in self.choices)
        if len(self.choices) < 2:
            problems.append((self.line, 1, "a choice question needs at least two options"))
        if len(self.choices) > len(CHOICE_IDS):
            line = self.choices[len(CHOICE_IDS)][2]
            problems.append((line, 1, f"a question has at most {len(CHOICE_IDS)} options"))
        if not right:
            problems.append((self.line, 1, "no right option: mark the right one(s) with '* '"))
        problems.extend(_choice_problems(self.choices))
        choices = tuple(
            Choice(CHOICE_IDS[i % len(CHOICE_IDS)], text, correct)
            for i, (correct, text, *_) in enumerate(self.choices)
        )
        kind = QuestionType.SINGLE if right == 1 else QuestionType.MULTIPLE
        return Question("", kind, "", choices=choices, line=self.line)

    def close_typed(self, problems: list[_Problem]) -> Question:
        """Build a true/false, numeric or short answer question from its '=' lines."""
        texts = [text for text, *_ in self.answers]
        truths = [_TRUTH.get(fold(text)) for text in texts]
        if truths[0] is not None and all(t is not None for t in truths):
            if len(texts) > 1:
                message = "a true/false question takes a single '= vrai' or '= faux'"
                problems.append((self.answers[1][1], 1, message))
            return Question("", QuestionType.TRUE_FALSE, "", truth=truths[0], line=self.line)
        numbers = [numeric_answer(text) for text in texts]
        if all(n is not None for n in numbers):
            return self.close_numeric(numbers, problems)
        for text, line, column in self.answers:
            if not fold(text):
                problems.append((line, column, "an answer needs at least one letter or digit"))
        return Question("", QuestionType.SHORT, "", accepted=tuple(texts), line=self.line)

    def close_numeric(
        self, numbers: list[NumericAnswer | str | None], problems: list[_Problem]
    ) -> Question:
        """Build a numeric question, reporting malformed numbers."""
        accepted: list[NumericAnswer] = []
        for number, (_, line, column) in zip(numbers, self.answers, strict=True):
            if isinstance(number, NumericAnswer):
                accepted.append(number)
            else:
                problems.append((line, column, str(number)))
        return Question("", QuestionType.NUMERIC, "", numeric=tuple(accepted), line=self.line)


def _choice_problems(choices: list[tuple[bool, str, int, int]]) -> list[_Problem]:
    """Find options that are too long or given twice."""
    problems: list[_Problem] = []
    seen: set[str] = set()
    for _, text, line, column in choices:
        if len(text) > MAX_CHOICE_LENGTH:
            message = f"an option holds at most {MAX_CHOICE_LENGTH} characters"
            problems.append((line, column, message))
        # Not fold(): "500 × 2" and "500 ÷ 2" differ only by punctuation, and both matter.
        key = " ".join(text.casefold().split())
        if key in seen:
            problems.append((line, column, "this option is given twice"))
        seen.add(key)
    return problems


class QuizDraft:
    """A quiz being read: `key: value` options, then questions starting with '? '."""

    def __init__(self, report: Report, line: int) -> None:
        self.report, self.line = report, line
        self.retry, self.pass_mark, self.typos = True, 0.5, True
        self.options: set[str] = set()
        self.questions: list[Question] = []
        self.question: QuestionDraft | None = None
        self.count = 0  # questions started, for stable ids q1, q2...

    def feed(self, number: int, line: str) -> None:
        """Read one line of the quiz."""
        question = _QUESTION.fullmatch(line.strip())
        if question is not None:
            self.close_question()
            self.question = QuestionDraft(self.report, number, (question["text"] or "").strip())
        elif self.question is not None:
            self.question.feed(number, line)
        elif line.strip():
            self.on_option(number, line)

    def on_option(self, number: int, line: str) -> None:
        """Read one `key: value` option line before the first question."""
        indent = len(line) - len(line.lstrip())
        match = _KEY_VALUE.fullmatch(line.strip())
        if match is None:
            message = "expected a quiz option (retry:, pass:, typos:) or a question ('? ')"
            self.report(number, indent + 1, message)
            return
        key, value = match["key"].casefold(), match["value"].strip()
        column = indent + match.start("value") + 1
        if key not in QUIZ_OPTIONS:
            message = f"unknown quiz option '{key}' (known: {', '.join(QUIZ_OPTIONS)})"
            self.report(number, indent + 1, message)
        elif key in self.options:
            self.report(number, indent + 1, f"quiz option '{key}' is given twice")
        elif key == "pass":
            self.set_pass_mark(number, column, value)
        else:
            self.set_flag(number, column, key, value)
        self.options.add(key)

    def set_pass_mark(self, number: int, column: int, value: str) -> None:
        """Read `pass: 60%`."""
        match = _PERCENT.fullmatch(value)
        if match is None or int(match["number"]) > 100:
            self.report(number, column, "pass must be a percentage such as 60%")
        else:
            self.pass_mark = int(match["number"]) / 100

    def set_flag(self, number: int, column: int, key: str, value: str) -> None:
        """Read `retry: yes|no` or `typos: yes|no`."""
        word = fold(value)
        if word not in _YES | _NO:
            self.report(number, column, f"{key} must be yes or no (oui or non)")
        elif key == "retry":
            self.retry = word in _YES
        else:
            self.typos = word in _YES

    def close_question(self) -> None:
        """Finish the question being read, if any."""
        if self.question is not None:
            self.count += 1
            question = self.question.close(f"q{self.count}", self.typos)
            if question is not None:
                self.questions.append(question)
            self.question = None

    def close(self) -> Quiz | None:
        """Finish the quiz; None when it has no usable question."""
        self.close_question()
        if not self.count:
            self.report(self.line, 1, "the quiz has no question: start one with '? '")
        if not self.questions:
            return None
        return Quiz(tuple(self.questions), self.retry, self.pass_mark)
