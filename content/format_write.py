"""Writing our course format: what a teacher builds in the chat becomes the same text a
teacher would write by hand (content/README.md), so it can be checked, exported, edited in a
text editor and uploaded again."""

from __future__ import annotations

import re
from collections.abc import Iterable

from content.model import Question
from content.skills import REMEDIATION_LINE, SKILL_LINE

# Line starts the parser reads as syntax: a line of text starting so is written with "\".
_SYNTAX_STARTS = ("#", "---", "![", "[", "\\", "<!--", "?", "=", ">", "*", "-", "~")

_HEADER_END = re.compile(r"^#", re.MULTILINE)  # the first heading ends the header
_SOUND_LINE = re.compile(r"audio[ \t]*:", re.IGNORECASE)  # `audio: x.ogg` attaches a recording
_SHORT_LINE = re.compile(r"sms[ \t]*:", re.IGNORECASE)  # `sms: ...` is a step's short form


def header(
    course_id: str,
    title: str,
    subject: str,
    levels: Iterable[str],
    language: str,
    *,
    authors: Iterable[str] = (),
    country: str = "all",
    summary: str = "",
    licence: str = "CC BY-SA 4.0",
) -> str:
    """The `key: value` header of a course file."""
    lines = [
        f"id: {course_id}",
        f"title: {one_line(title)}",
        f"subject: {subject}",
        f"levels: {', '.join(levels)}",
        f"language: {language}",
        f"licence: {one_line(licence)}",
        f"country: {country}",
    ]
    names = [one_line(a).replace(",", " ") for a in authors if a.strip()]
    if names:
        lines.append(f"authors: {', '.join(names)}")
    if summary.strip():
        lines.append(f"summary: {one_line(summary)}")
    return "\n".join(lines) + "\n"


def with_header(source: str, key: str, value: str) -> str:
    """The course text with one header line set (replaced, or added at the header's end)."""
    line = f"{key}: {one_line(value)}"
    head_end = len(source)
    for match in _HEADER_END.finditer(source):
        head_end = match.start()
        break
    head, body = source[:head_end], source[head_end:]
    found = re.search(rf"^{re.escape(key)}[ \t]*:.*$", head, re.MULTILINE | re.IGNORECASE)
    if found:
        return head[: found.start()] + line + head[found.end() :] + body
    kept = head.rstrip("\n")
    return kept + "\n" + line + (head[len(kept) :] or "\n") + body


def attribution_chain(link: str, earlier: Iterable[str]) -> str:
    """The `attribution` value of an adaptation: the newest link first, then the older ones."""
    return " ; ".join(one_line(part).replace(";", ",") for part in (link, *earlier) if part)


def lesson(title: str, lesson_id: str) -> str:
    """A lesson heading with its explicit id."""
    return f"\n# {one_line(title).replace('{#', '{ #')} {{#{lesson_id}}}\n"


def text_step(text: str, first: bool) -> str:
    """A text step: paragraphs as written, syntax-looking lines escaped; `---` before it
    unless it is the lesson's first step."""
    body = "\n".join(_escaped(line) for line in text.strip().splitlines())
    return ("" if first else "\n---\n") + "\n" + body + "\n"


def quiz() -> str:
    """The quiz heading of the current lesson."""
    return "\n## Quiz\n"


def choice_question(question: str, options: list[str], right: set[int], feedback: str = "") -> str:
    """A single or multiple choice question (`*` right, `-` wrong, `>` feedback)."""
    lines = [f"\n? {one_line(question)}"]
    for index, option in enumerate(options):
        lines.append(("* " if index in right else "- ") + one_line(option))
    if feedback.strip():
        lines.append(f"> {one_line(feedback)}")
    return "\n".join(lines) + "\n"


def _escaped(line: str) -> str:
    """A text line that reads as text, never as syntax."""
    stripped = line.lstrip()
    if (
        stripped.startswith(_SYNTAX_STARTS)
        or _SOUND_LINE.match(stripped)
        or _SHORT_LINE.match(stripped)
        or SKILL_LINE.fullmatch(stripped)
        or REMEDIATION_LINE.fullmatch(stripped)
    ):
        return "\\" + stripped
    return line


def one_line(text: str) -> str:
    """Text on one line (headers, options and questions are single lines)."""
    return " ".join(text.split())


class Unwritable(ValueError):
    """A question our format cannot hold (its type is named in `type`)."""

    def __init__(self, question: Question) -> None:
        super().__init__(question.type.value)
        self.type = question.type
        self.line = question.line


def question(item: Question) -> str:
    """Any question of the model as format text (the reverse of the quiz parser)."""
    from content.kinds import KINDS  # the kinds write with the helpers below

    kind = KINDS.get(item.type)
    if kind is None:
        raise Unwritable(item)
    lines = [f"\n? {kind.stem(item)}"]
    lines += [f"hint: {one_line(h)}" for h in item.hints if h.strip()]
    lines += [f"sms: {one_line(item.short)}"] if item.short.strip() else []
    lines += [f"skill: {', '.join(item.skills)}"] if item.skills else []
    lines += [f"remédiation: {one_line(r)}" for r in item.remediation.splitlines() if r.strip()]
    lines += kind.write(item)
    lines += [f"> {one_line(line)}" for line in item.explanation.splitlines() if line.strip()]
    return "\n".join(lines) + "\n"


def stem_line(item: Question) -> str:
    """The stem on one line."""
    return one_line(item.text) or "?"


def gap_stem_line(item: Question) -> str:
    """A missing word's stem on one line, with its gap."""
    return f"{one_line(item.text)} ___ {one_line(item.text_after)}".strip()


def _weight(points: float) -> str:
    """`50% ` before an answer."""
    return f"{number(points)}% "


def _feedback(text: str) -> list[str]:
    """An option's own feedback, indented under it."""
    return [f"  > {one_line(text)}"] if text.strip() else []


def choice_lines(item: Question) -> list[str]:
    """`* right` and `- wrong` options, with weights and feedback."""
    lines: list[str] = []
    for choice in item.choices:
        weight = "" if choice.weight is None else _weight(choice.weight)
        lines.append(("* " if choice.correct else "- ") + weight + _option(choice.text))
        lines += _feedback(choice.feedback)
    return lines


def _option(text: str) -> str:
    """An option's text: a weight-looking start is kept as text by a 100% weight."""
    one = one_line(text)[:100] or "…"
    return f"100% {one}" if re.match(r"^-?\d+(?:[.,]\d+)?% ", one) else one


def truth_lines(item: Question) -> list[str]:
    """`= vrai` or `= faux`."""
    return ["= vrai" if item.truth else "= faux"]


def answer_lines(item: Question) -> list[str]:
    """Typed answers (`= text`), with weights and feedback."""
    lines: list[str] = []
    for answer in item.text_answers:
        weight = "" if answer.weight == 100 else _weight(answer.weight)
        lines.append(f"= {weight}{one_line(answer.text)}")
        lines += _feedback(answer.feedback)
    return lines


def number_lines(item: Question) -> list[str]:
    """Numbers (`= 12.5`, `= 3 ± 0.5`), with weights and feedback."""
    lines: list[str] = []
    for answer in item.numeric:
        weight = "" if answer.weight == 100 else _weight(answer.weight)
        spread = f" ± {number(answer.tolerance)}" if answer.tolerance else ""
        lines.append(f"= {weight}{number(answer.value)}{spread}")
        lines += _feedback(answer.feedback)
    return lines


def missing_lines(item: Question) -> list[str]:
    """A missing word takes options or typed answers."""
    return choice_lines(item) if item.choices else answer_lines(item)


def pair_lines(item: Question) -> list[str]:
    """`= left -> right` pairs; `= -> right` for a distractor."""
    return [
        f"= {one_line(p.left)} -> {one_line(p.right)}".replace("=  ->", "= ->") for p in item.pairs
    ]


def essay_lines(item: Question) -> list[str]:
    """An essay."""
    return ["essay: yes"]


def description_lines(item: Question) -> list[str]:
    """A description."""
    return ["description: yes"]


def number(value: float) -> str:
    """A number exactly, without `.0` for whole numbers."""
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


def media_line(kind: str, caption: str, path: str) -> str:
    """An image, audio or document line (`![caption](images/x.jpg)`...)."""
    text = one_line(caption).replace("]", ")")
    return {
        "image": f"![{text}]({path})",
        "audio": f"[audio: {text}]({path})",
        "document": f"[document: {text}]({path})",
    }[kind]


def media_step(kind: str, caption: str, path: str, first: bool) -> str:
    """An image, audio or document step; `---` before it unless it is the lesson's first."""
    return ("" if first else "\n---\n") + "\n" + media_line(kind, caption, path) + "\n"


def text_body(text: str) -> str:
    """A text step's lines, syntax-looking lines escaped (no separator)."""
    return "\n".join(_escaped(line) for line in text.strip().splitlines())
