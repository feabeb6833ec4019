"""WhatsApp rendering details that the journey does not reach."""

from __future__ import annotations

from bot.i18n import I18n
from bot.whatsapp.render import render
from dialogs.messages import Ask, Option
from tests.fakes.graph_api import check_message


def test_labels_cut_to_the_same_title_are_numbered_as_in_the_body() -> None:
    options = (
        Option("a", "La fraction 3/4 est la plus grande"),
        Option("b", "La fraction 3/4 est la plus petite"),
    )
    (message,) = render([Ask("Que dire ?", options, 7)], I18n().translator("fr", None))
    interactive = message.payload["interactive"]
    titles = [b["reply"]["title"] for b in interactive["action"]["buttons"]]
    assert titles == ["1. La fraction 3/4…", "2. La fraction 3/4…"]
    assert "1. La fraction 3/4 est la plus grande" in interactive["body"]["text"]
    check_message({**message.payload, "messaging_product": "whatsapp", "to": "221770000000"})


def test_a_voice_note_then_its_text_with_the_media_offer_kept_whole() -> None:
    from pathlib import Path

    from bot.whatsapp.render import render
    from dialogs.messages import Ask, Show

    voice = Show("audio", Path("/library/lecture-cp/audio/histoire-awa.ogg"), "", "/media/a.ogg")
    options = (Option("media", "🖼️ Image (120 Ko) - voir ?"), Option("next", "Suivant ▶️"))
    t = I18n().translator("fr", None)
    audio, asked = render([voice, Ask("Aminata coupe une galette.", options, 3)], t)
    assert audio.kind == "audio" and audio.needs_upload
    interactive = asked.payload["interactive"]
    assert interactive["action"]["buttons"][0]["reply"]["id"] == "3:media"
    assert "1. 🖼️ Image (120 Ko) - voir ?" in interactive["body"]["text"]  # nothing is lost
    titles = [b["reply"]["title"] for b in interactive["action"]["buttons"]]
    assert titles == ["1. 🖼️ Image (120 Ko…", "2. Suivant ▶️"]  # the marks the body shows
    check_message({**asked.payload, "messaging_product": "whatsapp", "to": "221770000000"})


def test_options_that_are_numbers_are_listed_with_letters() -> None:
    """With options 3 / 4 / 9 / 16... a typed 3 is the value 3: the list shows letters."""
    from bot.whatsapp.render import render
    from dialogs.messages import Ask, QuizQuestion

    t = I18n().translator("fr", None)
    numbers = tuple(Option(f"o{n}", str(n)) for n in range(3, 15))
    (listed,) = render([Ask("Combien ?", numbers, 4)], t)
    body = listed.payload["text"]["body"]
    assert "a) 3\nb) 4\nc) 5" in body and "Répondez avec la lettre de votre choix." in body
    words = tuple(Option(f"w{n}", f"Ville {chr(65 + n)}") for n in range(12))
    (listed,) = render([Ask("Où ?", words, 5)], t)
    body = listed.payload["text"]["body"]
    assert "1. Ville A" in body and "Répondez avec le numéro de votre choix." in body
    # A quiz question is always lettered, in the order shown (here shuffled: c, a, b).
    shuffled = (Option("c", "Dakar"), Option("a", "Bamako"), Option("b", "Niamey"))
    asked = QuizQuestion("Capitales ?", shuffled, 6, multiple=True, hint="a c")
    (message,) = render([asked], t)
    assert "a) Dakar\nb) Bamako\nc) Niamey" in message.payload["text"]["body"]
