"""Reading the quiz of a lesson: its options, then questions with options or answers."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import replace

from content.errors import N_, Message, Report
from content.model import (
    Choice,
    NumericAnswer,
    Question,
    QuestionType,
    Quiz,
    Sound,
    TextAnswer,
)
from content.normalize import fold
from content.skills import NO_REMEDIATION, REMEDIATION_LINE, SKILL_LINE, read_skills

# Choice ids are what travels back in callback data: one short ASCII letter each.
CHOICE_IDS = "abcdefghij"
MAX_CHOICE_LENGTH = 100  # a Telegram poll option holds 100 characters
QUIZ_OPTIONS = ("retry", "pass", "typos", "shuffle", "draw")
# `key: value` lines inside a question
QUESTION_KEYS = ("essay", "description", "hint", "audio", "sms")
GAP = re.compile(r"_{3,}")  # `___` in a question's text: the missing word
ARROW = "->"  # `= left -> right`: a matching pair

_QUESTION = re.compile(r"\?(?:[ \t]+(?P<text>.*))?")
_MARKER = re.compile(r"(?P<mark>[*=>-])(?:[ \t]+(?P<text>.*))?")
_KEY_VALUE = re.compile(r"(?P<key>[A-Za-z][\w-]*)[ \t]*:[ \t]*(?P<value>.*)")
_LIST_ITEM = re.compile(r"(?:[-*•]|\d{1,3}[.)])\s")
_YES, _NO = {"yes", "oui", "true", "vrai"}, {"no", "non", "false", "faux"}
TRUTHS = {"vrai": True, "true": True, "faux": False, "false": False}
_PERCENT = re.compile(r"(?P<number>\d{1,3})[ \t]*%?")
_WEIGHT = re.compile(r"(?P<weight>[+\-\u2212]?\d{1,3})%[ \t]+(?P<text>\S.*)")
_QUESTION_KEY = re.compile(
    rf"(?P<key>{'|'.join(QUESTION_KEYS)})[ \t]*:[ \t]*(?P<value>.*)", re.IGNORECASE
)

# Numbers in answers: sign, French thousands spaces, decimal comma or point.
_NUM = r"[+\-\u2212]?(?:(?:\d{1,3}(?:[ \u00a0\u202f]\d{3})+|\d+)(?:[.,]\d+)?|[.,]\d+)"
_PLAIN = re.compile(rf"(?P<a>{_NUM})")
_PLUS_MINUS = re.compile(rf"(?P<a>{_NUM})\s*(?:±|\+-|\+/-)\s*(?P<b>{_NUM})")
_RANGE = re.compile(rf"(?P<a>{_NUM})\s*\.\.\s*(?P<b>{_NUM})")

Problem = tuple[int, int, Message]  # line, column, message
Attach = Callable[[str], Sound | Message]  # reads `audio: file.ogg` next to the course


def split_weight(text: str) -> tuple[float | None, str, Message | None]:
    """Read a leading `50% ` weight off an option or answer; the weight, text and a problem."""
    match = _WEIGHT.fullmatch(text)
    if match is None:
        return None, text, None
    weight = float(match["weight"].replace("\u2212", "-"))
    if not -100 <= weight <= 100:
        return None, text, Message(N_("un poids est un pourcentage entre -100% et 100%"))
    return weight, match["text"].strip(), None


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


def numeric_answer(text: str) -> NumericAnswer | Message | None:
    """Read '12,5', '12,5 ± 0,1' or '3 .. 4'; a message if malformed, None if not a number."""
    if match := _PLAIN.fullmatch(text):
        answer = NumericAnswer(_number(match["a"]))
    elif match := _PLUS_MINUS.fullmatch(text):
        answer = NumericAnswer(_number(match["a"]), _number(match["b"]))
        if answer.tolerance < 0:
            return Message(N_("la tolérance après ± ne doit pas être négative"))
    elif match := _RANGE.fullmatch(text):
        low, high = _number(match["a"]), _number(match["b"])
        if low > high:
            return Message(N_("un intervalle s'écrit du plus petit au plus grand : 3 .. 4"))
        answer = NumericAnswer((low + high) / 2, (high - low) / 2)
    else:
        return None
    if not (math.isfinite(answer.value) and math.isfinite(answer.tolerance)):
        return Message(N_("ce nombre est trop grand"))
    return answer


class QuestionDraft:
    """A question being read: its text, then options or answers and an explanation."""

    def __init__(self, report: Report, line: int, text: str, attach: Attach | None = None) -> None:
        self.report, self.line, self.attach = report, line, attach
        self.sound: Sound | None = None
        self.text_lines = [text] if text else []
        self.choices: list[tuple[bool, str, int, int]] = []  # correct, text, line, column
        self.answers: list[tuple[str, int, int]] = []  # text, line, column
        self.explanation: list[str] = []
        self.started = False  # an answer or explanation was read: the text is over
        # Weight and feedback lines of each option, then of each answer, in order.
        self.choice_extra: list[tuple[float | None, list[str]]] = []
        self.answer_extra: list[tuple[float | None, list[str]]] = []
        self.last: list[str] | None = None  # feedback lines of the last option or answer
        self.kind: QuestionType | None = None  # set by `essay: yes` or `description: yes`
        self.hints: list[str] = []
        self.short: tuple[str, int] | None = None  # `sms:` and its line
        self.skills: list[str] = []  # its own `skill:` codes ([]: the lesson's)
        self.remediation: list[str] = []  # its `remédiation:` lines

    def feed(self, number: int, line: str) -> None:
        """Read one line of the question."""
        indent = len(line) - len(line.lstrip())
        key = _QUESTION_KEY.fullmatch(line.strip())
        if key is not None:
            self.on_key(number, indent, key)
            return
        skills = SKILL_LINE.fullmatch(line.strip())
        if skills is not None:
            self.on_skills(number, indent, skills)
            return
        remedy = REMEDIATION_LINE.fullmatch(line.strip())
        if remedy is not None:
            self.started = True
            if remedy["value"].strip():
                self.remediation.append(remedy["value"].strip())
            else:
                self.report(number, indent + remedy.start("value") + 1, NO_REMEDIATION)
            return
        marker = _MARKER.fullmatch(line.strip())
        if marker is None:
            self.on_text(number, line.strip())
            return
        self.started = True
        mark, text = marker["mark"], (marker["text"] or "").strip()
        column = indent + marker.start("text") + 1 if marker["text"] else indent + 1
        if mark == ">" and indent and self.last is not None:
            self.last.append(text)  # an indented `>` under an option: its own feedback
        elif mark == ">":
            self.explanation.append(text)
            self.last = None
        elif not text:
            message = N_("'%(mark)s' doit être suivi d'une espace et d'un texte")
            self.report(number, indent + 1, message, mark=mark)
        else:
            self.on_item(number, column, mark, text)

    def on_item(self, number: int, column: int, mark: str, text: str) -> None:
        """Read an option (`* `, `- `) or an answer (`= `), with an optional `50% ` weight."""
        weight, text, problem = split_weight(text)
        if problem:
            self.report(number, column, problem.text, **problem.args)
        self.last = []
        if mark == "=":
            self.answers.append((text, number, column))
            self.answer_extra.append((weight, self.last))
        else:
            self.choices.append((mark == "*", text, number, column))
            self.choice_extra.append((weight, self.last))

    def on_key(self, number: int, indent: int, key: re.Match[str]) -> None:
        """Read `essay: yes`, `description: yes` or `hint: text` inside a question."""
        name, value = key["key"].casefold(), key["value"].strip()
        column = indent + key.start("value") + 1
        self.started = True
        if name == "audio":
            self.on_sound(number, indent, column, value)
            return
        if name == "sms":  # the short form, for text-only channels
            if not value:
                self.report(number, column, N_("'sms:' doit être suivi d'un texte"))
            elif self.short is not None:
                message = N_("cette question a déjà une forme courte 'sms:' : une seule")
                self.report(number, indent + 1, message)
            else:
                self.short = (value, number)
            return
        if name == "hint":
            if value:
                self.hints.append(value)
            else:
                self.report(number, column, N_("'hint:' doit être suivi d'un texte"))
            return
        word = fold(value)
        if word not in _YES | _NO:
            self.report(number, column, N_("%(key)s doit valoir oui ou non (yes ou no)"), key=name)
        elif word in _YES:
            if self.kind is not None:
                message = N_("une question est 'essay: oui' ou 'description: oui', pas les deux")
                self.report(number, indent + 1, message)
            self.kind = QuestionType.ESSAY if name == "essay" else QuestionType.DESCRIPTION

    def on_skills(self, number: int, indent: int, match: re.Match[str]) -> None:
        """Read `skill: CM1-NUM-3`: the skills this question tests (instead of the lesson's)."""
        self.started = True
        codes, problems = read_skills(match["value"])
        column = indent + match.start("value") + 1
        for offset, problem in problems:
            self.report(number, column + offset, problem.text, **problem.args)
        self.skills.extend(code for code in codes if code not in self.skills)

    def on_sound(self, number: int, indent: int, column: int, value: str) -> None:
        """Read `audio: audio/q1.ogg`: the question read aloud, sent before it."""
        sound = (
            self.attach(value)
            if self.attach
            else Message(N_("fichier introuvable : %(path)s"), {"path": value})
        )
        if isinstance(sound, Message):
            self.report(number, column, sound.text, **sound.args)
        elif self.sound is not None:
            self.report(number, indent + 1, N_("cette question a déjà un son 'audio:'"))
        else:
            self.sound = sound

    def on_text(self, number: int, text: str) -> None:
        """Continue the question text, which may span several lines."""
        if self.started and text:
            message = N_(
                "texte inattendu : écrivez ici '* ', '- ', '= ' ou '> ', ou '? ' pour une question"
            )
            self.report(number, 1, message)
        elif text:
            self.text_lines.append(unescape(text))
        elif self.text_lines and not self.started:
            self.text_lines.append("")

    def close(self, question_id: str, typos: bool) -> Question | None:
        """Finish the question; None when it is unusable (problems are reported)."""
        text = join_lines(self.text_lines)
        problems: list[Problem] = []
        if not text:
            problems.append((self.line, 1, Message(N_("la question n'a pas de texte"))))
        partial = self.close_answers(problems)
        for line, column, message in problems:
            self.report(line, column, message.text, **message.args)
        if partial is None or problems:
            return None
        explanation = join_lines(self.explanation)
        before, after = self.split_gap(text, partial)
        return replace(
            partial,
            id=question_id,
            text=before,
            text_after=after,
            explanation=explanation,
            typos=typos,
            hints=tuple(self.hints),
            audio=self.sound,
            skills=tuple(self.skills),
            remediation="\n".join(self.remediation),
            short=self.short[0] if self.short else "",
            short_line=self.short[1] if self.short else 0,
        )

    def split_gap(self, text: str, partial: Question) -> tuple[str, str]:
        """Cut a missing word question's text at its gap; other texts are kept whole."""
        if partial.type is not QuestionType.MISSING_WORD:
            return text, ""
        before, after = GAP.split(text, maxsplit=1)
        return before.rstrip(), after.lstrip()

    @property
    def gaps(self) -> int:
        """How many `___` the question's text holds."""
        return len(GAP.findall(join_lines(self.text_lines)))

    @property
    def right(self) -> int:
        """How many options are marked right (`* `)."""
        return sum(correct for correct, *_ in self.choices)

    @property
    def texts(self) -> list[str]:
        """The texts of the `= ` answer lines."""
        return [text for text, *_ in self.answers]

    def close_answers(self, problems: list[Problem]) -> Question | None:
        """Decide the question type: the first kind, by priority, that claims its lines
        (content/kinds/, `Reading`), once the problems common to every kind are out."""
        from content.kinds import READINGS  # the kinds build on this module

        if self.kind is None and (problem := self.common_problem()) is not None:
            problems.append(problem)
            return None
        for reading in READINGS:
            if reading.claims(self):
                return reading.build(self, problems)
        message = N_("la question n'a pas de réponse : ajoutez des lignes '* ', '- ' ou '= '")
        problems.append((self.line, 1, Message(message)))
        return None

    def common_problem(self) -> Problem | None:
        """Two gaps, options mixed with answers, or nothing to answer."""
        if self.gaps > 1:
            return (self.line, 1, Message(N_("une question a au plus un trou '___'")))
        if self.choices and self.answers:
            message = N_(
                "une question prend des options ('* ', '- ') ou des réponses ('= '), pas les deux"
            )
            return (self.answers[0][1], 1, Message(message))
        if not self.choices and not self.answers:
            message = N_("la question n'a pas de réponse : ajoutez des lignes '* ', '- ' ou '= '")
            return (self.line, 1, Message(message))
        return None

    def choice_objects(self) -> tuple[Choice, ...]:
        """The options with their ids, weights and feedback."""
        return tuple(
            Choice(CHOICE_IDS[i % len(CHOICE_IDS)], text, correct, weight, join_lines(feedback))
            for i, ((correct, text, *_), (weight, feedback)) in enumerate(
                zip(self.choices, self.choice_extra, strict=True)
            )
        )

    def close_choices(self, problems: list[Problem]) -> Question:
        """Build a single or multiple choice question."""
        right = self.right
        if len(self.choices) < 2:
            message = N_("une question à choix demande au moins deux options")
            problems.append((self.line, 1, Message(message)))
        if len(self.choices) > len(CHOICE_IDS):
            line = self.choices[len(CHOICE_IDS)][2]
            message = N_("une question a au plus %(count)s options")
            problems.append((line, 1, Message(message, {"count": len(CHOICE_IDS)})))
        if not right:
            message = N_("aucune bonne option : marquez la ou les bonnes avec '* '")
            problems.append((self.line, 1, Message(message)))
        problems.extend(choice_problems(self.choices))
        choices = self.choice_objects()
        kind = QuestionType.SINGLE if right == 1 else QuestionType.MULTIPLE
        return Question("", kind, "", choices=choices, line=self.line)

    def close_short(self, problems: list[Problem]) -> Question:
        """Build a short answer question; weights or feedback make its answers weighted."""
        for text, line, column in self.answers:
            if not fold(text):
                message = N_("une réponse demande au moins une lettre ou un chiffre")
                problems.append((line, column, Message(message)))
        answers = tuple(
            TextAnswer(text, 100.0 if weight is None else weight, join_lines(feedback))
            for (text, *_), (weight, feedback) in zip(self.answers, self.answer_extra, strict=True)
        )
        accepted = tuple(a.text for a in answers if a.weight == 100)
        weighted = any(a.weight != 100 or a.feedback for a in answers)
        if not any(a.weight > 0 for a in answers):
            message = N_("aucune réponse ne rapporte de points : donnez à l'une un poids positif")
            problems.append((self.line, 1, Message(message)))
        return Question(
            "",
            QuestionType.SHORT,
            "",
            accepted=accepted,
            answers=answers if weighted else (),
            line=self.line,
        )


def choice_problems(choices: list[tuple[bool, str, int, int]]) -> list[Problem]:
    """Find options that are too long or given twice."""
    problems: list[Problem] = []
    seen: set[str] = set()
    for _, text, line, column in choices:
        if len(text) > MAX_CHOICE_LENGTH:
            message = N_("une option a au plus %(count)s caractères")
            problems.append((line, column, Message(message, {"count": MAX_CHOICE_LENGTH})))
        # Not fold(): "500 × 2" and "500 ÷ 2" differ only by punctuation, and both matter.
        key = " ".join(text.casefold().split())
        if key in seen:
            problems.append((line, column, Message(N_("cette option est donnée deux fois"))))
        seen.add(key)
    return problems


class QuizDraft:
    """A quiz being read: `key: value` options, then questions starting with '? '."""

    def __init__(self, report: Report, line: int, attach: Attach | None = None) -> None:
        self.report, self.line, self.attach = report, line, attach
        self.retry, self.pass_mark, self.typos, self.shuffle = True, 0.5, True, False
        self.draw, self.draw_at = 0, (0, 0)
        self.options: set[str] = set()
        self.questions: list[Question] = []
        self.question: QuestionDraft | None = None
        self.count = 0  # questions started, for stable ids q1, q2...

    def feed(self, number: int, line: str) -> None:
        """Read one line of the quiz."""
        question = _QUESTION.fullmatch(line.strip())
        if question is not None:
            self.close_question()
            text = (question["text"] or "").strip()
            self.question = QuestionDraft(self.report, number, text, self.attach)
        elif self.question is not None:
            self.question.feed(number, line)
        elif line.strip():
            self.on_option(number, line)

    def on_option(self, number: int, line: str) -> None:
        """Read one `key: value` option line before the first question."""
        indent = len(line) - len(line.lstrip())
        match = _KEY_VALUE.fullmatch(line.strip())
        if match is None:
            message = N_(
                "option du quiz (retry:, pass:, typos:, shuffle:, draw:) "
                "ou question ('? ') attendue"
            )
            self.report(number, indent + 1, message)
            return
        key, value = match["key"].casefold(), match["value"].strip()
        column = indent + match.start("value") + 1
        if key not in QUIZ_OPTIONS:
            message = N_("option du quiz inconnue '%(key)s' (connues : %(known)s)")
            self.report(number, indent + 1, message, key=key, known=", ".join(QUIZ_OPTIONS))
        elif key in self.options:
            message = N_("l'option du quiz '%(key)s' est donnée deux fois")
            self.report(number, indent + 1, message, key=key)
        elif key == "pass":
            self.set_pass_mark(number, column, value)
        elif key == "draw":
            self.set_draw(number, column, value)
        else:
            self.set_flag(number, column, key, value)
        self.options.add(key)

    def set_draw(self, number: int, column: int, value: str) -> None:
        """Read `draw: 5` (ask 5 questions drawn from the bank at each attempt)."""
        if not value.isdigit() or int(value) < 1:
            message = N_("draw doit être un nombre entier de questions, par exemple 5")
            self.report(number, column, message)
            return
        self.draw, self.draw_at = int(value), (number, column)

    def set_pass_mark(self, number: int, column: int, value: str) -> None:
        """Read `pass: 60%`."""
        match = _PERCENT.fullmatch(value)
        if match is None or int(match["number"]) > 100:
            self.report(number, column, N_("pass doit être un pourcentage, par exemple 60%"))
        else:
            self.pass_mark = int(match["number"]) / 100

    def set_flag(self, number: int, column: int, key: str, value: str) -> None:
        """Read `retry: yes|no`, `typos: yes|no` or `shuffle: yes|no`."""
        word = fold(value)
        if word not in _YES | _NO:
            self.report(number, column, N_("%(key)s doit valoir oui ou non (yes ou no)"), key=key)
        elif key == "retry":
            self.retry = word in _YES
        elif key == "shuffle":
            self.shuffle = word in _YES
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
            message = N_("le quiz n'a aucune question : commencez-en une par '? '")
            self.report(self.line, 1, message)
        if not self.questions:
            return None
        if self.draw > len(self.questions):
            message = N_("draw: %(draw)s dépasse le nombre de questions du quiz (%(count)s)")
            self.report(*self.draw_at, message, draw=self.draw, count=len(self.questions))
        return Quiz(tuple(self.questions), self.retry, self.pass_mark, self.shuffle, self.draw)
