"""A family phone over each real channel (Telegram, WhatsApp, web chat) and its fake."""

from __future__ import annotations

from tests.chat_drivers import ChatLearner
from tests.chat_drivers import chat_fixture as chat_fixture  # the `chat` fixture


async def test_two_learners_share_a_phone_and_a_pin_guards_one(chat: ChatLearner) -> None:
    await chat.send("/start")
    for label in ("Français", "J'accepte", "Sénégal", "Élève", "CM2"):
        await chat.tap(label)
    await chat.tap("Changer d'élève")
    assert "✅ Profil principal (en ce moment)" in chat.last_text()
    await chat.tap("Ajouter un élève")
    await chat.send("Fatou")
    await chat.send("Awa")
    assert "Nouveau profil : Awa" in chat.last_text()
    for label in ("Français", "J'accepte", "Élève", "CE1"):
        await chat.tap(label)
    assert "Que voulez-vous faire" in chat.last_text()
    await chat.send("/eleve")
    await chat.tap("Mettre un code PIN")
    await chat.send("2580")
    await chat.send("/eleve")
    await chat.tap("Fatou")
    assert "C'est au tour de Fatou" in chat.last_text()
    await chat.send("/eleve")
    await chat.tap("Awa")
    assert "Code PIN d'Awa" in chat.last_text()
    await chat.send("1111")
    assert "Encore 2 essais" in chat.last_text()
    await chat.send("2580")
    assert "C'est au tour d'Awa" in chat.last_text()
    assert "Que voulez-vous faire" in chat.last_text()


async def test_the_pin_gate_after_an_erasure_always_has_a_way_out(chat: ChatLearner) -> None:
    await chat.send("/start")
    for label in ("Français", "J'accepte", "Sénégal", "Élève", "CM2"):
        await chat.tap(label)
    await chat.tap("Changer d'élève")
    await chat.tap("Ajouter un élève")
    await chat.send("Fatou")
    await chat.send("Awa")
    for label in ("Français", "J'accepte", "Élève", "CE1"):
        await chat.tap(label)
    await chat.send("/eleve")
    await chat.tap("Mettre un code PIN")
    await chat.send("2580")
    await chat.send("/eleve")
    await chat.tap("Fatou")
    await chat.send("/supprimer_mes_donnees")
    await chat.tap("Oui, tout effacer")
    assert "Code PIN d'Awa" in chat.last_text()
    assert "Code oublié ?" in chat.options()
    for command in ("/start", "/menu"):
        await chat.send(command)
        assert "protégé par un code PIN" in chat.last_text()
        assert "Que voulez-vous faire" not in chat.last_text()
        assert "Code oublié ?" in chat.options() and "➕ Ajouter un élève" in chat.options()
    await chat.tap("Code oublié ?")
    assert "ne peut être retiré par personne" in chat.last_text()
    await chat.tap("Retour")
    await chat.send("2580")
    assert "Que voulez-vous faire" in chat.last_text()
