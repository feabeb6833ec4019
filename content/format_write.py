"""Writing our course format: what a teacher builds in the chat becomes the same text a
teacher would write by hand (content/README.md), so it can be checked, exported, edited in a
text editor and uploaded again."""

from __future__ import annotations

from collections.abc import Iterable

# Line starts the parser reads as syntax: a line of text starting so is written with "\".
_SYNTAX_STARTS = ("#", "---", "![", "[", "\\", "<!--", "?", "=", ">", "*", "-", "~")


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
        f"title: {_one_line(title)}",
        f"subject: {subject}",
        f"levels: {', '.join(levels)}",
        f"language: {language}",
        f"licence: {_one_line(licence)}",
        f"country: {country}",
    ]
    names = [_one_line(a).replace(",", " ") for a in authors if a.strip()]
    if names:
        lines.append(f"authors: {', '.join(names)}")
    if summary.strip():
        lines.append(f"summary: {_one_line(summary)}")
    return "\n".join(lines) + "\n"


def lesson(title: str, lesson_id: str) -> str:
    """A lesson heading with its explicit id."""
    return f"\n# {_one_line(title).replace('{#', '{ #')} {{#{lesson_id}}}\n"


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
    lines = [f"\n? {_one_line(question)}"]
    for index, option in enumerate(options):
        lines.append(("* " if index in right else "- ") + _one_line(option))
    if feedback.strip():
        lines.append(f"> {_one_line(feedback)}")
    return "\n".join(lines) + "\n"


def _escaped(line: str) -> str:
    """A text line that reads as text, never as syntax."""
    stripped = line.lstrip()
    if stripped.startswith(_SYNTAX_STARTS):
        return "\\" + stripped
    return line


def _one_line(text: str) -> str:
    """Text on one line (headers, options and questions are single lines)."""
    return " ".join(text.split())
