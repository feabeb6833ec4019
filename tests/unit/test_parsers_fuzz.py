"""Hostile input: random text and mutated real files never crash the parsers.

Every parser may refuse its input, but only with CourseFormatError (a line, a column and a
message for the teacher), never with another exception.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from content.aiken import parse_aiken
from content.errors import CourseFormatError
from content.format import parse_course
from content.gift import export_gift, parse_gift
from tests.conformance import conformance_folder, require_conformance
from tests.fuzz.support import Test, budgeted

ROOT = Path(__file__).resolve().parents[2]
CONFORMANCE = conformance_folder("gift")
GIFT_FILES = sorted(CONFORMANCE.glob("*.gift"))
COURSE_FILES = sorted((ROOT / "content" / "library").glob("*/course.md"))

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def fuzzed(test: Test) -> Test:
    """200 examples, each within the fuzz layer's time budget (a slow input fails)."""
    return budgeted(SETTINGS(test))


# Pieces that mean something to one of the formats, so that mutations hit the grammar.
TOKENS = [
    "{",
    "}",
    "=",
    "~",
    "#",
    "####",
    "::",
    "\\",
    "\\n",
    "%50%",
    "%-100%",
    "->",
    "//",
    "[html]",
    "[markdown]",
    "$CATEGORY:",
    "[id:7]",
    "[tag:x]",
    "{#",
    "..",
    ":",
    "T",
    "FALSE",
    "\n",
    "\n\n",
    " ",
    "A. ",
    "B) ",
    "ANSWER: A",
    "RÉPONSE:",
    "# ",
    "## Quiz\n",
    "? ",
    "* ",
    "- ",
    "= ",
    "> ",
    "---\n",
    "<!--",
    "-->",
    "{#id}",
    "1e400",
    "-0",
    "é",
    "\u200f",
    "\r",
]

text_strategy = st.text(
    alphabet=st.one_of(st.sampled_from("{}=~#:%\\[]\n ->/.*?TF0123456789A"), st.characters()),
    max_size=300,
)


def _assert_only_format_errors(parse: Callable[[str], object], text: str) -> None:
    """Run a parser; any exception but CourseFormatError fails the test, and the error must
    point into the text (line 0 when the whole file is at fault)."""
    try:
        parse(text)
    except CourseFormatError as error:
        lines = len(text.splitlines()) + 1
        assert 0 <= error.line <= lines, (error.line, lines, str(error))
        assert error.column >= 0, str(error)


@st.composite
def mutated(draw: st.DrawFn, original: str) -> str:
    """Apply a few random edits (delete, insert a token, duplicate) to a text."""
    text = original
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, len(text)))
        length = draw(st.integers(0, 40))
        edit = draw(st.sampled_from(["delete", "insert", "duplicate"]))
        if edit == "delete":
            text = text[:at] + text[at + length :]
        elif edit == "insert":
            text = text[:at] + draw(st.sampled_from(TOKENS)) + text[at:]
        else:
            text = text[:at] + text[at : at + length] * 2 + text[at + length :]
    return text


def _course_parser(path: Path) -> Callable[[str], object]:
    """Parse as if the text were this course file (so its media resolve)."""
    return lambda text: parse_course(text, path)


PARSERS = {
    "gift": parse_gift,
    "aiken": parse_aiken,
    "course": _course_parser(COURSE_FILES[0]) if COURSE_FILES else parse_gift,
}


def test_there_are_files_to_mutate() -> None:
    """The conformance folder and the bundled library are there (else fuzzing is hollow)."""
    require_conformance("gift")
    assert COURSE_FILES, "no bundled course.md under content/library/"


@pytest.mark.parametrize("name", sorted(PARSERS))
@fuzzed
@given(text=text_strategy)
def test_random_text(name: str, text: str) -> None:
    """Random text with many control characters: only CourseFormatError."""
    _assert_only_format_errors(PARSERS[name], text)


@pytest.mark.conformance("gift")
@fuzzed
@given(data=st.data())
def test_mutated_gift_files(data: st.DataObject) -> None:
    """Mutated conformance files fed to the GIFT and Aiken parsers."""
    path = data.draw(st.sampled_from(GIFT_FILES))
    text = data.draw(mutated(path.read_text("utf-8")))
    _assert_only_format_errors(parse_gift, text)
    _assert_only_format_errors(parse_aiken, text)


@fuzzed
@given(data=st.data())
def test_mutated_course_files(data: st.DataObject) -> None:
    """Mutated bundled courses fed to all three parsers."""
    path = data.draw(st.sampled_from(COURSE_FILES))
    text = data.draw(mutated(path.read_text("utf-8")))
    _assert_only_format_errors(_course_parser(path), text)
    _assert_only_format_errors(parse_gift, text)
    _assert_only_format_errors(parse_aiken, text)


@pytest.mark.conformance("gift")
@fuzzed
@given(data=st.data())
def test_mutated_gift_that_parses_survives_export(data: st.DataObject) -> None:
    """Whatever GIFT parses, export writes back to the same questions."""
    path = data.draw(st.sampled_from(GIFT_FILES))
    text = data.draw(mutated(path.read_text("utf-8")))
    try:
        questions = parse_gift(text)
    except CourseFormatError:
        return
    assert parse_gift(export_gift(questions)) == questions
