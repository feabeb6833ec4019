"""One phone, several learners: profiles, PINs, per-profile data, one announcement a phone."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from bot.storage.admin import queue_broadcast
from bot.storage.outbox import Outbox
from bot.storage.sql import PgRunner, Runner, SqliteRunner
from bot.storage.store import SqlStore
from dialogs.admin_ports import Audience
from dialogs.events import OptionChosen, TextReceived
from dialogs.messages import Document
from dialogs.ports import CompleteLesson
from tests.driver import bundled_library
from tests.store_driver import Person, open_conversations

NOT_YET = "Vous n'avez pas encore terminé de leçon"


def a_lesson() -> tuple[str, str]:
    """A course and one of its lessons from the bundled library."""
    course = bundled_library().courses[0]
    return course.id, course.lessons[0].id


async def finish_a_lesson(person: Person) -> None:
    """The profile the phone uses now finishes a lesson (as the lesson flow records it)."""
    async with person.conversations.store.turn(person.user) as tx:
        assert tx is not None
        tx.save(tx.profile, tx.state, [CompleteLesson(*a_lesson())])


async def family(person: Person) -> None:
    """Fatou onboards, then adds her daughter Awa, who onboards on the same phone."""
    await person.onboard(level="CM2")
    await person.send("/eleve")
    await person.tap("Ajouter un élève")
    asked = await person.send("Fatou")  # the first profile gets its name first
    assert "prénom du nouvel élève" in person.texts(asked)
    added = await person.send("Awa")
    assert "Nouveau profil : Awa" in person.texts(added)
    assert "Dans quelle langue" in person.texts(added)  # Awa's own onboarding
    await person.tap("Français")
    role = await person.tap("J'accepte")
    assert "Vous êtes" in person.texts(role)  # the country is the phone's: not asked again
    await person.tap("Élève")
    ready = await person.tap("CE1")
    assert "Votre profil est prêt" in person.texts(ready)


async def switch_to(person: Person, name: str) -> list[object]:
    """Open the list of learners and pick one."""
    await person.send("/eleve")
    return list(await person.tap(name))


async def progress(person: Person) -> str:
    """What "Mes progrès" shows now."""
    return person.texts(await person.send("/progres"))


async def users_count(store: SqlStore) -> int:
    """How many learner rows are stored."""
    return await store.count_users()


async def test_two_children_on_one_phone_progress_separately(database_url: str) -> None:
    async with open_conversations(database_url) as conversations:
        phone = Person.on(conversations, "telegram", "7001")
        await family(phone)
        assert "👥 Changer d'élève" in phone.options()
        await finish_a_lesson(phone)  # Awa's lesson
        assert NOT_YET not in await progress(phone)
        shown = await switch_to(phone, "Fatou")
        assert "C'est au tour de Fatou" in phone.texts(shown)  # type: ignore[arg-type]
        assert "Que voulez-vous faire" in phone.texts(shown)  # type: ignore[arg-type]
        assert NOT_YET in await progress(phone)  # Fatou sees her own (empty) progress
        listed = phone.texts(await phone.send("/eleve"))
        assert "✅ Fatou (en ce moment)" in listed and "👤 Awa" in listed
        await phone.tap("Awa")
        assert NOT_YET not in await progress(phone)
        assert await users_count(conversations.store) == 2


async def test_a_pin_is_asked_and_three_wrong_ones_lock_the_profile_for_a_while(
    database_url: str,
) -> None:
    async with open_conversations(database_url) as conversations:
        now = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
        conversations.clock = lambda: now
        phone = Person.on(conversations, "whatsapp", "221770000001")
        await family(phone)
        await phone.send("/eleve")
        await phone.tap("Mettre un code PIN")
        assert "code PIN" in phone.texts(await phone.send("12a4"))  # not four digits
        saved = await phone.send("1234")
        assert "ce profil a maintenant un code PIN" in phone.texts(saved)
        await switch_to(phone, "Fatou")
        await phone.send("/eleve")
        asked = await phone.tap("Awa 🔒")
        assert "Code PIN d'Awa" in phone.texts(asked)
        assert "Encore 2 essais" in phone.texts(await phone.send("0000"))
        assert "Encore 1 essai" in phone.texts(await phone.send("١٢٣٥"))  # Arabic-Indic digits
        locked = phone.texts(await phone.send("9999"))
        assert "bloqué pendant 15 minutes, jusqu'à 10:15" in locked  # Dakar is on UTC
        await phone.send("/eleve")
        assert "bloqué" in phone.texts(await phone.tap("Awa 🔒"))  # no try while locked
        now += timedelta(minutes=16)
        await phone.tap("Awa 🔒")
        switched = phone.texts(await phone.send("١٢٣٤"))  # 1234 typed in Arabic-Indic digits
        assert "C'est au tour d'Awa" in switched
        assert "Que voulez-vous faire" in switched
        async with conversations.store.engine.connect() as conn:
            stored = await conn.run_sync(
                lambda sync: sync.exec_driver_sql(
                    "SELECT pin_hash FROM learner_profiles WHERE pin_hash IS NOT NULL"
                ).scalar_one()
            )
        kind, salt, digest = stored.split("$")  # a salted hash, never the PIN itself
        assert (kind, len(salt), len(digest)) == ("scrypt", 32, 64)


async def test_a_stale_button_or_poll_of_the_other_profile_is_refused(database_url: str) -> None:
    async with open_conversations(database_url) as conversations:
        phone = Person.on(conversations, "telegram", "7002")
        await family(phone)
        awa_menu = phone.last_prompt()
        awa_id = await profile_id(conversations.store, "Awa")
        await conversations.store.remember_poll("poll-awa", awa_id, awa_menu.prompt, ["a"])
        await switch_to(phone, "Fatou")
        refused = await phone._deliver(
            OptionChosen(phone.user, "old-tap", awa_menu.prompt, "courses")
        )
        assert "ancien message" in phone.texts(refused)
        found = await conversations.store.lookup_poll("poll-awa")
        assert found is not None
        assert found[0] == phone.user  # the phone's address
        assert found[1] == -1  # Awa is not using the phone now: no prompt matches
        await switch_to(phone, "Awa")
        found = await conversations.store.lookup_poll("poll-awa")
        assert found is not None and found[1] == awa_menu.prompt


async def profile_id(store: SqlStore, name: str) -> int:
    """The users row of the profile with that first name."""
    async with store.engine.connect() as conn:
        return int(
            await conn.run_sync(
                lambda sync: sync.exec_driver_sql(
                    f"SELECT user_id FROM learner_profiles WHERE first_name = '{name}'"
                ).scalar_one()
            )
        )


async def with_runner(store: SqlStore, work: object) -> object:
    """Run `work(runner)` in a transaction of its own."""
    assert callable(work)
    if store.on_sqlite:
        async with store.sqlite_transaction() as db:
            return await work(SqliteRunner(db))
    async with store.engine.begin() as conn:
        return await work(PgRunner(conn))


async def broadcast(store: SqlStore, audience: Audience, text: str) -> int:
    """Store a broadcast and queue its audience; how many messages were queued."""

    async def queue(runner: Runner) -> int:
        rows = await runner.run(
            "INSERT INTO broadcasts (texts, audience, status, total, created_at)"
            " VALUES (:texts, :audience, 'queued', 0, :now) RETURNING id",
            texts={"fr": text},
            audience=audience.as_dict(),
            now=datetime.now(UTC),
        )
        return await queue_broadcast(runner, int(rows[0][0]), datetime.now(UTC))

    queued = await with_runner(store, queue)
    assert isinstance(queued, int)
    return queued


async def test_a_notice_for_the_other_profile_reaches_the_phone_with_its_name(
    database_url: str,
) -> None:
    async with open_conversations(database_url) as conversations:
        store = conversations.store
        phone = Person.on(conversations, "telegram", "7003")
        await family(phone)  # Awa uses the phone now
        fatou, awa = await profile_id(store, "Fatou"), await profile_id(store, "Awa")
        personal = Audience(user_ids=(fatou, awa), personal=True)
        assert await broadcast(store, personal, "Devoir pour demain") == 2
        items = await Outbox(store, "test").claim("telegram", 10, datetime.now(UTC))
        assert {item.external_id for item in items} == {"7003"}
        assert {item.user_id for item in items} == {fatou}  # the phone's account row
        assert sorted(item.text for item in items) == [
            "Devoir pour demain",
            "👤 Fatou : Devoir pour demain",
        ]


async def test_an_announcement_goes_once_to_a_phone_of_three_learners(
    database_url: str,
) -> None:
    async with open_conversations(database_url) as conversations:
        store = conversations.store
        phone = Person.on(conversations, "telegram", "7004")
        await family(phone)
        await phone.send("/eleve")
        await phone.tap("Ajouter un élève")
        await phone.send("Moussa")
        await phone.tap("Français")
        await phone.tap("J'accepte")
        await phone.tap("Élève")
        await phone.tap("6e")
        neighbour = Person.on(conversations, "telegram", "7005")
        await neighbour.onboard()
        assert await broadcast(store, Audience(), "Bonne rentrée !") == 2
        items = await Outbox(store, "test").claim("telegram", 10, datetime.now(UTC))
        assert sorted(item.external_id for item in items) == ["7004", "7005"]
        assert all(item.text == "Bonne rentrée !" for item in items)
        assert await broadcast(store, Audience(levels=("CE1", "6e")), "CE1 et 6e") == 1
        assert await users_count(store) == 4  # learners are counted one by one
        assert await store.erase(phone.user)  # erasing by address takes the whole phone
        assert await users_count(store) == 1


async def export_of(person: Person) -> dict[str, object]:
    """The JSON that /mes_donnees sends."""
    [document] = [m for m in await person.send("/mes_donnees") if isinstance(m, Document)]
    data = json.loads(document.content)
    assert isinstance(data, dict)
    return data


async def test_export_and_erasure_are_per_profile_and_spare_the_sibling(
    database_url: str,
) -> None:
    async with open_conversations(database_url) as conversations:
        store = conversations.store
        phone = Person.on(conversations, "web", "phone-of-the-family-1")
        await family(phone)
        await finish_a_lesson(phone)  # Awa's
        await phone.send("/eleve")
        await phone.tap("Mettre un code PIN")
        await phone.send("4321")
        awa = await export_of(phone)
        assert awa["shared_phone"] == {
            "first_name": "Awa",
            "main_profile": False,
            "pin": "set",
            "wrong_pins": 0,
            "locked_until": None,
            "created_at": awa["shared_phone"]["created_at"],  # type: ignore[index]
        }
        assert "4321" not in json.dumps(awa) and "scrypt" not in json.dumps(awa)
        await switch_to(phone, "Fatou")
        await finish_a_lesson(phone)  # Fatou's
        fatou = await export_of(phone)
        assert fatou["shared_phone"]["profiles_of_this_phone"] == ["Fatou", "Awa"]  # type: ignore[index]
        assert len(fatou["lessons_done"]) == 1  # type: ignore[arg-type]
        # Fatou, the main profile, erases herself: the phone is handed to Awa, behind her PIN.
        await phone.send("/supprimer_mes_donnees")
        assert "les autres élèves de ce téléphone gardent leurs progrès" in phone.texts(
            [phone.last_prompt()]
        )
        erased = phone.texts(await phone.tap("Oui, tout effacer"))
        assert "tout est effacé" in erased
        assert "Code PIN d'Awa" in erased
        assert "Code PIN d'Awa" in phone.texts(await phone.send("/menu"))  # the gate holds
        opened = phone.texts(await phone.send("4321"))
        assert "Que voulez-vous faire" in opened
        assert NOT_YET not in await progress(phone)  # Awa's lesson is still there
        assert await users_count(store) == 1
        awa = await export_of(phone)
        assert awa["user"]["external_id"] == "phone-of-the-family-1"  # type: ignore[index]
        # Awa alone erases herself: nothing is left.
        await phone.send("/supprimer_mes_donnees")
        await phone.tap("Oui, tout effacer")
        assert await users_count(store) == 0


async def test_a_forgotten_pin_is_removed_by_the_main_profile(database_url: str) -> None:
    async with open_conversations(database_url) as conversations:
        phone = Person.on(conversations, "telegram", "7006")
        await family(phone)
        await phone.send("/eleve")
        await phone.tap("Mettre un code PIN")
        await phone.send("2468")
        await switch_to(phone, "Fatou")
        await phone.send("/eleve")
        await phone.tap("Awa 🔒")
        # A main profile without a PIN of its own cannot open Awa's: anyone could use it.
        forgot = phone.texts(await phone.tap("Code oublié"))
        assert "doit d'abord avoir son propre code" in forgot
        assert "Retirer son code" not in phone.options()
        await phone.tap("Retour")
        await phone.tap("Mettre un code PIN")
        await phone.send("1357")
        await phone.send("/eleve")
        await phone.tap("Awa 🔒")
        await phone.tap("Code oublié")
        asked = phone.texts(await phone.tap("Retirer son code"))
        assert "code PIN du profil principal" in asked
        assert "Code oublié ?" in phone.options()  # at every PIN prompt
        forgot = phone.texts(await phone.tap("Code oublié ?"))
        assert "ne peut être retiré par personne" in forgot and "👤 Awa 🔒" in phone.options()
        await phone.tap("Awa 🔒")
        await phone.tap("Code oublié")
        await phone.tap("Retirer son code")
        wrong = phone.texts(await phone.send("2468"))  # Awa's PIN is not the parent's
        assert "Encore 2 essais" in wrong
        done = phone.texts(await phone.send("1357"))
        assert "Le code d'Awa est retiré" in done
        assert "Awa 🔒" not in phone.options()
        switched = phone.texts(await phone.tap("Awa"))
        assert "C'est au tour d'Awa" in switched


async def test_a_sibling_may_erase_a_forgotten_profile_after_confirming(
    database_url: str,
) -> None:
    async with open_conversations(database_url) as conversations:
        phone = Person.on(conversations, "telegram", "7007")
        await family(phone)
        await switch_to(phone, "Fatou")
        await phone.send("/eleve")
        await phone.tap("Mettre un code PIN")
        await phone.send("1357")
        await switch_to(phone, "Awa")
        await finish_a_lesson(phone)
        await phone.send("/eleve")
        await phone.tap("Fatou 🔒")
        forgot = phone.texts(await phone.tap("Code oublié"))
        assert "Le code du profil principal ne peut être retiré par personne" in forgot
        assert "Retirer son code" not in phone.options()
        await phone.tap("Effacer ce profil")
        kept = phone.texts(await phone.tap("Non, garder"))
        assert "Rien n'a été effacé" in kept
        await phone.tap("Fatou 🔒")
        await phone.tap("Code oublié")
        await phone.tap("Effacer ce profil")
        done = phone.texts(await phone.tap("Oui, effacer Fatou"))
        assert "Le profil de Fatou est effacé" in done
        assert NOT_YET not in await progress(phone)  # Awa, now the main profile, keeps hers
        assert await users_count(conversations.store) == 1
        again = await phone._deliver(TextReceived(phone.user, "after", "/menu"))
        assert "Que voulez-vous faire" in phone.texts(again)


async def add_learner(person: Person, name: str, level: str = "CE2") -> None:
    """Another learner of the family onboards on the phone (a named profile exists)."""
    await person.send("/eleve")
    await person.tap("Ajouter un élève")
    await person.send(name)
    for label in ("Français", "J'accepte", "Élève", level):
        await person.tap(label)


async def gated_family(phone: Person) -> None:
    """Fatou, Awa (PIN 4321, a lesson done) and Moussa; Fatou erases herself: Awa's gate."""
    await family(phone)
    await finish_a_lesson(phone)  # Awa's
    await phone.send("/eleve")
    await phone.tap("Mettre un code PIN")
    await phone.send("4321")
    await add_learner(phone, "Moussa")
    await switch_to(phone, "Fatou")
    await phone.send("/supprimer_mes_donnees")
    erased = phone.texts(await phone.tap("Oui, tout effacer"))
    assert "Code PIN d'Awa" in erased


async def test_start_and_menu_at_the_gate_offer_the_other_learners(database_url: str) -> None:
    async with open_conversations(database_url) as conversations:
        phone = Person.on(conversations, "telegram", "7010")
        await gated_family(phone)
        assert "Code oublié ?" in phone.options()
        for command in ("/start", "/menu", "menu", "/progres", "/eleve"):
            said = phone.texts(await phone.send(command))
            assert "protégé par un code PIN" in said, command
            assert "Que voulez-vous faire" not in said and NOT_YET not in said
            assert "Vous avez terminé" not in said
            assert {"👤 Moussa", "Code oublié ?", "➕ Ajouter un élève"} <= set(phone.options())
        switched = phone.texts(await phone.tap("Moussa"))
        assert "C'est au tour de Moussa" in switched
        assert "Que voulez-vous faire" in switched
        # Awa's profile is asked its PIN from the list as usual; her lesson is kept.
        await phone.send("/eleve")
        await phone.tap("Awa 🔒")
        await phone.send("4321")
        assert NOT_YET not in await progress(phone)


async def test_a_protected_sibling_is_asked_its_pin_at_the_gate(database_url: str) -> None:
    async with open_conversations(database_url) as conversations:
        phone = Person.on(conversations, "telegram", "7011")
        await family(phone)
        await finish_a_lesson(phone)  # Awa's
        await phone.send("/eleve")
        await phone.tap("Mettre un code PIN")
        await phone.send("4321")
        await add_learner(phone, "Moussa")
        await phone.send("/eleve")
        await phone.tap("Mettre un code PIN")
        await phone.send("9999")
        await switch_to(phone, "Fatou")
        await phone.send("/supprimer_mes_donnees")
        await phone.tap("Oui, tout effacer")
        asked = phone.texts(await phone.tap("Moussa 🔒"))
        assert "Code PIN de Moussa" in asked
        back = phone.texts(await phone.send("/menu"))  # still the gate, never Awa's menu
        assert "protégé par un code PIN" in back and "Code PIN d'Awa" in back
        await phone.tap("Moussa 🔒")
        opened = phone.texts(await phone.send("9999"))
        assert "C'est au tour de Moussa" in opened and "Que voulez-vous faire" in opened


async def test_the_last_learner_behind_a_forgotten_pin_can_start_afresh(
    database_url: str,
) -> None:
    async with open_conversations(database_url) as conversations:
        store = conversations.store
        phone = Person.on(conversations, "whatsapp", "221770000042")
        await family(phone)
        await finish_a_lesson(phone)  # Awa's
        await phone.send("/eleve")
        await phone.tap("Mettre un code PIN")
        await phone.send("4321")
        await switch_to(phone, "Fatou")
        await phone.send("/supprimer_mes_donnees")
        await phone.tap("Oui, tout effacer")
        # Awa, alone now (the main profile), has forgotten her PIN: never stuck.
        assert {"Code oublié ?", "➕ Ajouter un élève"} <= set(phone.options())
        forgot = phone.texts(await phone.tap("Code oublié ?"))
        assert "ne peut être retiré par personne" in forgot
        assert NOT_YET not in forgot and "Que voulez-vous faire" not in forgot
        assert phone.texts(await phone.send("/start")).count("protégé par un code PIN") == 1
        # A new learner may start on the phone, Awa's profile kept behind its PIN.
        await phone.tap("Ajouter un élève")
        assert "protégé par un code PIN" in phone.texts(await phone.send("/menu"))
        await phone.tap("Ajouter un élève")
        added = phone.texts(await phone.send("Binta"))
        assert "Nouveau profil : Binta" in added
        for label in ("Français", "J'accepte", "Élève", "CE1"):
            await phone.tap(label)
        await phone.send("/eleve")
        assert "👤 Awa 🔒" in phone.options()
        await phone.tap("Awa 🔒")
        await phone.tap("Code oublié ?")
        await phone.tap("Effacer ce profil")
        done = phone.texts(await phone.tap("Oui, effacer Awa"))
        assert "Le profil d'Awa est effacé" in done
        assert await users_count(store) == 1
        assert "Que voulez-vous faire" in phone.texts(await phone.send("/menu"))


async def test_a_forgotten_pin_at_the_gate_erases_only_that_profile(database_url: str) -> None:
    async with open_conversations(database_url) as conversations:
        store = conversations.store
        phone = Person.on(conversations, "web", "family-gate-erase")
        await gated_family(phone)
        await phone.tap("Code oublié ?")
        kept = phone.texts(await phone.tap("Retour"))
        assert "Code PIN d'Awa" in kept
        await phone.tap("Code oublié ?")
        await phone.tap("Effacer ce profil")
        assert "protégé par un code PIN" in phone.texts(await phone.send("/menu"))
        await phone.tap("Code oublié ?")
        await phone.tap("Effacer ce profil")
        done = phone.texts(await phone.tap("Oui, effacer Awa"))
        assert "Le profil d'Awa est effacé" in done
        assert "Que voulez-vous faire" in done  # Moussa, the one left, goes on
        assert await users_count(store) == 1


async def test_a_locked_gate_still_offers_the_way_out(database_url: str) -> None:
    async with open_conversations(database_url) as conversations:
        phone = Person.on(conversations, "telegram", "7012")
        await gated_family(phone)
        for _ in range(3):
            said = phone.texts(await phone.send("1111"))
        assert "bloqué pendant 15 minutes" in said
        assert {"👤 Moussa", "Code oublié ?", "➕ Ajouter un élève"} <= set(phone.options())
        assert "bloqué" in phone.texts(await phone.send("4321"))  # even the right PIN waits
        assert "protégé par un code PIN" in phone.texts(await phone.send("/start"))
        switched = phone.texts(await phone.tap("Moussa"))
        assert "C'est au tour de Moussa" in switched and "Que voulez-vous faire" in switched
