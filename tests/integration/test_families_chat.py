"""Families on Telegram, WhatsApp and the web chat: a learner invites a guardian with a code,
the guardian accepts on their own phone (any channel), the learner removes them or the
guardian stops; and the optional question "girl or boy", answered or declined.

The other person of each conversation talks through the real conversations on the same
database (tests/store_driver.py), on another channel.
"""

from __future__ import annotations

import re

from sqlalchemy import text

from bot.conversations import Conversations
from tests.chat_drivers import ChatLearner
from tests.chat_drivers import chat_fixture as chat_fixture  # the `chat` fixture
from tests.integration.test_same_journey import onboard
from tests.store_driver import Person, open_conversations

INTRO = (
    "👪 Un parent ou un tuteur peut recevoir chaque semaine un court résumé de votre "
    "travail : jours d'étude, leçons terminées, devoirs. Jamais vos réponses."
)


async def rows(talk: Conversations, sql: str, **params: object) -> list[tuple[object, ...]]:
    async with talk.store.engine.connect() as conn:
        return [tuple(r) for r in (await conn.execute(text(sql), params)).all()]


def code_in(said: str) -> str:
    found = re.search(r"/parent ([A-Z0-9]{8})", said)
    assert found is not None, said
    return found[1]


async def test_a_learner_invites_a_guardian_who_accepts_then_removes_them(
    chat: ChatLearner, database_url: str
) -> None:
    await onboard(chat)
    await chat.send("/famille")
    assert chat.last_text() == INTRO
    await chat.tap("Inviter un parent")
    assert chat.last_text() == "Quel prénom votre parent verra-t-il dans les résumés ?"
    await chat.send("Awa")
    said = chat.last_text()
    code = code_in(said)
    assert f"✅ Voici le code d'invitation : {code}" in said
    assert f"Invitation en attente : {code}" in " ".join(chat.options())
    async with open_conversations(database_url) as talk:
        mother = Person.on(talk, "whatsapp", "22177000001")
        await mother.onboard()
        await mother.send(f"/parent {code.lower()}")
        asked = mother.texts(mother.sent[-1:])
        assert asked == (
            "👪 Awa vous invite à recevoir chaque semaine, le dimanche soir, un court "
            "résumé de son travail : jours d'étude, leçons terminées, devoirs à rendre ou en "
            "retard, compétences. Jamais ses réponses.\n\n"
            "Vous pourrez arrêter à tout moment avec /stop_parent. Acceptez-vous ?"
        )
        await mother.tap("J'accepte")
        assert "✅ C'est noté. Vous recevrez le résumé d'Awa chaque dimanche vers 18 h" in (
            mother.texts()
        )
        await mother.send(f"/parent {code}")  # once only
        assert "Ce code d'invitation n'est pas valable" in mother.texts(mother.sent[-2:])
        await chat.send("/famille")
        (label,) = [o for o in chat.options() if o.startswith("❌")]
        assert label.startswith("❌ Parent (depuis le ")
        await chat.tap(label)
        assert chat.last_text().endswith(INTRO), "the removal said, then the list again"
        assert not [o for o in chat.options() if o.startswith("❌")]
        assert await rows(talk, "SELECT id FROM guardians") == []
        await mother.send("/stop_parent")
        assert mother.texts(mother.sent[-2:]) == (
            "Vous ne recevez aucun résumé.\nQue voulez-vous faire ?"
        )


async def test_a_guardian_new_to_the_bot_consents_on_their_side_then_stops(
    chat: ChatLearner, database_url: str
) -> None:
    async with open_conversations(database_url) as talk:
        learner = Person.on(talk, "telegram", "9001")
        await learner.onboard()
        await learner.send("/famille")
        await learner.tap("Inviter un parent")
        await learner.send("Moussa")
        code = code_in(learner.texts())
        await chat.send(f"/parent {code}")
        assert "Français" in chat.options(), "a newcomer onboards first"
        for label in ("Français", "J'accepte", "Sénégal", "Élève", "CM2"):
            await chat.tap(label)
        assert "👪 Moussa vous invite à recevoir chaque semaine" in chat.last_text()
        await chat.tap("Non merci")
        assert "D'accord, vous ne recevrez rien." in chat.last_text()
        assert await rows(talk, "SELECT guardian_id FROM guardians") == [(None,)]
        await chat.send(f"/parent {code}")
        await chat.tap("J'accepte")
        assert "Vous recevrez le résumé de Moussa chaque dimanche" in chat.last_text()
        ((guardian,),) = await rows(talk, "SELECT guardian_id FROM guardians")
        assert guardian is not None
        notices = await rows(
            talk,
            "SELECT b.texts FROM outbox o JOIN broadcasts b ON b.id = o.broadcast_id"
            " JOIN users u ON u.id = o.user_id WHERE u.external_id = '9001'",
        )
        assert "👪 Votre parent a accepté : il recevra votre résumé chaque semaine" in str(
            notices
        ), "the learner is told"
        await learner.send("/famille")
        assert any(o.startswith("❌ Parent (depuis le ") for o in learner.options())
        await chat.send("/stop_parent")
        assert "🔕 D'accord, vous ne recevrez plus de résumé." in chat.last_text()
        assert await rows(talk, "SELECT id FROM guardians") == []


async def test_an_unknown_or_own_code_is_refused(chat: ChatLearner, database_url: str) -> None:
    await onboard(chat)
    await chat.send("/famille")
    await chat.tap("Inviter un parent")
    await chat.send("Awa")
    code = code_in(chat.last_text())
    await chat.send(f"/parent {code}")  # one's own invitation
    refused = (
        "Ce code d'invitation n'est pas valable (il a peut-être déjà servi, ou plus de "
        "7 jours ont passé). Demandez un nouveau code à l'élève."
    )
    assert refused in chat.last_text()
    await chat.send("/parent ZZZZZZZZ")
    assert refused in chat.last_text()


async def test_the_sex_question_is_answered_changed_and_declined(
    chat: ChatLearner, database_url: str
) -> None:
    await onboard(chat)
    await chat.send("/menu")
    if "Langue et profil" not in " ".join(chat.options()):
        await chat.tap("Plus de choix")
    await chat.tap("Langue et profil")
    await chat.tap("Fille ou garçon")
    assert chat.last_text() == (
        "Êtes-vous une fille ou un garçon ? Vous pouvez ne pas répondre.\n\n"
        "Pourquoi cette question : pour savoir si les filles et les garçons apprennent "
        "autant avec Imaginecole. Votre réponse n'est montrée à personne, elle ne compte "
        "que dans des totaux d'au moins 5 élèves. Vous pouvez la changer ou l'effacer ici."
    )
    await chat.tap("Fille")
    async with open_conversations(database_url) as talk:
        assert await rows(talk, "SELECT sex FROM learner_sex") == [("girl",)]
        await chat.send("/menu")
        if "Langue et profil" not in " ".join(chat.options()):
            await chat.tap("Plus de choix")
        await chat.tap("Langue et profil")
        await chat.tap("Fille ou garçon")
        await chat.tap("Je préfère ne pas le dire")
        assert "D'accord, je ne garde aucune réponse." in chat.last_text()
        assert await rows(talk, "SELECT sex FROM learner_sex") == []
