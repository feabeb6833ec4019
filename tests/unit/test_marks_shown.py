"""A typed position is an answer only where the options were shown marked to this person:
decided when the prompt is made, from their channel's capabilities, and kept with it
(dialogs/options.py)."""

from __future__ import annotations

from bot.channels import TELEGRAM, WEB, WHATSAPP, configured
from dialogs.capabilities import TEXT_ONLY
from dialogs.messages import Ask, Option, QuizQuestion
from dialogs.options import MARKS_SHOWN, shows_marks, typed_choice
from tests.unit.test_dialogs_typed_choices import at_quiz, picked


def options(*labels: str, ids: str = "") -> tuple[Option, ...]:
    return tuple(Option(ids[n] if ids else f"o{n}", label) for n, label in enumerate(labels))


NUMBERS = options("3", "4", "9", "16", ids="wxyz")
MENU = (
    Option("courses", "📚 Les cours"),
    Option("progress", "📈 Mes progrès"),
    Option("help", "❓ Aide"),
)


def test_a_mark_is_read_only_where_the_options_were_shown_marked() -> None:
    # Exact label, then normalised label (or the same value), whether marks were shown or not.
    for shown in (False, True):
        assert typed_choice("3", NUMBERS, letters=True, shown=shown) == "w"  # the value 3
        assert typed_choice("neuf", NUMBERS, letters=True, shown=shown) == "y"
        assert typed_choice("mes cours", MENU, shown=shown) == "courses"
    # Then the mark, only where it was shown: elsewhere a "b" or a "2" is text.
    assert typed_choice("b", NUMBERS, letters=True, shown=True) == "x"
    assert typed_choice("b", NUMBERS, letters=True, shown=False) is None
    assert typed_choice("2", MENU, shown=True) == "progress"
    assert typed_choice("2", MENU, shown=False) is None
    assert typed_choice("1", NUMBERS, letters=True, shown=True) is None  # no value 1, no "1"


def test_whether_options_are_shown_marked_follows_what_the_channel_can_do() -> None:
    three = Ask("?", MENU, 1)
    assert [shows_marks(c, three) for c in (TELEGRAM, WHATSAPP, WEB, TEXT_ONLY)] == [
        *(False, False, False),
        True,  # no buttons at all: numbered lines
    ]
    twelve = Ask("?", options(*(f"Ville {n}" for n in range(12))), 1)
    assert [shows_marks(c, twelve) for c in (TELEGRAM, WHATSAPP, WEB)] == [False, True, False]
    many = Ask("?", options(*(f"Ville {n}" for n in range(25))), 1)
    assert shows_marks(WEB, many) and not shows_marks(TELEGRAM, many)
    # A label a button would cut is listed whole after its mark (WhatsApp: 20 characters).
    long = Ask("?", options("Les fractions de tous les jours", "Les nombres"), 1)
    assert shows_marks(WHATSAPP, long) and not shows_marks(TELEGRAM, long)
    # A list row shows 72 characters whole, unless titles cut alike need their marks.
    rows = options(*(f"Leçon {n} : un titre assez long" for n in "ABCD"))
    assert not shows_marks(WHATSAPP, Ask("?", rows, 1))
    alike = options(*(f"Une leçon au titre très long numéro {n}" for n in "ABCD"))
    assert shows_marks(WHATSAPP, Ask("?", alike, 1))


def test_quiz_questions_are_marked_where_they_are_typed() -> None:
    single = QuizQuestion("Combien ?", NUMBERS, 1, extra=(Option("menu", "🏠 Menu"),))
    several = QuizQuestion("Lesquels ?", NUMBERS, 1, multiple=True)
    # Telegram: a poll (votes); WhatsApp: a list (taps); the web: buttons.
    assert [shows_marks(c, single) for c in (TELEGRAM, WHATSAPP, WEB)] == [False] * 3
    # Several answers: a poll, lettered text, ticked boxes.
    assert [shows_marks(c, several) for c in (TELEGRAM, WHATSAPP, WEB)] == [False, True, False]
    # Telegram without polls (TELEGRAM_NATIVE_POLLS=0), or a question no poll takes.
    assert shows_marks(configured(native_polls=False)("telegram"), several)
    assert not shows_marks(configured(native_polls=False)("telegram"), single)  # buttons
    wordy = QuizQuestion("Lesquels ?", options("x" * 101, "y"), 1, multiple=True)
    assert shows_marks(TELEGRAM, wordy)


async def test_a_letter_typed_where_buttons_were_shown_is_text() -> None:
    learner = await at_quiz()  # "Combien font les 3/4 de 12 mangues ?" 3, 4, 9, 16
    learner.caps = TELEGRAM
    await learner.resume()  # the question asked again, now as buttons
    assert MARKS_SHOWN not in learner.state.data
    assert "Je n'ai pas compris" in learner.texts(await learner.send("c"))
    assert picked(learner) == []
    assert "Bonne réponse" in learner.texts(await learner.send("9"))
    assert picked(learner) == [("q1", "c", True)]


async def test_several_answers_typed_as_letters_where_they_were_lettered() -> None:
    for caps, read in ((WHATSAPP, True), (WEB, False), (TEXT_ONLY, True)):
        learner = await at_quiz()
        learner.caps = caps
        await learner.send("9")  # then "Quelles fractions sont égales à 1/2 ?" 2/4 3/6 2/3 1/4
        assert (learner.state.data.get(MARKS_SHOWN) == learner.state.prompt) is read
        reply = learner.texts(await learner.send("a b"))
        assert ("Bonne réponse" in reply) is read, caps
        if not read:
            assert "Bonne réponse" in learner.texts(await learner.send("2/4 et 3/6"))


async def test_what_was_shown_is_kept_with_its_prompt_only() -> None:
    learner = await at_quiz()  # text only: lettered
    assert learner.state.data[MARKS_SHOWN] == learner.state.prompt
    learner.caps = WEB
    await learner.send("9")  # the next question is shown as buttons on the web
    assert MARKS_SHOWN not in learner.state.data
    learner.state.data[MARKS_SHOWN] = learner.state.prompt - 1  # an older prompt's
    assert "Bonne réponse" not in learner.texts(await learner.send("a b"))
