"""The worst inputs we can build, fed to every parser and matcher of what a person typed or
uploaded, under a time budget: none of them may hold the event loop (issue 14).

Regular expressions with overlapping quantifiers backtrack: a teacher's wildcard answer
`*a*a*a*b` against a 200-character answer took over a minute, a course heading made of `{#`
17 s for 58 KB. Each input below repeats what its parser's patterns repeat, as long as a
person can send it (typed text is cut at 2,000 characters, dialogs/engine.py; we feed 10,000)
or upload it (a course file may weigh 512 KB; we feed 100,000 characters). The budget is
generous: the linear code takes milliseconds, the old code seconds to minutes.

The scanners that replaced expressions are also checked against those expressions on small
inputs, where backtracking costs nothing: same answers, so normal files read as before.
"""

from __future__ import annotations

import contextlib
import re
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.i18n import I18n
from bot.storage.moderation import LINK, listed_word, load_words
from content.aiken import parse_aiken
from content.errors import CourseFormatError
from content.format import parse_course, split_heading
from content.format_edit import lesson_titles, steps
from content.format_quiz import numeric_answer
from content.gift import _bracketed, parse_gift
from content.grading import _wildcard_matches, grade_short, parse_number
from content.library import Library
from content.model import Question, QuestionType
from content.normalize import fold, slugify
from content.text import _WORDS, split_text
from dialogs.flows import build_dialogs
from dialogs.flows.authoring import _LESSON_HEADING
from dialogs.lines import items
from dialogs.reminding import parse_time
from dialogs.rubric import _criterion, parse_rubric
from dialogs.when import parse_when, zone_of
from tests.driver import Learner
from tests.unit.test_dialogs_journey import onboard, walk_to_first_quiz

BUDGET = 2.0  # seconds for one input; linear code takes milliseconds
TYPED = 10_000  # characters: five times what a step ever sees of a typed message
UPLOAD = 100_000  # characters of an uploaded file

HEADER = "id: essai\ntitle: Essai\nsubject: mathematiques\nlevels: CM1\nlanguage: fr\n"
LESSON = HEADER + "# Leçon {#lecon}\nDu texte.\n"
QUIZ = LESSON + "## Quiz\n"


def _run(parse: Callable[[str], object], text: str) -> None:
    """Parse text, a refusal being as good as a result."""
    with contextlib.suppress(CourseFormatError, IndexError, ValueError):
        parse(text)


def _course(text: str) -> object:
    return parse_course(text, Path("/nonexistent/course.md"))


def _short(*accepted: str) -> Callable[[str], object]:
    question = Question("q", QuestionType.SHORT, "?", accepted=accepted)
    return lambda text: grade_short(question, text)


def _when(text: str) -> object:
    return parse_when(text, datetime(2026, 12, 7, tzinfo=UTC), zone_of("SN"))


def _split(text: str) -> object:
    return split_text(text, 4096)


WORDS = load_words()

# name: (parser, worst input). The name says what repeats.
CASES: dict[str, tuple[Callable[[str], object], str]] = {
    # Wildcard answers: every `*` was `\s*.*\s*`, nested backtracking of degree the stars.
    "wildcard *a*a*a*b, answer of a's": (_short("*a*a*a*b"), "a" * TYPED),
    "wildcard of 40 stars, answer of a's": (_short("*a" * 40 + "*b"), "a" * TYPED),
    "wildcard, answer of a's and spaces": (_short("*a *a *a *b"), "a " * (TYPED // 2)),
    "wildcard prefix and suffix": (_short("a*a*a*a"), "a" * TYPED),
    "typed answer against a long accepted one": (_short("ab" * 100), "ab" * (TYPED // 2)),
    "typed number, spaces": (parse_number, " " * TYPED + "x"),
    "typed number, thousands": (parse_number, "1" + " 000" * (TYPED // 4) + "x"),
    "typed number, digits": (parse_number, "1" * TYPED + "/"),
    # Course files: headings with `{#` were `(.*?)[ \t]*(?:\{#[^}]*\})?$`.
    "lesson heading of {#": (_course, HEADER + "# " + "{#" * (UPLOAD // 2)),
    "lesson heading of {#, closed": (_course, HEADER + "# a" + "{#" * (UPLOAD // 2) + "}"),
    "module heading of {#": (_course, HEADER + "# module: " + "{#" * (UPLOAD // 2)),
    "lesson heading, spaces inside": (_course, HEADER + "# a" + " " * UPLOAD + "b"),
    "lesson heading, tabs inside": (_course, HEADER + "# a" + "\t" * UPLOAD + "b"),
    "lesson of blank lines": (_course, LESSON + "\n" * UPLOAD + "x"),
    "lesson of spaces and blank lines": (_course, LESSON + " \n" * (UPLOAD // 2) + "x"),
    "lesson of one long line": (_course, LESSON + "a " * (UPLOAD // 2)),
    "header of unknown keys": (_course, "a:1\n" * (UPLOAD // 4)),
    "header key, spaces": (_course, "title" + " " * UPLOAD + "x"),
    "images without an end": (_course, LESSON + "![" * (UPLOAD // 2)),
    "audio without an end": (_course, LESSON + "[audio:" + "[" * UPLOAD),
    "video without an end": (_course, LESSON + "[video:" + "](" * (UPLOAD // 2)),
    "quiz of markers": (_course, QUIZ + "? q\n" + "= " * (UPLOAD // 2)),
    "numeric answer of thousands": (_course, QUIZ + "? q\n= 1" + " 000" * (UPLOAD // 4) + "x"),
    "numeric range of spaces": (_course, QUIZ + "? q\n= 1" + " " * UPLOAD + ".. x"),
    "numeric answer alone, thousands": (numeric_answer, "1" + " 000" * (UPLOAD // 4) + " ± x"),
    "quiz weights": (_course, QUIZ + "? q\n= " + "%" * UPLOAD),
    "quiz of gaps": (_course, QUIZ + "? " + "_" * UPLOAD),
    "comment never closed": (_course, LESSON + "<!--" * (UPLOAD // 4)),
    # Editing a course text step by step.
    "edited heading of {#": (lesson_titles, "# " + "{#" * (UPLOAD // 2)),
    "edited heading, spaces inside": (lesson_titles, "# a" + " " * UPLOAD + "b"),
    "edited lesson of blank lines": (lambda text: steps(text, 0), "# a\n" + "\n" * UPLOAD),
    "ids of a written course, {#a": (_LESSON_HEADING.findall, "# " + "{#a" * (UPLOAD // 3)),
    "ids of a written course, long id": (_LESSON_HEADING.findall, "# {#" + "a" * UPLOAD),
    # GIFT: ids and tags in comments were `\[id:([^\x00-\x1F\x7F]+?)\]`.
    "gift comment of [id:": (parse_gift, "// " + "[id:" * (UPLOAD // 4)),
    "gift comment of [tag:": (parse_gift, "// " + "[tag:" * (UPLOAD // 5)),
    "gift comment of [id: and controls": (parse_gift, "// " + "[id:\x01" * (UPLOAD // 5) + "]"),
    "gift answers of brackets": (parse_gift, "q {" + "]" * UPLOAD + "}"),
    "gift answers of ::": (parse_gift, "q {" + "::" * (UPLOAD // 2) + "}"),
    "gift answers of backslashes": (parse_gift, "q {" + "\\" * UPLOAD + "}"),
    "gift answers of choices": (parse_gift, "q {" + "~" * UPLOAD + "}"),
    "gift answers of weights": (parse_gift, "q {=" + "%" * UPLOAD + "}"),
    "gift numeric of spaces": (parse_gift, "q {#" + " " * UPLOAD + "}"),
    "gift titles": (parse_gift, "::" * (UPLOAD // 2)),
    "gift categories": (parse_gift, "$CATEGORY:" * (UPLOAD // 10)),
    "gift unclosed braces": (parse_gift, "q {" * (UPLOAD // 3)),
    "gift matching": (parse_gift, "q {=a -> " + "->" * (UPLOAD // 2) + "}"),
    "aiken option of spaces": (parse_aiken, "Q\nA." + " " * UPLOAD + "\nANSWER: A"),
    "aiken answer of spaces": (parse_aiken, "Q\nA. a\nB. b\nANSWER" + " " * UPLOAD + "x"),
    # Typed in dialogs.
    "rubric name then spaces": (parse_rubric, "a" + " " * TYPED + "x"),
    "rubric name then tabs": (parse_rubric, "a" + "\t" * TYPED + "x"),
    "rubric spaces around a separator": (parse_rubric, "a" + " " * TYPED + ":" + " " * TYPED),
    "rubric digits": (parse_rubric, "a" + "1" * TYPED + "x"),
    "list of spaces around dashes": (items, "a" + " - " * TYPED + "\t-" * TYPED),
    "list of digits and commas": (items, "1,1/" * TYPED),
    "list of separators": (items, ";/,- " * TYPED),
    "date and time of spaces": (_when, "01/12" + " " * TYPED + "x"),
    "date and time of digits": (_when, "1" * TYPED),
    "reminder time of spaces": (parse_time, "1" + " " * TYPED + "x"),
    "folded answer": (fold, "é" * TYPED),
    "slug": (slugify, "a " * TYPED),
    # Moderation of circle posts and outgoing text cut into messages.
    "link in a post of a-": (LINK.search, "a-" * TYPED),
    "link in a post of dots": (LINK.search, "a." * TYPED),
    "listed word in a post": (lambda text: listed_word(text, WORDS), "a " * TYPED),
    "text to split, spaces before !": (_split, "a" + " " * UPLOAD + "!"),
    "text to split, after «": (_split, "«" + " " * UPLOAD + "!"),
    "text to split, words": (_split, "a " * UPLOAD),
    "text to split, short lines": (_split, "a\n \n" * UPLOAD),
}


@pytest.mark.parametrize("name", list(CASES))
def test_worst_input_within_budget(name: str) -> None:
    parse, text = CASES[name]
    started = time.perf_counter()
    _run(parse, text)
    took = time.perf_counter() - started
    assert took < BUDGET, f"{name}: {took:.1f} s for {len(text):,} characters"


WILDCARD_COURSE = """\
id: motifs
title: Les motifs
subject: francais
levels: CM2
language: fr

# Les mots {#mots}

Un mot peut en cacher un autre.

## Quiz

? Écris un mot qui a trois a et finit par b.
= *a*a*a*b
"""


async def test_a_long_answer_to_a_wildcard_question_is_graded_at_once() -> None:
    # The case: a learner's answer froze the event loop for everyone.
    course = parse_course(WILDCARD_COURSE, Path("motifs/course.md"))
    learner = Learner(build_dialogs(), I18n(), Library([course]))
    await onboard(learner)
    await walk_to_first_quiz(learner)
    started = time.perf_counter()
    replies = await learner.send("a" * TYPED)
    assert time.perf_counter() - started < BUDGET
    assert "pas encore" in learner.texts(replies)  # wrong, and asked again
    started = time.perf_counter()
    replies = await learner.send("Banana, Cab !" + " " * TYPED)
    assert time.perf_counter() - started < BUDGET
    assert "pas encore" not in learner.texts(replies), learner.texts(replies)


# --- the scanners answer as the expressions they replaced --------------------------------

OLD_WILDCARD_JOIN = r"\s*.*\s*"
OLD_LESSON_TITLE = re.compile(r"(?P<title>.*?)[ \t]*(?:\{#(?P<id>[^}]*)\})?$")
OLD_EDIT_ID = re.compile(r"[ \t]*\{#[^}]*\}[ \t]*$")
OLD_RUBRIC_LINE = re.compile(r"^(?P<name>.+?)\s*[:=-]?\s*(?P<weight>\d{1,3})\s*%?$")
OLD_ID = re.compile(r"\[id:([^\x00-\x1F\x7F]+?)\]")
OLD_TAG = re.compile(r"\[tag:([^\x00-\x1F\x7F]+?)\]")
OLD_WORDS = re.compile(r"(?<!«)\s+(?![!?;:»\s])")
OLD_LINK = re.compile(r"(https?://|www\.|\b[\w-]+\.(com|org|net|info|io|me|ly|xyz|africa)\b)", re.I)
OLD_LESSON = re.compile(r"^#[ \t]+(?![ \t]|module[ \t]*:)", re.IGNORECASE)  # as fixed

SAME = settings(max_examples=200, deadline=None, derandomize=True)


def texts(*pieces: str, size: int = 12) -> st.SearchStrategy[str]:
    """Short texts made of pieces that mean something to the pattern at hand."""
    return st.lists(st.sampled_from(pieces), max_size=size).map("".join)


@SAME
@given(texts("*", "a", "b", "ab", " ", "é", "-", size=6), texts("a", "b", " ", "ba", size=10))
def test_wildcards_match_as_the_expression_did(pattern: str, answer: str) -> None:
    pattern += "*"
    given_ = fold(answer)
    parts = [fold(part) for part in pattern.split("*")]
    old = re.fullmatch(OLD_WILDCARD_JOIN.join(re.escape(p) for p in parts), given_) is not None
    assert _wildcard_matches(pattern, given_) == old


@SAME
@given(texts("{#", "{", "}", "#", "a", " ", "\t", "é"))
def test_headings_split_as_the_expression_did(heading: str) -> None:
    heading = heading.strip()
    match = OLD_LESSON_TITLE.fullmatch(heading)
    assert match is not None
    assert split_heading(heading) == (match["title"].strip(), match["id"])


@SAME
@given(texts("{#", "{", "}", "#", "a", " ", "\t", "\r", "module:", "# "))
def test_edited_titles_read_as_the_expression_did(line: str) -> None:
    line = "# " + line
    old = [OLD_EDIT_ID.sub("", OLD_LESSON.sub("", line)).strip()] if OLD_LESSON.match(line) else []
    assert lesson_titles(line) == old


@SAME
@given(texts("a", " ", "\t", ":", "=", "-", "1", "0", "٣", "%", " %", "é", size=10))
def test_rubric_lines_read_as_the_expression_did(line: str) -> None:
    line = line.strip()
    match = OLD_RUBRIC_LINE.match(line)
    assert _criterion(line) == (None if match is None else (match["name"], int(match["weight"])))


@SAME
@given(texts("[id:", "[tag:", "]", "[", "a", " ", "\x01", "\x7f", "i", size=14))
def test_gift_ids_and_tags_read_as_the_expressions_did(comment: str) -> None:
    assert _bracketed(comment, "[id:") == OLD_ID.findall(comment)
    assert _bracketed(comment, "[tag:") == OLD_TAG.findall(comment)


@SAME
@given(texts(" ", "\n", "\t", "«", "»", "!", "?", ":", "a", ".", size=14))
def test_words_cut_where_the_expression_cut(text: str) -> None:
    assert [m.span() for m in _WORDS.finditer(text)] == [m.span() for m in OLD_WORDS.finditer(text)]


@SAME
@given(texts("a", "-", ".", "com", " ", "é", "_", "www.", "http://", ".io", "x", "1", size=10))
def test_links_found_where_the_expression_found_them(text: str) -> None:
    assert (LINK.search(text) is None) == (OLD_LINK.search(text) is None)
