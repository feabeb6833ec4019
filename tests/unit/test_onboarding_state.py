"""Onboarding's typed state (dialogs/flows/onboarding.py): a settings edit, a newcomer's deep
link kept by onboarding and returned to the step after the call, and the untyped keys an
older release left (read once). Each state is gone once its flow is left."""

from __future__ import annotations

from typing import Any

from dialogs.flows.onboarding import Onboarding
from tests.driver import Learner
from tests.fakes.ports import World
from tests.unit.test_dialogs_journey import onboard
from tests.unit.test_flows_on_fakes import invited_teacher, shared

ASK_CODE = "Écrivez le code de la classe (6 lettres et chiffres) :"
PROFILE = ("Français", "yes", "SN", "student", "CM2")


async def a_class(world: World) -> str:
    """The join code of a class a teacher of the world just created."""
    teacher, _ = await invited_teacher(world)
    await teacher.tap("Nouvelle classe")
    await teacher.send("CM2 B")
    await teacher.tap("CM2")
    return teacher.texts(await teacher.tap("Mathématiques")).split("/rejoindre ")[1].split()[0]


def newcomer(world: World, data: dict[str, Any] | None = None) -> Learner:
    """Someone who never wrote, talking through the fakes."""
    dialogs, i18n = shared()
    learner = Learner(dialogs, i18n, Learner.new().library)
    learner.services = world.desks(world.person()).services()
    learner.state.data.update(data or {})
    return learner


def flows_kept(learner: Learner) -> tuple[object, object]:
    """The flows' typed states and the calls waiting, as stored after the turn."""
    return learner.state.data.get("flows"), learner.state.data.get("calls")


async def test_a_class_link_waits_in_onboarding_and_comes_back_once_the_profile_is_ready() -> None:
    world = World()
    join = await a_class(world)
    moussa = newcomer(world)
    await moussa.send(f"/start c_{join}")
    assert "Je vous inscrirai dans la classe juste après" in moussa.texts()
    assert moussa.state.data["flows"] == {
        "onboarding": {"editing": False, "country_known": False, "link": {"join": join}}
    }
    for option in PROFILE:
        await moussa.tap(option)
    assert moussa.state.step == "join_name"
    assert "Classe « CM2 B ». Quel prénom" in moussa.last_text()
    await moussa.send("Moussa")
    assert "Bienvenue dans la classe « CM2 B » !" in moussa.texts()
    assert flows_kept(moussa) == (None, None)  # onboarding's link and the call are gone


async def test_an_unknown_class_link_is_said_after_onboarding_and_the_code_asked_once() -> None:
    world = World()
    await a_class(world)
    moussa = newcomer(world)
    await moussa.send("/start c_ZZZZZZ")
    for option in PROFILE[:-1]:
        await moussa.tap(option)
    replies = await moussa.tap("CM2")
    assert moussa.texts(replies) == (
        "Merci ! Votre profil est prêt.\n"
        "Je ne trouve pas de classe avec ce code. Vérifiez-le auprès de votre enseignant.\n"
        + ASK_CODE
    )
    assert moussa.state.step == "join_code"
    assert flows_kept(moussa) == ({"classes": _classes()}, None)


async def test_a_link_kept_by_the_release_before_calls_joins_the_class_after_onboarding() -> None:
    world = World()
    join = await a_class(world)
    awa = newcomer(world, {"after_onboarding": {"join": join}})
    awa.profile.locale, awa.profile.country, awa.profile.role = "fr", "SN", "student"
    awa.state.step = "level"  # standing on the last question when the upgrade came
    await awa.resume()
    await awa.tap("CM2")
    assert awa.state.step == "join_name"
    assert "after_onboarding" not in awa.state.data
    await awa.send("Awa")
    assert "Bienvenue dans la classe « CM2 B » !" in awa.texts()
    assert flows_kept(awa) == (None, None)


async def test_a_join_code_of_the_previous_release_is_read_where_the_call_returns() -> None:
    world = World()
    join = await a_class(world)
    frame = {"then": "join_code", "back": None, "caller": "onboarding", "callee": "onboarding"}
    awa = newcomer(world, {"join_pending": join, "calls": [frame]})
    awa.profile.locale, awa.profile.country, awa.profile.role = "fr", "SN", "student"
    awa.state.step = "level"
    await awa.resume()
    await awa.tap("CM2")
    assert "Classe « CM2 B ». Quel prénom" in awa.last_text()
    assert "join_pending" not in awa.state.data


async def test_a_settings_edit_shows_the_way_back_and_ends_when_the_menu_is_opened() -> None:
    learner = Learner.new()
    await onboard(learner)
    await learner.tap("settings")
    await learner.tap("country")
    assert learner.state.data["flows"]["onboarding"]["editing"] is True
    assert "↩️ Retour" in [option.label for option in learner.last_prompt().options]
    await learner.send("/menu")
    assert flows_kept(learner) == (None, None)
    await learner.tap("settings")
    await learner.tap("role")
    await learner.tap("teacher")
    assert "C'est enregistré." in learner.texts()
    assert (learner.state.step, flows_kept(learner)) == ("settings", (None, None))


async def test_a_profile_added_on_a_shared_phone_skips_the_country_it_has() -> None:
    learner = Learner.new()
    learner.profile.locale, learner.profile.country = "fr", "SN"
    learner.state.data["country_known"] = True  # as bot/storage/profiles.py seeds it
    await learner.resume()
    await learner.tap("Français")
    await learner.tap("yes")
    assert learner.state.step == "role"
    assert learner.state.data["flows"]["onboarding"]["country_known"] is False
    assert "country_known" not in learner.state.data


def test_onboarding_keeps_the_keys_of_the_previous_release_through_legacy() -> None:
    assert Onboarding.legacy == {
        "editing": "editing",
        "country_known": "country_known",
        "link": "after_onboarding",
    }


def _classes() -> dict[str, object]:
    return {"new_name": "", "new_level": "", "joining": None, "joining_name": "", "pending": ""}


async def test_a_newcomers_greeting_reads_no_state_so_that_nothing_is_stored() -> None:
    learner = Learner.new()
    await learner.send("Bonjour")
    assert "Dans quelle langue voulez-vous apprendre ?" in learner.texts()
    assert "flows" not in learner.state.data  # the web chat stores nothing of such a turn
