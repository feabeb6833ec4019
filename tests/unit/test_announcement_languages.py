"""Which version of an announcement a person gets: theirs, else the admin's fallback, else
French, else whatever was written."""

from __future__ import annotations

from bot.storage.outbox import OutboxItem
from dialogs.admin_ports import Audience
from dialogs.flows.announce import fallback_of


def item(locale: str | None, texts: dict[str, str], fallback: str = "fr") -> OutboxItem:
    return OutboxItem(1, 1, 1, "telegram", "42", locale, texts, None, 0, fallback=fallback)


WRITTEN = {"wo": "Lekkool yi dinañu ubbeeku altine.", "en": "Schools reopen on Monday."}


def test_each_person_gets_their_language_else_the_chosen_fallback() -> None:
    assert item("wo", WRITTEN, "en").text == "Lekkool yi dinañu ubbeeku altine."
    assert item("fr", WRITTEN, "en").text == "Schools reopen on Monday."
    assert item(None, WRITTEN, "en").text == "Schools reopen on Monday."
    # A fallback that was not written (an old announcement): French, else the first written.
    assert item("ha", {"fr": "Bonne rentrée", "ar": "x"}, "en").text == "Bonne rentrée"
    assert item("ha", WRITTEN, "fr").text == "Lekkool yi dinañu ubbeeku altine."


def test_the_fallback_is_the_admins_choice_else_french_else_the_first_written() -> None:
    assert fallback_of(WRITTEN, "en") == "en"
    assert fallback_of(WRITTEN, "ar") == "wo"  # not written: the first written
    assert fallback_of({"en": "x", "fr": "y"}) == "fr"
    assert fallback_of({}) == "fr"


def test_the_fallback_is_kept_with_the_audience() -> None:
    audience = Audience(countries=("SN",), fallback="wo")
    assert Audience.from_dict(audience.as_dict()) == audience
    assert Audience.from_dict({}).fallback == "fr"  # announcements stored before
