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


async def family_with_a_pin(chat: ChatLearner) -> None:
    """Fatou (the main profile) and Awa, whose PIN is 2580; the phone is Fatou's turn."""
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
    assert "C'est au tour de Fatou" in chat.last_text()


async def test_a_pin_prompt_is_left_by_start_and_offers_code_oublie(chat: ChatLearner) -> None:
    await family_with_a_pin(chat)
    for command in ("/start", "/menu"):
        await chat.send("/eleve")
        await chat.tap("Awa 🔒")
        assert "Code PIN d'Awa" in chat.last_text()
        assert any(label.startswith("Code oublié") for label in chat.options())
        await chat.send(command)  # the prompt is left: Fatou's menu, Awa's profile closed
        assert "Que voulez-vous faire" in chat.last_text()
        assert "C'est au tour d'Awa" not in chat.last_text()


async def test_a_forgotten_sibling_profile_is_erased_only_after_confirming(
    chat: ChatLearner,
) -> None:
    await family_with_a_pin(chat)
    await chat.send("/eleve")
    await chat.tap("Awa 🔒")
    await chat.tap("Code oublié")
    assert "doit d'abord avoir son propre code" in chat.last_text()  # Fatou has no PIN
    await chat.tap("Effacer ce profil")
    await chat.tap("Non, garder")
    assert "Rien n'a été effacé" in chat.last_text()
    await chat.tap("Awa 🔒")
    await chat.tap("Code oublié")
    await chat.tap("Effacer ce profil")
    await chat.tap("Oui, effacer Awa")
    assert "Le profil d'Awa est effacé" in chat.last_text()
    await chat.send("/menu")
    assert "Que voulez-vous faire" in chat.last_text()
    await chat.send("/eleve")
    assert not any("Awa" in label for label in chat.options())
