"""Translators in the chat: an admin names them, one translates, another reviews, learners read
only what was reviewed, and every worker picks it up without a restart.

Conversations on the real store (SQLite, and PostgreSQL when TEST_POSTGRES_URL is set). The
string a translator is shown first is chosen by how often it was shown: each test makes the
string it needs the most seen.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from bot.catalogs import sources, string_key
from bot.conversations import Conversations
from bot.storage.admin import grant_role
from bot.storage.translations import add_translation, add_views
from dialogs.roles import Grant, Role
from dialogs.translation_ports import SourceString
from tests.integration.test_shared_library import stored_state
from tests.store_driver import Person, open_conversations

PROGRES = "/progres : vos progrès et vos certificats"
PROGRES_WO = "/progres : sa yokkute ak say seede"


async def give(talk: Conversations, person: Person, grant: Grant) -> None:
    """Grant a role as `python -m bot admin grant` does."""
    async with talk.store.turn(person.user) as tx:
        assert tx is not None
        await grant_role(tx.runner, tx.user_id, grant, None, datetime.now(UTC))


async def most_seen(talk: Conversations, msgid: str, plural: str = "", views: int = 500) -> None:
    """Make a string the most seen of all (the first a translator is offered)."""
    async with talk.store.transaction() as runner:
        await add_views(runner, {string_key(msgid, plural): views})


async def rows(talk: Conversations, sql: str) -> list[tuple[object, ...]]:
    async with talk.store.engine.connect() as conn:
        return [tuple(r) for r in (await conn.execute(text(sql))).all()]


@dataclass
class Cast:
    talk: Conversations
    awa: Person  # translates Wolof
    moussa: Person  # translates Wolof too: reviews Awa's
    fatou: Person  # a learner reading Wolof


async def in_wolof(person: Person) -> None:
    await person.onboard()
    await person.send("/langue")
    await person.tap("Wolof")


@pytest.fixture
async def cast(database_url: str) -> AsyncIterator[Cast]:
    async with open_conversations(database_url) as talk:
        talk.catalogs.refresh_seconds = 0  # every turn checks the version (one worker here)
        awa = Person.on(talk, "telegram", "101")
        moussa = Person.on(talk, "whatsapp", "221770000102")
        fatou = Person.on(talk, "telegram", "103")
        for person in (awa, moussa):
            await person.onboard(role="Enseignant")
            await give(talk, person, Grant(Role.TRANSLATOR, None, "wo"))
        await in_wolof(fatou)
        yield Cast(talk, awa, moussa, fatou)


async def test_a_translation_reaches_learners_only_once_reviewed(cast: Cast) -> None:
    awa, moussa, fatou = cast.awa, cast.moussa, cast.fatou
    await most_seen(cast.talk, PROGRES)
    home = await awa.send("/traduire")
    assert awa.texts(home).startswith("Wolof : 61 chaînes traduites sur ")
    assert awa.options() == ["✍️ Traduire", "🔎 Relire (0)", "📚 Un cours", "🏠 Menu"]

    shown = await awa.tap("Traduire")
    assert awa.texts(shown) == (
        "Français : « /progres : vos progrès et vos certificats »\n"
        "Anglais : « /progres: your progress and your certificates »\n"
        "Où : /aide, /help\n"
        "À garder tel quel : /progres\n"
        "Vu 500 fois.\n"
        "Écrivez la traduction en Wolof :"
    )
    assert awa.options() == ["⏭️ Passer", "❓ Pas clair", "⬅️ Traduction"]
    refused = await awa.send("sa yokkute ak say seede")
    assert awa.texts(refused) == (
        "Gardez la commande /progres telle quelle (sans la traduire).\n"
        "Écrivez la traduction en Wolof :"
    )
    thanked = await awa.send(PROGRES_WO)
    assert awa.texts(thanked).startswith(
        "Merci ! Un autre traducteur en Wolof va la relire avant que les élèves la voient.\n"
        "Français : « "  # the next string, at once
    )

    # Proposed is not reviewed: the learner still reads French.
    helped = fatou.texts(await fatou.send("/aide"))
    assert PROGRES in helped and PROGRES_WO not in helped

    # Nobody reviews their own.
    await awa.tap("Traduction")
    assert awa.options()[1] == "🔎 Relire (1)"
    nothing = await awa.tap("Relire (1)")
    assert awa.texts(nothing).startswith("Rien à relire en Wolof pour l'instant.")

    await moussa.send("/traduire")
    review = await moussa.tap("Relire (1)")
    assert moussa.texts(review) == (
        "Français : « /progres : vos progrès et vos certificats »\n"
        "Anglais : « /progres: your progress and your certificates »\n"
        "Où : /aide, /help\n"
        "À garder tel quel : /progres\n"
        "Vu 500 fois.\n"
        "\n"
        "Proposé : « /progres : sa yokkute ak say seede »\n"
        "Votre avis ?"
    )
    accepted = await moussa.tap("Accepter")
    assert moussa.texts(accepted).startswith("Acceptée : les élèves la lisent dès maintenant.")

    helped = fatou.texts(await fatou.send("/aide"))
    assert PROGRES_WO in helped and PROGRES not in helped
    found = await rows(
        cast.talk,
        "SELECT t.status, a.external_id, r.external_id FROM translations t"
        " JOIN users a ON a.id = t.author_id JOIN users r ON r.id = t.reviewer_id",
    )
    assert found == [("accepted", "101", "221770000102")]
    # Their data export holds what each of them wrote or reviewed.
    exported = await cast.talk.store.export(moussa.user)
    assert exported is not None
    assert [(t["msgid"], t["forms"], t["status"], t["as"]) for t in exported["translations"]] == [
        (PROGRES, [PROGRES_WO], "accepted", "reviewer")
    ]


async def test_a_rejected_translation_comes_back_and_a_correction_goes_live(cast: Cast) -> None:
    awa, moussa, fatou = cast.awa, cast.moussa, cast.fatou
    await most_seen(cast.talk, PROGRES)
    await awa.send("/traduire")
    await awa.tap("Traduire")
    await awa.send("/progres : lu baaxul")
    await moussa.send("/traduire")
    await moussa.tap("Relire (1)")
    rejected = await moussa.tap("Refuser")
    assert moussa.texts(rejected).startswith("Refusée : la phrase revient parmi celles à traduire.")

    await awa.send("/traduire")
    again = await awa.tap("Traduire")
    assert awa.texts(again).startswith(f"Français : « {PROGRES} »")
    await awa.send("/progres : sa yokkute")
    await moussa.send("/traduire")
    await moussa.tap("Relire (1)")
    asked = await moussa.tap("Corriger")
    assert moussa.texts(asked).endswith("Écrivez la traduction en Wolof :")
    assert moussa.options() == ["⬅️ Traduction"]
    wrong = await moussa.send("sa yokkute")
    assert "Gardez la commande /progres telle quelle" in moussa.texts(wrong)
    done = await moussa.send(PROGRES_WO)
    assert moussa.texts(done).startswith(
        "Corrigée et acceptée : les élèves la lisent dès maintenant."
    )
    assert PROGRES_WO in fatou.texts(await fatou.send("/aide"))
    found = await rows(cast.talk, "SELECT status, forms FROM translations ORDER BY id")
    assert [status for status, _ in found] == ["rejected", "edited"]


async def test_skipping_and_flagging_the_french_as_unclear(cast: Cast) -> None:
    awa = cast.awa
    await most_seen(cast.talk, PROGRES, views=900)
    await most_seen(cast.talk, "/menu : le menu principal", views=800)
    await awa.send("/traduire")
    await awa.tap("Traduire")
    skipped = await awa.tap("Passer")
    assert awa.texts(skipped).startswith("Français : « /menu : le menu principal »")
    flagged = await awa.tap("Pas clair")
    assert awa.texts(flagged).startswith(
        "Noté : le français de cette phrase sera revu. Merci !\nFrançais : « "
    )
    home = await awa.tap("Traduction")
    assert "Français jugé peu clair : 1." in awa.texts(home)


async def test_placeholders_and_plural_forms_are_checked_at_entry(database_url: str) -> None:
    """Hausa has two plural categories (CLDR): one form for 1, one for every other number."""
    singular, plural = "%(n)s élève inscrit", "%(n)s élèves inscrits"
    async with open_conversations(database_url) as talk:
        bala = Person.on(talk, "web", "hausa-translator-1")
        await bala.onboard(role="Enseignant")
        await give(talk, bala, Grant(Role.TRANSLATOR, None, "ha"))
        await most_seen(talk, singular, plural)
        await bala.send("/traduire")
        shown = await bala.tap("Traduire")
        assert bala.texts(shown) == (
            "Français (un) : « %(n)s élève inscrit »\n"
            "Français (plusieurs) : « %(n)s élèves inscrits »\n"
            "Anglais : « %(n)s registered student / %(n)s registered students »\n"
            "Où : admin_stats\n"
            "À garder tel quel : %(n)s\n"
            "Vu 500 fois.\n"
            "Forme 1 sur 2, pour 1 (one) : écrivez-la."
        )
        one = await bala.send("ɗalibi ɗaya mai rijista")  # "one" is 1 alone: no number needed
        assert bala.texts(one) == "Forme 2 sur 2, pour 0, 2, 3, 4… (other) : écrivez-la."
        missing = await bala.send("ɗalibai masu rijista")
        assert bala.texts(missing) == (
            "Il manque %(n)s : gardez ces marques telles quelles, le bot les remplace par un nom "
            "ou un nombre.\n"
            "Forme 2 sur 2, pour 0, 2, 3, 4… (other) : écrivez-la."
        )
        unknown = await bala.send("%(n)s ɗalibai masu rijista a %(school)s")
        assert bala.texts(unknown).startswith("%(school)s n'est pas dans le français : retirez-le.")
        percent = await bala.send("%(n)s ɗalibai masu rijista (100%)")
        assert bala.texts(percent).startswith(
            "Un signe « % » seul casse le texte : écrivez « %% » pour un pour cent."
        )
        done = await bala.send("ɗalibai %(n)s masu rijista")
        assert bala.texts(done).startswith("Merci ! Un autre traducteur en Hausa va la relire")
        found = await rows(talk, "SELECT lang, msgid_plural, forms, status FROM translations")
        assert len(found) == 1
        lang, stored_plural, forms, status = found[0]
        assert (lang, stored_plural, status) == ("ha", plural, "proposed")
        assert "ɗalibi ɗaya mai rijista" in str(forms) and "ɗalibai %(n)s" in str(forms)


async def test_a_button_label_is_held_to_the_shortest_channel_limit(cast: Cast) -> None:
    awa = cast.awa
    label = "📣 Nouvelle annonce"
    await most_seen(cast.talk, label)
    await awa.send("/traduire")
    shown = await awa.tap("Traduire")
    assert "Un bouton : au plus 20 caractères." in awa.texts(shown)
    long = await awa.send("📣 Yégle bu bees ci kilaas bi")
    assert awa.texts(long) == (
        "Trop long : 28 caractères, un bouton en montre au plus 20.\n"
        "Écrivez la traduction en Wolof :"
    )
    fine = await awa.send("📣 Yégle bu bees")
    assert awa.texts(fine).startswith("Merci !")


async def test_an_admin_names_a_translator_in_the_chat(database_url: str) -> None:
    async with open_conversations(database_url) as talk:
        admin = Person.on(talk, "telegram", "201")
        awa = Person.on(talk, "telegram", "202")
        await admin.onboard(role="Enseignant")
        await awa.onboard(role="Enseignant")
        await give(talk, admin, Grant(Role.REGIONAL_ADMIN))
        refused = await awa.send("/traduire")
        assert awa.texts(refused).startswith(
            "La traduction est réservée aux traducteurs : un administrateur donne ce rôle."
        )
        code = awa.texts(await awa.send("/mon_code")).split(":", 1)[1].split()[0]
        await admin.send("/admin")
        await admin.tap("Donner un rôle")
        await admin.send(code)
        assert "Traducteur" in admin.options()
        asked = await admin.tap("Traducteur")
        assert admin.texts(asked) == "Traducteur de quelle langue ?"
        assert admin.options() == [
            "English",
            "العربية",
            "Wolof",
            "Hausa",
            "Bamanankan",
            "Pulaar",
            "⬅️ Administration",
        ]
        done = await admin.tap("Wolof")
        assert admin.texts(done).startswith("C'est fait : rôle « Traducteur » donné.")
        granted = await rows(
            talk, "SELECT role, country FROM role_grants WHERE role = 'translator'"
        )
        assert granted == [("translator", "wo")]
        await awa.send("/menu")
        assert "🌐 Traduire" in awa.options()
        helped = awa.texts(await awa.send("/aide"))
        assert "Rôle « Traducteur » :\n/traduire : traduire l'interface" in helped


async def test_every_worker_picks_up_a_review_without_a_restart(database_url: str) -> None:
    """Two workers on one database (two stores, two I18n): a review on one shows on the
    other at its next check; between checks, a turn reads nothing more."""
    async with (
        open_conversations(database_url) as first,
        open_conversations(database_url) as second,
    ):
        now = [0.0]
        second.catalogs.clock = lambda: now[0]
        second.catalogs.refresh_seconds = 5.0
        first.catalogs.refresh_seconds = 0
        awa = Person.on(first, "telegram", "301")
        moussa = Person.on(first, "telegram", "302")
        fatou = Person.on(second, "telegram", "303")
        for person in (awa, moussa):
            await person.onboard(role="Enseignant")
            await give(first, person, Grant(Role.TRANSLATOR, None, "wo"))
        await in_wolof(fatou)
        await most_seen(first, PROGRES)
        await awa.send("/traduire")
        await awa.tap("Traduire")
        await awa.send(PROGRES_WO)
        await moussa.send("/traduire")
        await moussa.tap("Relire (1)")
        await moussa.tap("Accepter")

        now[0] = 1.0  # the second worker checked at its first turn, less than 5 s ago
        assert PROGRES in fatou.texts(await fatou.send("/aide"))
        now[0] = 6.0  # its next check: the version moved, the reviewed strings are read
        assert PROGRES_WO in fatou.texts(await fatou.send("/aide"))
        assert second.i18n.version == 1


async def test_strings_shown_are_counted_and_flushed(database_url: str) -> None:
    async with open_conversations(database_url) as talk:
        learner = Person.on(talk, "telegram", "401")
        await learner.onboard()
        await learner.send("/aide")
        await talk.catalogs.flush()
        await learner.send("/aide")
        await talk.catalogs.flush()
        key = sources().by_msgid[PROGRES]
        found = await rows(talk, f"SELECT views FROM string_views WHERE key = '{key}'")
        assert found == [(2,)]


async def test_the_admins_stats_show_each_language_weighted_by_what_learners_read(
    cast: Cast,
) -> None:
    admin = Person.on(cast.talk, "telegram", "501")
    await admin.onboard(role="Enseignant")
    await give(cast.talk, admin, Grant(Role.REGIONAL_ADMIN))
    before = spaced(admin.texts(await admin.send("/stats")))
    total = f"{len(sources().strings):,}".replace(",", " ")
    assert "🌐 Traductions de l'interface (part de ce que les élèves lisent) :\n" in before
    assert f"English : 100 % · {total}/{total} chaînes · 0 à relire" in before
    wolof_before = next(line for line in before.splitlines() if line.startswith("Wolof : "))
    await most_seen(cast.talk, PROGRES, views=1_000_000)
    await cast.awa.send("/traduire")
    await cast.awa.tap("Traduire")
    await cast.awa.send(PROGRES_WO)
    await cast.moussa.send("/traduire")
    await cast.moussa.tap("Relire (1)")
    await cast.moussa.tap("Accepter")
    after = spaced(admin.texts(await admin.send("/stats")))
    wolof_after = next(line for line in after.splitlines() if line.startswith("Wolof : "))
    assert wolof_before.startswith(
        f"Wolof : {round(100 * 61 / len(sources().strings))} % · 61/"
    )  # all unseen
    assert wolof_after.startswith("Wolof : 100 % · 62/")  # the string nearly all learners read


def spaced(text: str) -> str:
    """French numbers and percents with plain spaces (CLDR puts narrow no-break ones)."""
    return text.replace("\u202f", " ").replace("\xa0", " ")


async def test_a_translation_may_start_with_a_command_and_menu_still_leaves(cast: Cast) -> None:
    awa = cast.awa
    await most_seen(cast.talk, PROGRES)
    await awa.send("/traduire")
    await awa.tap("Traduire")
    left = await awa.send("menu")
    assert awa.texts(left).endswith("Que voulez-vous faire ?")
    await awa.send("/traduire")
    await awa.tap("Traduire")
    helped = await awa.send("/aide")  # a bare command is the command
    assert "/mon_id" in awa.texts(helped)
    taken = await awa.send(PROGRES_WO)  # a sentence starting with one is the translation
    assert awa.texts(taken).startswith("Merci !")


async def test_a_changed_french_source_offers_its_old_translation(cast: Cast) -> None:
    """The French of a reviewed string changed in the code: the new string is to translate,
    with the old string's reviewed translation offered to adapt (never shown to learners)."""
    old = "/progres : vos progrès et certificats"
    async with cast.talk.store.transaction() as runner:
        gone = SourceString(string_key(old), old, "", (), (), 0, 4096)
        await add_translation(
            runner, gone, "wo", ("/progres : sa yokkute",), "accepted", None, datetime.now(UTC)
        )
    await most_seen(cast.talk, PROGRES)
    await cast.awa.send("/traduire")
    shown = cast.awa.texts(await cast.awa.tap("Traduire"))
    assert (
        "Le français a changé. Avant : « /progres : vos progrès et certificats », traduit : "
        "« /progres : sa yokkute »"
    ) in shown
    assert PROGRES in cast.fatou.texts(await cast.fatou.send("/aide"))


async def test_no_unreviewed_string_ever_reaches_a_learner(cast: Cast) -> None:
    """Proposed, rejected, suggested and unclear rows of every kind, then one accepted: a
    learner reads only the accepted one, the rest stays as the .po file has it (French)."""
    catalog = sources()
    progres = catalog.strings[catalog.by_msgid[PROGRES]]
    menu = catalog.strings[catalog.by_msgid["/menu : le menu principal"]]
    now = datetime.now(UTC)
    async with cast.talk.store.transaction() as runner:
        for status, text_ in (
            ("proposed", "/progres : proposé"),
            ("rejected", "/progres : refusé"),
            ("suggestion", "/progres : suggéré"),
            ("unclear", ""),
        ):
            forms = (text_,) if text_ else ()
            await add_translation(runner, progres, "wo", forms, status, None, now)
        await add_translation(runner, menu, "wo", ("/menu : menu bi",), "accepted", None, now)
    helped = cast.fatou.texts(await cast.fatou.send("/aide"))
    assert "/menu : menu bi" in helped
    assert PROGRES in helped
    assert not any(word in helped for word in ("proposé", "refusé", "suggéré"))
    assert cast.talk.i18n.reviewed == {"wo": {"/menu : le menu principal": ("/menu : menu bi",)}}


async def test_a_review_acts_on_the_proposal_shown(cast: Cast) -> None:
    """Two reviewers look at the same proposal: the first accepts it; the second's tap on the
    proposal they were shown is told it is no longer waiting, and accepts nothing else."""
    awa, moussa = cast.awa, cast.moussa
    omar = Person.on(cast.talk, "telegram", "104")
    await omar.onboard(role="Enseignant")
    await give(cast.talk, omar, Grant(Role.TRANSLATOR, None, "wo"))
    await most_seen(cast.talk, PROGRES, views=900)
    await most_seen(cast.talk, "/menu : le menu principal", views=800)
    await awa.send("/traduire")
    await awa.tap("Traduire")
    await awa.send(PROGRES_WO)
    await awa.send("/menu : menu bi")
    await moussa.send("/traduire")
    await moussa.tap("Relire (2)")
    await omar.send("/traduire")
    await omar.tap("Relire (2)")
    await omar.tap("Accepter")
    late = await moussa.tap("Accepter")
    assert moussa.texts(late).startswith(
        "Cette traduction n'est plus à relire, ou c'est la vôtre : un autre traducteur la relit."
    )
    assert "Proposé : « /menu : menu bi »" in moussa.texts(late)  # the other one, shown now
    found = await rows(cast.talk, "SELECT msgid, status FROM translations ORDER BY id")
    assert found == [(PROGRES, "accepted"), ("/menu : le menu principal", "proposed")]


async def test_a_sitting_is_typed_handed_to_a_course_and_forgotten_once_left(cast: Cast) -> None:
    awa, talk = cast.awa, cast.talk
    await most_seen(talk, PROGRES)
    await awa.send("/traduire")
    await awa.tap("Traduire")
    await awa.tap("Passer")
    sitting = (await stored_state(talk, awa))["flows"]["translate"]
    assert (sitting["lang"], sitting["skip"][0]) == ("wo", string_key(PROGRES, ""))
    await awa.tap("Traduction")
    await awa.tap("Un cours")  # the course translation flow, in the same language
    assert (await stored_state(talk, awa))["flows"] == {
        "course_translate": {
            "lang": "wo",
            "course": "",
            "key": None,
            "mode": "new",
            "proposal": None,
            "skip": [],
            "shown": None,
            "shown_key": None,
            "rskip": [],
        }
    }
    assert awa.texts(awa.sent[-1:]).startswith("Quel cours traduire en Wolof ?")
    await awa.send("/menu")
    assert "flows" not in await stored_state(talk, awa)
