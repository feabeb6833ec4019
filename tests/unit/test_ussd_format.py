"""The USSD adapter: the aggregators' fields, CON/END, the newest input, 160-char pages."""

from __future__ import annotations

from urllib.parse import urlencode

from bot.channels import USSD
from bot.i18n import I18n
from bot.ussd.formats import AfricasTalking, Dial, newest
from bot.ussd.screens import pages, plain, screens_of
from dialogs.capabilities import fitting
from dialogs.messages import Ask, Option, Say

AT = AfricasTalking()
FORM = "application/x-www-form-urlencoded"
FR = I18n().translator("fr")


def test_a_callback_is_parsed_with_the_phone_as_digits() -> None:
    fields = {
        "sessionId": "ATUid_1",
        "serviceCode": "*384*123#",
        "phoneNumber": "+221 77 000 00 01",
        "text": "1*2",
    }
    body = urlencode(fields).encode()
    assert AT.parse(body, FORM) == Dial("ATUid_1", "*384*123#", "221770000001", "1*2")


def test_a_callback_without_session_phone_or_text_is_not_one() -> None:
    full = {"sessionId": "s", "serviceCode": "*1#", "phoneNumber": "+2217", "text": ""}
    for missing in ("sessionId", "phoneNumber", "text"):
        fields = {k: v for k, v in full.items() if k != missing}
        assert AT.parse(urlencode(fields).encode(), FORM) is None, missing
    assert AT.parse(urlencode({**full, "sessionId": "s" * 201}).encode(), FORM) is None
    assert AT.parse(b"sessionId=\xff&text=", FORM) is None, "not UTF-8"


def test_answers_are_con_or_end_in_plain_text() -> None:
    going = AT.answer("Menu\n1. Cours", end=False)
    assert going.text == "CON Menu\n1. Cours"
    assert going.content_type == "text/plain"
    assert AT.answer("Au revoir", end=True).text == "END Au revoir"


def test_only_the_newest_input_is_new() -> None:
    assert newest("1", "") == "1"
    assert newest("1*2*3", "1*2") == "3"
    assert newest("1*2*a*b", "1*2") == "a*b", "a star the learner typed is theirs"
    assert newest("1*2*3", None) == "3", "screens forgotten: after the last star"
    assert newest("9*3", "1*2") == "3"


def test_a_short_text_is_one_screen() -> None:
    assert pages("Bonjour\n1. Cours", FR) == ["Bonjour\n1. Cours"]


def test_a_long_text_is_paged_with_suite_and_retour_within_160_characters() -> None:
    text = " ".join(f"Phrase numéro {n} de la leçon." for n in range(1, 30))
    screens = pages(text, FR)
    assert len(screens) > 2
    assert all(len(screen) <= 160 for screen in screens)
    assert screens[0].endswith("\n0. Suite") and "00. Retour" not in screens[0]
    assert screens[1].endswith("\n0. Suite\n00. Retour")
    assert screens[-1].endswith("\n00. Retour") and "0. Suite" not in screens[-1]
    read = " ".join(s.split("\n0")[0] for s in screens)
    assert " ".join(read.split()) == text, "nothing lost"


def test_options_keep_their_marks_and_lose_the_how_to_answer_line() -> None:
    options = tuple(Option(f"o{n}", f"Option {n}") for n in range(1, 4))
    screens = screens_of([Say("Bienvenue !"), Ask("Choisissez :", options, 1)], FR, USSD)
    assert screens == ["Bienvenue !\n\nChoisissez :\n1. Option 1\n2. Option 2\n3. Option 3"]


def test_options_are_never_cut_from_their_mark() -> None:
    options = tuple(Option(f"o{n}", f"Pays numéro {n}") for n in range(1, 16))
    screens = screens_of([Ask("Dans quel pays êtes-vous ?", options, 1)], FR, USSD)
    lines = [line for screen in screens for line in screen.split("\n")]
    assert [line for line in lines if line.startswith(tuple("123456789"))] == [
        f"{n}. Pays numéro {n}" for n in range(1, 16)
    ]
    assert all(len(screen) <= 160 for screen in screens)


def test_a_question_s_options_stay_together_on_its_last_screen() -> None:
    # the consent: a long text, then two answers; "1. J'accepte" and "2. Non merci" on two
    # screens would ask the person to answer before seeing what else they could say
    text = " ".join(f"Phrase numéro {n} de ce que je garde." for n in range(1, 9))
    options = (Option("yes", "J'accepte"), Option("no", "Non merci"))
    screens = screens_of([Ask(text + "\n\nÊtes-vous d'accord ?", options, 1)], FR, USSD)
    assert screens[-1].endswith("Êtes-vous d'accord ?\n1. J'accepte\n2. Non merci\n00. Retour")
    assert all(len(screen) <= 160 for screen in screens)
    assert all("1. J'accepte" not in screen for screen in screens[:-1])


def test_options_too_many_for_one_screen_start_on_a_screen_of_their_own() -> None:
    options = tuple(Option(f"o{n}", f"Pays numéro {n}") for n in range(1, 16))
    screens = screens_of([Ask("Dans quel pays êtes-vous ?", options, 1)], FR, USSD)
    assert screens[0].startswith("Dans quel pays êtes-vous ?\n1. Pays numéro 1\n")


def test_a_step_longer_than_a_screen_is_sent_in_its_short_form_on_ussd() -> None:
    long = "Une fraction partage un tout en parts égales. " * 4
    assert fitting(USSD, long, "Une fraction : des parts égales.", "Leçon (1/2)") == (
        "Leçon (1/2)\n\nUne fraction : des parts égales."
    )
    assert fitting(USSD, long, "", "Leçon (1/2)") == f"Leçon (1/2)\n\n{long}", "paged later"


def test_emoji_are_left_out_of_screens_and_signs_kept() -> None:
    options = (Option("courses", "📚 Les cours"), Option("yes", "✅ J'accepte"))
    screens = screens_of([Ask("👋 Bonjour ! 3 + 4 = 7, 30 °C", options, 1)], FR, USSD)
    assert screens == ["Bonjour ! 3 + 4 = 7, 30 °C\n1. Les cours\n2. J'accepte"]
    assert plain("🧑‍🏫 Enseignant ou enseignante") == "Enseignant ou enseignante"
