"""Editing a course text step by step: the lessons of a course file, the steps of one lesson,
and one step replaced, moved up or deleted; the quiz and everything else stay as written.

These work on the text, not on the model, so that what the teacher wrote (comments, escapes,
line breaks) survives; the caller parses the result before keeping it.
"""

from __future__ import annotations

import re

from content.format import split_heading

# The spaces are taken whole: backtracking to fewer would find "module" no longer next.
_LESSON = re.compile(r"^#[ \t]+(?![ \t]|module[ \t]*:)", re.IGNORECASE)
_HEADING = re.compile(r"^#[ \t]+")
_QUIZ = re.compile(r"^##[ \t]+quiz[ \t]*$", re.IGNORECASE)
_SEPARATOR = re.compile(r"^[ \t]*-{3,}[ \t]*$")
_MEDIA = re.compile(r"^[ \t]*(!\[|\[(audio|document|vid[eé]o)\b)", re.IGNORECASE)
# `audio: audio/x.ogg` inside a text step: its recording (content/format_lesson.py).
_ATTACHED = re.compile(r"^[ \t]*audio[ \t]*:", re.IGNORECASE)
# `skill: CM1-NUM-3` in a lesson's text tags the lesson (content/skills.py): no step's text.
_SKILLS = re.compile(r"^[ \t]*(skills?|comp[ée]tences?)[ \t]*:", re.IGNORECASE)


def lesson_count(source: str) -> int:
    """How many lessons the text holds (module headings are not lessons)."""
    return sum(1 for line in source.split("\n") if _LESSON.match(line))


def lesson_titles(source: str) -> list[str]:
    """The lessons' titles, as their headings say (without an explicit `{#id}`)."""
    return [
        split_heading(_LESSON.sub("", line).rstrip(" \t"))[0]
        for line in source.split("\n")
        if _LESSON.match(line)
    ]


def _span(lines: list[str], number: int) -> tuple[int, int, int]:
    """Lesson `number` (0-based): its heading's index, where its quiz starts, where it ends."""
    starts = [i for i, line in enumerate(lines) if _LESSON.match(line)]
    if not 0 <= number < len(starts):
        raise IndexError(f"no lesson {number}")
    start = starts[number]
    end = next((i for i in range(start + 1, len(lines)) if _HEADING.match(lines[i])), len(lines))
    quiz = next((i for i in range(start + 1, end) if _QUIZ.match(lines[i])), end)
    return start, quiz, end


def _chunks(body: list[str]) -> list[list[str]]:
    """The steps of a lesson body: cut at `---` lines and around media lines."""
    chunks: list[list[str]] = [[]]
    for line in body:
        if _SKILLS.match(line):
            continue  # the lesson's, kept under its heading by _rewrite
        if _SEPARATOR.match(line):
            chunks.append([])
        elif _MEDIA.match(line):
            chunks += [[line], []]
        else:
            chunks[-1].append(line)
    trimmed = [_trim(chunk) for chunk in chunks]
    return [chunk for chunk in trimmed if chunk]


def _trim(chunk: list[str]) -> list[str]:
    """A step's lines without the blank lines around them (indices, not a slice per line:
    a lesson of 100,000 blank lines took minutes)."""
    start, end = 0, len(chunk)
    while start < end and not chunk[start].strip():
        start += 1
    while end > start and not chunk[end - 1].strip():
        end -= 1
    return chunk[start:end]


def steps(source: str, number: int) -> list[str]:
    """The text of each step of lesson `number` (0-based), as written."""
    lines = source.split("\n")
    start, quiz, _ = _span(lines, number)
    return ["\n".join(chunk) for chunk in _chunks(lines[start + 1 : quiz])]


def _rewrite(source: str, number: int, chunks: list[list[str]]) -> str:
    """The text with lesson `number`'s steps replaced by `chunks`."""
    lines = source.split("\n")
    start, quiz, end = _span(lines, number)
    tags = [line.strip() for line in lines[start + 1 : quiz] if _SKILLS.match(line)]
    body: list[str] = [""] + tags + ([""] if tags else [])
    for index, chunk in enumerate(chunks):
        body += (["---", ""] if index else []) + chunk + [""]
    tail = lines[quiz:end]
    if tail and tail[-1].strip() and end < len(lines):
        tail.append("")
    return "\n".join(lines[: start + 1] + body + tail + lines[end:])


def _edited(source: str, number: int, index: int) -> list[list[str]]:
    """The steps of a lesson, checking that step `index` exists."""
    lines = source.split("\n")
    start, quiz, _ = _span(lines, number)
    chunks = _chunks(lines[start + 1 : quiz])
    if not 0 <= index < len(chunks):
        raise IndexError(f"no step {index}")
    return chunks


def replace_step(source: str, number: int, index: int, text: str) -> str:
    """Step `index` of lesson `number` becomes `text` (format text: a step or a media line).

    A text replacing a text keeps the old step's recording (its `audio:` line, where it was
    written: before or after the text) unless the new text brings its own; a media line
    replacing it does not (a recording goes with a text).
    """
    chunks = _edited(source, number, index)
    new = _trim(text.split("\n"))
    old = chunks[index]
    sound = [line for line in old if _ATTACHED.match(line)]
    media = len(new) == 1 and _MEDIA.match(new[0]) is not None
    if sound and new and not media and not any(_ATTACHED.match(line) for line in new):
        new = sound + new if _ATTACHED.match(old[0]) else new + sound
    chunks[index] = new
    return _rewrite(source, number, chunks)


def is_recording(line: str) -> bool:
    """Whether a line of a step (as `steps` gives it) is the step's `audio:` recording."""
    return _ATTACHED.match(line) is not None


def move_up(source: str, number: int, index: int) -> str:
    """Step `index` changes place with the one before it (the first one stays)."""
    chunks = _edited(source, number, index)
    if index:
        chunks[index - 1], chunks[index] = chunks[index], chunks[index - 1]
    return _rewrite(source, number, chunks)


def delete_step(source: str, number: int, index: int) -> str:
    """Step `index` of lesson `number` removed."""
    chunks = _edited(source, number, index)
    del chunks[index]
    return _rewrite(source, number, chunks)


def add_questions(source: str, questions: str) -> str:
    """Questions (format text) at the end of the last lesson's quiz, opened if need be."""
    lines = source.rstrip("\n").split("\n")
    count = lesson_count(source)
    if not count:
        raise IndexError("no lesson")
    _, quiz, end = _span(lines, count - 1)
    opened = "" if quiz < end else "\n## Quiz\n"
    return "\n".join(lines) + "\n" + opened + questions
