"""Deep links to a lesson: "/start l_<course>__<lesson>" from a booklet, Telegram or the web."""

from __future__ import annotations

from typing import cast

from telegram import Bot, Update

from bot.storage.store import SqlStore
from bot.telegram.updates import to_event
from dialogs.events import TextReceived
from dialogs.flows.commands import lesson_payload, parse_lesson_payload
from tests.driver import Learner
from tests.fakes.telegram_updates import UpdateFactory
from tests.flow_states import place_of
from tests.unit.test_dialogs_journey import onboard


def test_payload_round_trip_fits_telegram_limits() -> None:
    payload = lesson_payload("eau-potable-et-hygiene", "laver-les-mains-au-savon")
    assert len(payload) <= 64 and payload.replace("_", "").replace("-", "").isalnum()
    assert parse_lesson_payload(payload) == ("eau-potable-et-hygiene", "laver-les-mains-au-savon")
    for bad in ("l_fractions", "l_fractions__", "l__comparer", "l_a_b__c", "l_A__b", "x_a__b"):
        assert parse_lesson_payload(bad) is None


async def test_a_complete_profile_goes_straight_to_the_lesson() -> None:
    learner = Learner.new()
    await onboard(learner)
    reply = await learner.send("/start l_fractions__comparer")
    assert learner.state.step == "lesson"
    assert place_of(learner)["course"] == "fractions"
    assert place_of(learner)["lesson"] == "comparer"
    assert place_of(learner)["step"] == 0
    assert "Comparer des fractions (1/" in learner.texts(reply)
    assert learner.profile.bookmark == {"course": "fractions", "lesson": "comparer", "step": 0}
    await learner.tap("next")
    assert place_of(learner)["step"] == 1


async def test_a_deep_link_from_inside_another_lesson_restarts_at_step_zero() -> None:
    learner = Learner.new()
    await onboard(learner)
    await learner.send("/start l_fractions__comparer")
    await learner.tap("next")
    await learner.send("/start l_paludisme__moustiquaire")
    assert (learner.state.step, place_of(learner)["lesson"], place_of(learner)["step"]) == (
        "lesson",
        "moustiquaire",
        0,
    )


async def test_a_newcomer_is_onboarded_then_lands_on_the_lesson() -> None:
    learner = Learner.new()
    await learner.send("/start l_paludisme__moustiquaire")
    assert learner.state.step == "welcome"
    assert "juste après quelques questions" in learner.texts()
    for option in ("Français", "yes", "SN", "student", "CM2"):
        await learner.tap(option)
    assert learner.profile.complete
    assert learner.state.step == "lesson"
    assert (place_of(learner)["course"], place_of(learner)["lesson"]) == (
        "paludisme",
        "moustiquaire",
    )
    assert "after_onboarding" not in learner.state.data
    assert "Votre profil est prêt" in learner.texts()
    assert "La moustiquaire (1/" in learner.last_text()


async def test_a_later_language_change_does_not_reopen_the_linked_lesson() -> None:
    learner = Learner.new()
    await learner.send("/start l_paludisme__moustiquaire")
    for option in ("Français", "yes", "SN", "student", "CM2"):
        await learner.tap(option)
    await learner.tap("menu")
    assert learner.state.step == "menu"
    await learner.send("/langue")
    await learner.tap("Français")
    assert learner.state.step == "settings"


async def test_an_unknown_lesson_gets_a_polite_message_and_the_menu() -> None:
    learner = Learner.new()
    await onboard(learner)
    for payload in ("l_fractions__inconnue", "l_inconnu__comparer", "l_n-importe-quoi"):
        reply = await learner.send(f"/start {payload}")
        assert "je ne trouve pas cette leçon" in learner.texts(reply)
        assert learner.state.step == "menu"
        assert "Que voulez-vous faire" in learner.last_text()


async def test_a_newcomer_with_an_unknown_lesson_is_onboarded_to_the_menu() -> None:
    learner = Learner.new()
    await learner.send("/start l_fractions__inconnue")
    assert "je ne trouve pas cette leçon" in learner.texts()
    for option in ("Français", "yes", "SN", "student", "CM2"):
        await learner.tap(option)
    assert learner.state.step == "menu"


async def test_other_start_payloads_behave_like_a_plain_start() -> None:
    learner = Learner.new()
    await onboard(learner)
    reply = await learner.send("/start campagne-radio")
    assert "Bon retour" in learner.texts(reply)
    assert learner.state.step == "menu"


async def test_a_telegram_deep_link_opens_the_lesson() -> None:
    """t.me/<bot>?start=l_fractions__comparer: Telegram sends "/start l_fractions__comparer"."""
    learner = Learner.new()
    await onboard(learner)
    data = UpdateFactory().text(777_001, "/start l_fractions__comparer")
    update = Update.de_json(data, Bot("123456:TEST-token"))
    event = await to_event(update, cast(SqlStore, None))  # a text never touches the store
    assert isinstance(event, TextReceived)
    await learner._deliver(TextReceived(learner.user, event.message_id, event.text))
    assert learner.state.step == "lesson"
    assert (place_of(learner)["course"], place_of(learner)["lesson"]) == ("fractions", "comparer")
    assert "Comparer des fractions (1/" in learner.last_text()
