"""Understanding a learner's choice, whether tapped or typed; the marks options are listed with.

One rule for typed text against the options of any prompt (menus, pickers, quiz questions,
review), in this order:

1. the exact label, case and spaces aside: "Français", "3/4";
2. the normalised label: accents, punctuation, emoji and a printed "1. " aside ("francais",
   "les cours"); then the same number, when labels are numbers ("trois quarts" is "3/4",
   "douze" is "12", "6" is "6e"); then the words of exactly one label ("cours", "mes cours",
   "progrès" for "📚 Les cours", "📈 Mes progrès"), when they are half of it or more;
3. the option's mark, its position as `marks` writes it, **only where this person was shown
   the options marked**: a typed "b" where the options were buttons is text, not the 2nd.

Tapped options, polls and ticked boxes arrive as ids and are never read from text; an id is
never matched against typed text (ids are internal and may look like numbers).

Shown marked. Whether a prompt's options reach a person as marked lines of text is decided
when the prompt is made, from what their channel can do (`shows_marks(ctx.caps, message)`:
no buttons at all, more options than buttons and list rows, a label longer than a button
shows whole, several answers where nothing can be ticked), and kept with the prompt in the
dialog's state (`keep_marks`, called by the engine after each turn; `marks_shown(ctx)` reads
it). Each channel's rendering asks the same function, so what is accepted is what was shown:
WhatsApp's numbered text (more than ten options) and its full labels after their marks (a
label cut to fit), the lettered lines of several answers on WhatsApp and Telegram (when no
poll fits), the web chat's buttons beyond twenty. Where marks are shown, the buttons carry
them too ("a) 9"), so that a typed mark is invited everywhere it is read.

Marks. `marks(options, letters)` is the one place that says how options are marked: 1, 2,
3... or a, b, c... Letters for quiz questions (the quiz's hint and the booklet say "a c") and
for every list where a label reads as a number, so that with options 3 / 4 / 9 / 16 a typed
`3` is the value 3, never the third option; numbers elsewhere.
"""

from __future__ import annotations

import re
import unicodedata
from string import ascii_lowercase

from content.grading import exact_number
from content.normalize import fold
from content.number_words import fraction_parts

from dialogs.capabilities import Capabilities
from dialogs.context import Context
from dialogs.events import Incoming, OptionChosen, TextReceived
from dialogs.messages import Ask, Option, Out, QuizQuestion

PRINTED_MARK = re.compile(r"^\s*(?:\d+|[a-z])[.)]\s+")  # "1. ", "b) " before a label
PRINTED_NUMBER = re.compile(r"^(\d+)[.)]\s")  # "4. La fièvre": the lesson's number
LEADING_NUMBER = re.compile(r"^(\d+)(?:[a-z]{1,3})?$")  # "6e", "1re", "2nde": a rank
# Words that tell no menu entry from another: "les cours", "mes cours", "my progress".
COMMON_WORDS = frozenset(
    {
        *("le", "la", "les", "l", "un", "une", "des", "de", "du", "d", "a", "au", "aux"),
        *("mon", "ma", "mes", "ton", "ta", "tes", "son", "sa", "ses", "votre", "vos"),
        *("notre", "nos", "et", "ou", "en", "the", "my", "your", "our", "an", "of", "to"),
        "and",
    }
)


def strip_markers(label: str) -> str:
    """Drop emoji, symbols and a printed mark from a label: "📚 Les cours" -> "Les cours"."""
    kept = "".join(c for c in label if unicodedata.category(c)[0] in "LNZP" or c in "'-")
    return PRINTED_MARK.sub("", kept.strip()).strip()


def label_number(label: str) -> float | None:
    """The number a label reads as ("16", "3/4", "douze", "6e", "4. La fièvre"), or None."""
    kept = "".join(c for c in label if unicodedata.category(c)[0] in "LNZP" or c in "'-")
    printed = PRINTED_NUMBER.match(kept.strip())
    if printed:
        return float(printed[1])
    bare = strip_markers(label)
    value = exact_number(bare)
    if value is not None:
        return value
    rank = LEADING_NUMBER.match(fold(bare).replace(" ", ""))
    return float(rank[1]) if rank else None


def numeric_labels(options: tuple[Option, ...]) -> bool:
    """Whether an option's label reads as a number or starts with one (then marks are letters)."""
    return any(label_number(o.label) is not None or fold(o.label)[:1].isdigit() for o in options)


def marks(options: tuple[Option, ...], letters: bool = False) -> tuple[str, ...]:
    """How each option is marked when options are listed as text: 1, 2... or a, b..."""
    if (letters or numeric_labels(options)) and len(options) <= len(ascii_lowercase):
        return tuple(ascii_lowercase[: len(options)])
    return tuple(str(i) for i in range(1, len(options) + 1))


def marked(options: tuple[Option, ...], letters: bool = False) -> list[str]:
    """The options as lines of text, each after its mark: "1. Français" or "c) 9"."""
    signs = marks(options, letters)
    separator = ")" if signs and signs[0] == "a" else "."
    return [f"{sign}{separator} {o.label}" for sign, o in zip(signs, options, strict=True)]


LIST_ROWS = 10  # the rows of a list behind one button (`Capabilities.list_menus`)
MARKS_SHOWN = "marks_shown"  # in the dialog's state: the prompt whose options were marked


def shows_marks(caps: Capabilities, message: Ask | QuizQuestion) -> bool:
    """Whether this prompt's options reach a person on a channel that can do `caps` as marked
    lines of text (1, 2... or a, b...), which invites typing a mark."""
    if isinstance(message, Ask):
        return listed(caps, message.options)
    if fits_poll(caps, message):
        return False
    if message.multiple:
        return not caps.tick_boxes
    return listed(caps, message.options + message.extra)


def listed(caps: Capabilities, options: tuple[Option, ...]) -> bool:
    """Whether options to tap reach the person as marked text: no buttons, too many of them,
    or a label they would cut (and list whole, after its mark)."""
    if not options:
        return False
    if len(options) <= caps.buttons:
        return _longer(options, caps.button_label)
    if caps.list_menus and len(options) <= LIST_ROWS:
        if _longer(options, caps.list_label):
            return True
        titles = [cut(o.label, caps.list_title) if caps.list_title else o.label for o in options]
        return len(set(titles)) < len(titles)  # titles cut the same: told apart by their marks
    return True


def fits_poll(caps: Capabilities, question: QuizQuestion) -> bool:
    """Whether the channel asks this question as a native poll (its options are votes)."""
    return (
        caps.native_quiz
        and 2 <= len(question.options) <= caps.poll_options
        and len(question.text) <= caps.poll_question
        and not _longer(question.options, caps.poll_label)
    )


def _longer(options: tuple[Option, ...], limit: int) -> bool:
    """Whether a label is longer than `limit` (0: no limit)."""
    return bool(limit) and any(len(o.label) > limit for o in options)


def cut(text: str, limit: int) -> str:
    """Text within `limit` characters, ending with "…" when it was cut."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def keep_marks(ctx: Context, messages: list[Out]) -> None:
    """Remember with the current prompt whether its options were shown marked (the engine
    calls this after each turn, with the turn's messages)."""
    for message in reversed(messages):
        if isinstance(message, Ask | QuizQuestion) and message.prompt == ctx.state.prompt:
            if shows_marks(ctx.caps, message):
                ctx.state.data[MARKS_SHOWN] = message.prompt
            else:
                ctx.state.data.pop(MARKS_SHOWN, None)
            return


def marks_shown(ctx: Context) -> bool:
    """Whether the options of the prompt the person answers were shown to them marked."""
    return bool(ctx.state.data.get(MARKS_SHOWN) == ctx.state.prompt)


def choose(
    ctx: Context, event: Incoming, options: tuple[Option, ...], letters: bool = False
) -> str | None:
    """Return the id of the option the event picks, or None if it picks none.

    `letters`: the options are a quiz question's, marked a, b, c (see the module's rule); a
    typed mark counts only where the person was shown the options marked.
    """
    if isinstance(event, OptionChosen):
        return event.option_id if any(o.id == event.option_id for o in options) else None
    if isinstance(event, TextReceived):
        return typed_choice(event.text, options, letters, shown=marks_shown(ctx))
    return None


def typed_choice(
    text: str, options: tuple[Option, ...], letters: bool = False, shown: bool = False
) -> str | None:
    """Map "Français", "francais", "trois quarts", "cours" or, where the options were `shown`
    marked, a mark ("2", "b") to an id."""
    exact = " ".join(text.casefold().split())
    for option in options:
        if exact and exact == " ".join(option.label.casefold().split()):
            return option.id
    typed = fold(text)
    if not typed:
        return None
    for option in options:
        if typed in (fold(option.label), fold(strip_markers(option.label))):
            return option.id
    if (by_value := _same_number(text, options)) is not None:
        return by_value
    if (by_words := _by_words(typed, options)) is not None:
        return by_words
    if not shown:
        return None
    signs = marks(options, letters)
    bare = typed.rstrip(").")
    return next((o.id for sign, o in zip(signs, options, strict=True) if sign == bare), None)


# Words before a number that say nothing of it: "le 5", "c'est 9", "la réponse est neuf".
FILLER_WORDS = frozenset({"c", "ce", "est", "cest", "reponse", "it", "is", "its", "answer"})


def _bare_number(text: str) -> str:
    """The text without the common and filler words said before a number ("le 5" -> "5")."""
    words = re.split(r"[\s'’]+", text.strip())
    kept = [w for w in words if fold(w) not in COMMON_WORDS | FILLER_WORDS]
    return " ".join(kept) if kept and len(kept) < len(words) else text


def _same_number(text: str, options: tuple[Option, ...]) -> str | None:
    """The one option whose label is the number typed ("douze" for "12", "le 5"), if any."""
    value = exact_number(text)
    if value is None:
        text = _bare_number(text)
        value = exact_number(text)
    if value is None:
        return None
    found = [o for o in options if (n := label_number(o.label)) is not None and n == value]
    if len(found) > 1:  # "deux quarts" is 2/4, not 3/6: the same fraction, written the same way
        parts = fraction_parts(text)
        found = [o for o in found if parts and fraction_parts(strip_markers(o.label)) == parts]
    return found[0].id if len(found) == 1 else None


def _by_words(typed: str, options: tuple[Option, ...]) -> str | None:
    """The one option whose label holds every meaningful word typed, and those words are at
    least half of its own ("mes cours" -> "Les cours"; "jardin" is no title's name)."""
    wanted = set(typed.split()) - COMMON_WORDS
    if not wanted or any(word.isdigit() for word in wanted):
        return None
    found = []
    for option in options:
        words = set(fold(strip_markers(option.label)).split()) - COMMON_WORDS
        if wanted <= words and 2 * len(wanted) >= len(words):  # most of a short label
            found.append(option.id)
    if len(found) == 1:
        return found[0]
    return None if found else _by_start(typed, options)


def _by_start(typed: str, options: tuple[Option, ...]) -> str | None:
    """The one option whose label starts with the words typed, of three letters or more:
    "oui" for "Oui, il est pair" beside "Non, il est impair" (a teacher's own options)."""
    if len(typed) < 3:
        return None
    found = [o.id for o in options if f"{fold(strip_markers(o.label))} ".startswith(f"{typed} ")]
    return found[0] if len(found) == 1 else None


def numbered(options: tuple[Option, ...]) -> str:
    """Options as a marked text list, for a reminder of what can be typed."""
    return "\n".join(marked(tuple(Option(o.id, strip_markers(o.label)) for o in options)))
