"""Admins in the chat on the real store: roles, the country boundary, announcements composed,
queued to the outbox, followed and cancelled; learners stopping announcements."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from bot.admin_cli import grant as cli_grant
from bot.channels import REGISTRY
from bot.charts import MatplotlibCharts
from bot.conversations import Conversations
from bot.storage.admin import grants_of
from bot.storage.channels import ChannelStore
from bot.storage.dead_letters import DeadLetters
from bot.storage.impact import PAID_TEMPLATE
from bot.storage.sql import PgRunner, SqliteRunner, as_json, utc
from bot.storage.store import SqlStore
from dialogs.capabilities import Capabilities
from dialogs.messages import Document
from dialogs.roles import Grant, Role
from dialogs.when import parse_when, zone_of
from tests.store_driver import Person, open_conversations


@pytest.fixture
async def talk(database_url: str) -> AsyncIterator[Conversations]:
    async with open_conversations(database_url) as conversations:
        yield conversations


async def outbox_rows(store: SqlStore) -> list[tuple[str, str]]:
    """(channel, status) of every outbox row."""
    if store.on_sqlite:
        async with store.sqlite_transaction() as db:
            rows = await SqliteRunner(db).run("SELECT channel, status FROM outbox ORDER BY id")
    else:
        async with store.engine.begin() as conn:
            rows = await PgRunner(conn).run("SELECT channel, status FROM outbox ORDER BY id")
    return [(str(c), str(s)) for c, s in rows]


async def admin_of(talk: Conversations, database_url: str, role: str, country: str) -> Person:
    """An onboarded person made admin from the command line."""
    person = Person.on(talk, "telegram", f"admin-{role}-{country}")
    await person.onboard(country={"SN": "Sénégal", "ML": "Mali"}[country], role="Enseignant")
    await cli_grant(database_url, "telegram", person.user.external_id, role, country)
    return person


async def learners(talk: Conversations, n: int, country: str, channel: str) -> list[Person]:
    """Onboarded students of a country on a channel."""
    people = []
    for i in range(n):
        person = Person.on(talk, channel, f"{channel}-{country}-{i}")
        await person.onboard(country=country)
        people.append(person)
    return people


async def test_a_student_is_refused_admin_commands(talk: Conversations) -> None:
    student = Person.on(talk, "telegram", "s1")
    await student.onboard()
    await student.send("/admin")
    assert "réservée aux administrateurs" in student.texts()
    assert "Administration" not in student.texts()


async def test_a_self_declared_teacher_is_not_an_admin(talk: Conversations) -> None:
    teacher = Person.on(talk, "whatsapp", "22177000001")
    await teacher.onboard(role="Enseignant")
    await teacher.send("/admin")
    assert "réservée aux administrateurs" in teacher.texts()


async def test_a_national_admin_grants_a_teacher_of_their_country_only(
    talk: Conversations, database_url: str
) -> None:
    admin = await admin_of(talk, database_url, "national_admin", "SN")
    teacher = Person.on(talk, "telegram", "t-sn")
    await teacher.onboard(country="Sénégal", role="Enseignant")
    await teacher.send("/mon_code")
    code = teacher.texts().split("Votre code : ")[1].split()[0]
    foreigner = Person.on(talk, "telegram", "t-ml")
    await foreigner.onboard(country="Mali", role="Enseignant")
    await foreigner.send("/mon_code")
    foreign_code = foreigner.texts().split("Votre code : ")[1].split()[0]

    await admin.send("/admin")
    await admin.tap("Donner un rôle")
    await admin.send(foreign_code)
    assert "aucun rôle" in admin.texts()  # Mali is beyond a Senegalese admin
    await admin.tap("Donner un rôle")
    await admin.send("ZZZZZZ")
    assert "Je ne trouve personne" in admin.texts()
    await admin.send(code.lower())
    assert admin.options() == ["Modérateur", "Enseignant", "Traducteur", "⬅️ Administration"]
    await admin.tap("Enseignant")
    assert "rôle « Enseignant » donné" in admin.texts()
    store = talk.store
    async with store.turn(teacher.user) as tx:
        assert tx is not None
        assert await grants_of(tx.runner, tx.user_id) == [Grant(Role.TEACHER, "SN")]
    async with store.turn(foreigner.user) as tx:
        assert tx is not None
        assert await grants_of(tx.runner, tx.user_id) == []


async def test_a_regional_admin_may_make_a_national_admin(
    talk: Conversations, database_url: str
) -> None:
    admin = Person.on(talk, "telegram", "regional")
    await admin.onboard(country="Mali", role="Enseignant")
    await cli_grant(database_url, "telegram", "regional", "regional_admin", "")
    other = Person.on(talk, "telegram", "future-ml")
    await other.onboard(country="Mali", role="Enseignant")
    await other.send("/mon_code")
    code = other.texts().split("Votre code : ")[1].split()[0]
    await admin.send("/admin")
    await admin.tap("Donner un rôle")
    await admin.send(code)
    assert "Administrateur national" in admin.options()
    await admin.tap("Administrateur national")
    await other.send("/admin")
    assert "Administration : que voulez-vous faire ?" in other.texts()


async def compose(admin: Person, text: str, *, countries: list[str] | None = None) -> None:
    """From the admin menu to the preview."""
    await admin.send("/admin")
    await admin.tap("Nouvelle annonce")
    await admin.send(text)
    await admin.tap("Version العربية")
    await admin.send("إعلان: المدارس تفتح يوم الاثنين.")
    await admin.tap("Continuer")
    if countries is not None:
        for country in countries:
            await admin.tap(country)
        await admin.tap("Valider")
    await admin.tap("Les élèves")
    await admin.tap("Toutes les classes")
    await admin.tap("Toutes les langues")
    await admin.tap("Pas de classe précise")
    await admin.tap("Tout le monde")


async def test_a_national_admin_broadcasts_to_their_country(
    talk: Conversations, database_url: str
) -> None:
    await learners(talk, 3, "Sénégal", "telegram")
    await learners(talk, 2, "Sénégal", "whatsapp")
    await learners(talk, 2, "Mali", "telegram")
    web = Person.on(talk, "web", "browser-1")
    await web.onboard(country="Sénégal")
    stopped = Person.on(talk, "telegram", "no-news")
    await stopped.onboard(country="Sénégal")
    await stopped.send("/stop_annonces")
    assert "Vous ne recevrez plus d'annonces" in stopped.texts()
    admin = await admin_of(talk, database_url, "national_admin", "SN")

    await compose(admin, "Les écoles rouvrent lundi.")  # no country question: Senegal only
    assert "Aperçu :\n\nLes écoles rouvrent lundi." in admin.texts()
    said = admin.texts()
    assert "1 personne la lira en ouvrant le chat" in said  # the web learner: their inbox
    assert "Cette annonce touchera 6 personnes.\nOn envoie ?" in said
    await admin.tap("Envoyer maintenant")
    assert "6 messages partent maintenant" in admin.texts()
    assert (
        sorted(await outbox_rows(talk.store))
        == [("telegram", "queued")] * 3 + [("web", "queued")] + [("whatsapp", "queued")] * 2
    )

    await admin.tap("Annonces envoyées")
    assert "public 6" in admin.texts() and "en attente 6" in admin.texts()
    await admin.tap("Annuler l'annonce")
    assert "6 messages ne partiront pas" in admin.texts()
    assert {s for _, s in await outbox_rows(talk.store)} == {"cancelled"}


async def test_an_announcement_nobody_can_receive_says_why_before_it_is_sent(
    talk: Conversations, database_url: str
) -> None:
    mute = Person.on(talk, "kiosk", "kiosk-only")  # a channel that cannot write first
    await mute.onboard(country="Sénégal")
    await learners(talk, 2, "Mali", "telegram")
    admin = await admin_of(talk, database_url, "national_admin", "SN")
    await compose(admin, "Les écoles rouvrent lundi.")
    said = admin.texts()
    assert "⚠️ Personne ne recevra cette annonce : personne ne correspond à ce public." in said
    assert (
        "1 personne correspond, mais ne la recevra pas : l'application où elle nous parle "
        "ne peut pas écrire en premier." in said
    )
    assert not any("Envoyer maintenant" in o or "Dans 1 heure" in o for o in admin.options())
    await admin.tap("Recommencer")
    assert "Écrivez l'annonce en français" in admin.texts()
    assert await outbox_rows(talk.store) == []


async def test_the_preview_says_who_reads_it_only_when_they_open_the_chat(
    talk: Conversations, database_url: str
) -> None:
    await learners(talk, 2, "Sénégal", "telegram")
    await learners(talk, 3, "Sénégal", "web")
    admin = await admin_of(talk, database_url, "national_admin", "SN")
    await compose(admin, "Les écoles rouvrent lundi.")
    said = admin.texts()
    assert (
        "3 personnes la liront en ouvrant le chat : leur page est peut-être fermée, et rien "
        "ne les en avertit avant.\nCette annonce touchera 5 personnes.\nOn envoie ?" in said
    )
    assert any("Envoyer maintenant" in o for o in admin.options())


async def test_the_preview_says_who_on_whatsapp_is_outside_the_24_hour_window(
    talk: Conversations, database_url: str
) -> None:
    recent, silent, _never_wrote = await learners(talk, 3, "Sénégal", "whatsapp")
    channels = ChannelStore(talk.store)
    now = datetime.now(UTC)
    for person, wrote in ((recent, now), (silent, now - timedelta(days=3))):
        async with talk.store.turn(person.user) as tx:
            assert tx is not None
            uid = tx.user_id
        await channels.touch(uid, wrote)
    admin = await admin_of(talk, database_url, "national_admin", "SN")
    await compose(admin, "Les écoles rouvrent lundi.")
    said = admin.texts()
    assert "Cette annonce touchera 3 personnes." in said
    assert "2 personnes n'ont pas écrit depuis 24 heures : leur application" in said
    assert any("Envoyer maintenant" in o for o in admin.options())


async def test_stopped_announcements_can_start_again(talk: Conversations) -> None:
    learner = Person.on(talk, "telegram", "back")
    await learner.onboard()
    await learner.send("/stop_annonces")
    await learner.send("/annonces")
    assert "Vous recevrez à nouveau les annonces" in learner.texts()
    assert learner.last_prompt().text == "Que voulez-vous faire ?"  # still where they were


async def test_a_regional_admin_picks_countries(talk: Conversations, database_url: str) -> None:
    await learners(talk, 2, "Mali", "telegram")
    await learners(talk, 1, "Sénégal", "telegram")
    admin = Person.on(talk, "telegram", "regional")
    await admin.onboard(role="Enseignant")
    await cli_grant(database_url, "telegram", "regional", "regional_admin", "")
    await compose(admin, "Concours de lecture !", countries=["Mali"])
    assert "touchera 2 personnes" in admin.texts()
    await admin.tap("Demain à la même heure")
    assert "programmée" in admin.texts()
    assert await outbox_rows(talk.store) == []  # written when its time comes


async def test_a_national_admin_does_not_see_other_countries_broadcasts(
    talk: Conversations, database_url: str
) -> None:
    await learners(talk, 1, "Mali", "telegram")
    mali = await admin_of(talk, database_url, "national_admin", "ML")
    await compose(mali, "Annonce du Mali")
    await mali.tap("Envoyer maintenant")
    senegal = await admin_of(talk, database_url, "national_admin", "SN")
    await senegal.send("/admin")
    await senegal.tap("Annonces envoyées")
    assert "Annonce du Mali" not in senegal.texts()
    assert "Aucune annonce" in senegal.texts()
    assert not any("Annuler" in label for label in senegal.options())


async def test_a_too_long_announcement_is_refused_with_its_length(
    talk: Conversations, database_url: str
) -> None:
    admin = await admin_of(talk, database_url, "national_admin", "SN")
    await admin.send("/admin")
    await admin.tap("Nouvelle annonce")
    await admin.send("x" * 10_000)
    assert "C'est trop long (10 000 caractères" in admin.texts().replace("\u202f", " ")
    assert datetime.now(UTC)  # the draft is still open: a shorter text is taken
    await admin.send("Plus court.")
    assert "Chacun recevra l'annonce dans sa langue" in admin.texts()


async def test_impact_report_of_a_national_admin_covers_their_country_only(
    talk: Conversations, database_url: str
) -> None:
    await learners(talk, 3, "Sénégal", "telegram")
    await learners(talk, 2, "Mali", "whatsapp")
    admin = await admin_of(talk, database_url, "national_admin", "SN")
    replies = await admin.send("/stats")
    summary = admin.texts(replies)
    assert "Impact du programme" in summary
    assert "Sénégal : 3 élèves inscrits" in summary  # the admin is not a student
    assert "Mali" not in summary
    documents = {m.filename: m for m in replies if isinstance(m, Document)}
    assert set(documents) == {"impact.csv"}  # no chart port in this driver
    rows = documents["impact.csv"].content.decode("utf-8-sig").splitlines()
    assert rows[0].startswith("pays,élèves")
    assert [row.split(",")[0] for row in rows[1:]] == ["SN"]


async def test_a_regional_admin_sees_every_country_and_a_chart(
    talk: Conversations, database_url: str
) -> None:
    await learners(talk, 2, "Mali", "telegram")
    admin = Person.on(talk, "telegram", "regional")
    await admin.onboard(role="Enseignant")
    await cli_grant(database_url, "telegram", "regional", "regional_admin", "")
    talk.charts = MatplotlibCharts()
    await admin.send("/admin")
    replies = await admin.tap("Statistiques")
    assert "Mali : 2 élèves inscrits" in admin.texts(replies)
    chart = next(m for m in replies if isinstance(m, Document) and m.filename == "impact.png")
    assert chart.content.startswith(b"\x89PNG")
    assert admin.last_prompt().text == "Administration : que voulez-vous faire ?"


class RecordingCharts:
    """Charts that keep what they were asked to draw (and draw nothing)."""

    def __init__(self) -> None:
        self.series: dict[str, list[int]] = {}

    async def weekly(
        self, title: str, weeks: list[str], series: dict[str, list[int]], rtl: bool
    ) -> bytes:
        self.series = series
        return b"\x89PNG"

    async def progress_bars(
        self, title: str, labels: list[str], values: list[float], maximum: float, rtl: bool
    ) -> bytes:
        return b"\x89PNG"


async def test_the_report_counts_students_as_students_in_its_text_and_chart(
    talk: Conversations, database_url: str
) -> None:
    await learners(talk, 3, "Sénégal", "telegram")
    declared = Person.on(talk, "whatsapp", "self-declared-teacher")
    await declared.onboard(role="Enseignant")
    granted = Person.on(talk, "web", "granted-teacher")
    await granted.onboard()
    await cli_grant(database_url, "web", "granted-teacher", "teacher", "SN")
    admin = await admin_of(talk, database_url, "national_admin", "SN")
    charts = RecordingCharts()
    talk.charts = charts
    summary = admin.texts(await admin.send("/stats"))
    assert "Sénégal : 3 élèves inscrits" in summary
    assert "1 enseignant," in summary and "1 enseignants" not in summary
    assert "0 classe," in summary and "0 cours publié " in summary
    assert sum(charts.series["Nouveaux élèves"]) == 3  # the same people as the text


async def test_one_of_each_reads_in_the_singular(talk: Conversations, database_url: str) -> None:
    (student,) = await learners(talk, 1, "Mali", "telegram")
    await student.send("/menu")
    admin = await admin_of(talk, database_url, "national_admin", "ML")
    summary = admin.texts(await admin.send("/stats"))
    assert "Mali : 1 élève inscrit, 1 actif sur 7 jours, 1 sur 30 jours" in summary


async def test_a_student_cannot_read_the_impact_report(talk: Conversations) -> None:
    student = Person.on(talk, "telegram", "curious")
    await student.onboard()
    replies = await student.send("/stats")
    assert "réservée aux administrateurs" in student.texts(replies)
    assert not any(isinstance(m, Document) for m in replies)


async def test_an_announcement_carries_an_image(talk: Conversations, database_url: str) -> None:
    await learners(talk, 1, "Sénégal", "telegram")
    admin = await admin_of(talk, database_url, "national_admin", "SN")
    await admin.send("/admin")
    await admin.tap("Nouvelle annonce")
    assert "envoyer une image ou un document" in admin.texts()
    await admin.send_file("photo", "AgACAgQAAx-photo-id")
    assert "Pièce jointe reçue" in admin.texts()
    await admin.send("Voici le calendrier des examens.")
    await admin.tap("Continuer")
    await admin.tap("Les élèves")
    await admin.tap("Toutes les classes")
    await admin.tap("Toutes les langues")
    await admin.tap("Pas de classe précise")
    await admin.tap("Tout le monde")
    assert "Avec une pièce jointe : image" in admin.texts()
    await admin.tap("Envoyer maintenant")
    store = talk.store
    async with store.turn(admin.user) as tx:
        assert tx is not None
        rows = await tx.runner.run("SELECT attachment FROM broadcasts")
    attachment = as_json(rows[0][0])
    assert attachment["file_id"] == "AgACAgQAAx-photo-id"
    assert (attachment["kind"], attachment["channel"]) == ("image", "telegram")


async def test_the_admin_is_told_who_gets_the_text_without_the_attachment(
    talk: Conversations, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a channel that writes first but carries no files (a text-message gateway, say)
    monkeypatch.setitem(REGISTRY, "sms", Capabilities(can_push=True, pushes_live=True))
    await learners(talk, 1, "Sénégal", "telegram")
    await learners(talk, 2, "Sénégal", "sms")
    admin = await admin_of(talk, database_url, "national_admin", "SN")
    await admin.send("/admin")
    await admin.tap("Nouvelle annonce")
    await admin.send_file("photo", "AgACAgQAAx-photo-id")
    await admin.send("Voici le calendrier des examens.")
    await admin.tap("Continuer")
    for label in ("Les élèves", "Toutes les classes", "Toutes les langues"):
        await admin.tap(label)
    await admin.tap("Pas de classe précise")
    await admin.tap("Tout le monde")
    assert (
        "📎 2 personnes recevront le texte sans la pièce jointe : l'application où elles nous "
        "parlent ne transmet pas de fichiers.\nCette annonce touchera 3 personnes.\nOn envoie ?"
    ) in admin.texts()


async def test_a_sticker_is_not_an_attachment(talk: Conversations, database_url: str) -> None:
    admin = await admin_of(talk, database_url, "national_admin", "SN")
    await admin.send("/admin")
    await admin.tap("Nouvelle annonce")
    await admin.send_file("sticker", "CAACAgIAAx-sticker")
    assert "Je ne peux pas utiliser ce type de message ici" in admin.texts()


async def test_refusals_show_in_the_report_by_channel_and_code(
    talk: Conversations, database_url: str
) -> None:
    people = await learners(talk, 2, "Sénégal", "whatsapp")
    texters = await learners(talk, 1, "Sénégal", "sms")
    channels = ChannelStore(talk.store)
    for person in people + texters:
        async with talk.store.turn(person.user) as tx:
            assert tx is not None
            uid = tx.user_id
        channel = person.user.channel
        code = 131000 if channel == "whatsapp" else 16
        await channels.record_failure(uid, channel, "text", code, datetime.now(UTC))
    admin = await admin_of(talk, database_url, "national_admin", "SN")
    replies = await admin.send("/stats")
    text = admin.texts(replies)
    assert "Messages SMS refusés (code × nombre) : 16 × 1\n\n" in text
    assert "Messages WhatsApp refusés (code × nombre) : 131000 × 2" in text, (
        "an SMS code is not counted as WhatsApp's"
    )


async def test_the_cost_names_sms_parts_and_paid_whatsapp_messages_apart(
    talk: Conversations, database_url: str
) -> None:
    """SMS are paid per part, WhatsApp per template message (outside the 24-hour window):
    each figure says which it is, never "SMS" for both."""
    texters = await learners(talk, 2, "Sénégal", "sms")
    whatsapp = await learners(talk, 3, "Sénégal", "whatsapp")
    admin = await admin_of(talk, database_url, "national_admin", "SN")
    await compose(admin, "Examens lundi.")
    await admin.tap("Envoyer maintenant")
    # what the deliverers record: a text of 2 parts each by SMS, the template on WhatsApp
    channels = ChannelStore(talk.store)
    now = datetime.now(UTC)
    for i, person in enumerate(texters + whatsapp):
        uid = await _uid(talk, person)
        sms = person.user.channel == "sms"
        wamid = f"m{i}"
        await channels.record_sent(
            wamid, uid, person.user.channel, "broadcast" if sms else PAID_TEMPLATE, now
        )
        await _statement(
            talk.store,
            "UPDATE outbox SET status = 'sent', platform_id = :mid WHERE user_id = :uid",
            mid=wamid,
            uid=uid,
        )
        if sms:
            await _statement(
                talk.store, "UPDATE sent_messages SET segments = 2 WHERE id = :mid", mid=wamid
            )
    await admin.send("/admin")
    await admin.tap("Annonces envoyées")
    assert "Coût : 4 SMS facturés, 3 messages WhatsApp payants" in admin.texts()
    shown = admin.texts(await admin.send("/stats"))
    assert (
        "Annonces payées au message, 30 derniers jours : 5 envoyées, "
        "4 SMS facturés, 3 messages WhatsApp payants"
    ) in shown


async def _uid(talk: Conversations, person: Person) -> int:
    async with talk.store.turn(person.user) as tx:
        assert tx is not None
        return tx.user_id


async def _statement(store: SqlStore, sql: str, **params: object) -> None:
    if store.on_sqlite:
        async with store.sqlite_transaction() as db:
            await SqliteRunner(db).run(sql, **params)
        return
    async with store.engine.begin() as conn:
        await PgRunner(conn).run(sql, **params)


async def test_dead_letters_show_in_the_report_by_channel_without_their_text(
    talk: Conversations, database_url: str
) -> None:
    """Admins learn that messages were set aside; which and why is for the operators."""
    people = await learners(talk, 2, "Sénégal", "whatsapp")
    mali = await learners(talk, 1, "Mali", "whatsapp")
    letters = DeadLetters(talk.store)
    now = datetime.now(UTC)
    for person in [*people, *mali]:
        address = person.user.external_id
        await letters.park("whatsapp", address, "timeout", "TimeoutError", 3, "secret", now)
    await letters.park("telegram", "999", "unreadable", "TypeError", 1, "secret", now)
    admin = await admin_of(talk, database_url, "national_admin", "SN")
    shown = admin.texts(await admin.send("/stats"))
    assert "(canal × nombre, 3 derniers jours) : whatsapp × 2" in shown, "their country's only"
    assert "secret" not in shown
    regional = await admin_of(talk, database_url, "regional_admin", "SN")
    shown = regional.texts(await regional.send("/stats"))
    assert "3 derniers jours) : telegram × 1, whatsapp × 3" in shown


async def test_an_announcement_is_scheduled_for_a_typed_day_and_time(
    talk: Conversations, database_url: str
) -> None:
    await learners(talk, 1, "Mali", "telegram")
    admin = Person.on(talk, "telegram", "chad-admin")
    await admin.onboard(country="Tchad", role="Enseignant")
    await cli_grant(database_url, "telegram", "chad-admin", "regional_admin", "")
    await compose(admin, "Rentrée scolaire", countries=["Mali"])
    await admin.tap("Choisir le jour et l'heure")
    assert "(heure de Ndjamena)" in admin.texts()
    await admin.send("31/02 8h")
    assert "Je n'ai pas compris cette date" in admin.texts()
    await admin.send("demain 8h")
    expected = parse_when("demain 8h", datetime.now(UTC), zone_of("TD"))
    assert expected is not None
    assert "à 08:00" in admin.texts() and "programmée pour le" in admin.texts()
    assert await outbox_rows(talk.store) == []
    async with talk.store.turn(admin.user) as tx:
        assert tx is not None
        rows = await tx.runner.run("SELECT scheduled_at, status FROM broadcasts")
    assert utc(rows[0][0]) == expected.astimezone(UTC) and rows[0][1] == "scheduled"


async def test_an_announcement_to_one_class_reaches_its_students_only(
    talk: Conversations, database_url: str
) -> None:
    students = await learners(talk, 3, "Sénégal", "telegram")
    teacher = Person.on(talk, "telegram", "class-teacher")
    await teacher.onboard(role="Enseignant")
    async with talk.store.turn(teacher.user) as tx:
        assert tx is not None
        room = await tx.teaching.create_class("CM2 A", "CM2", "sciences")
    for student in students[:2]:
        async with talk.store.turn(student.user) as tx:
            assert tx is not None
            await tx.teaching.join(room.id, student.user.external_id)
    admin = await admin_of(talk, database_url, "national_admin", "SN")
    await admin.send("/admin")
    await admin.tap("Nouvelle annonce")
    await admin.send("Sortie au jardin botanique vendredi.")
    await admin.tap("Continuer")
    await admin.tap("Les élèves")
    await admin.tap("Toutes les classes")
    await admin.tap("Toutes les langues")
    await admin.send("ZZZZZZ")
    assert "Je ne trouve pas la classe ZZZZZZ" in admin.texts()
    await admin.send(room.join_code.lower())
    await admin.tap("Tout le monde")
    assert "touchera 2 personnes" in admin.texts()


async def test_an_announcement_written_in_wolof_and_english_with_english_for_the_others(
    talk: Conversations, database_url: str
) -> None:
    """Any interface language may be written (here Wolof first, no French at all); each
    learner gets theirs, the others the version the admin chose (here English)."""
    from bot.storage.outbox import Outbox

    awa = Person.on(talk, "telegram", "awa-wo")
    await awa.send("/start")
    for label in ("Wolof", "Nangu naa", "Senegaal", "Ndongo", "CM2"):
        await awa.tap(label)
    fatou = Person.on(talk, "telegram", "fatou-fr")
    await fatou.onboard()
    admin = await admin_of(talk, database_url, "national_admin", "SN")
    await admin.send("/admin")
    await admin.tap("Nouvelle annonce")
    await admin.tap("Écrire dans une autre langue")
    assert "Dans quelle langue écrivez-vous l'annonce ?" in admin.texts()
    assert {"➕ Version Wolof", "➕ Version Hausa", "➕ Version English"} <= set(admin.options())
    await admin.tap("Version Wolof")
    assert "Écrivez l'annonce en Wolof, en un seul message :" in admin.texts()
    await admin.send("Lekkool yi dinañu ubbeeku altine.")
    await admin.tap("Version English")
    await admin.send("Schools reopen on Monday.")
    assert "sinon en Wolof" in admin.texts()  # the first written, until the admin chooses
    await admin.tap("Les autres langues : Wolof")  # passes to the next written: English
    assert "sinon en English" in admin.texts()
    assert "↪️ Les autres langues : English" in admin.options()
    await admin.tap("Continuer")
    for label in ("Les élèves", "Toutes les classes", "Toutes les langues"):
        await admin.tap(label)
    await admin.tap("Pas de classe précise")
    await admin.tap("Tout le monde")
    said = admin.texts()
    assert "Aperçu :\n\nSchools reopen on Monday." in said
    assert "[Wolof]\n\nLekkool yi dinañu ubbeeku altine." in said
    await admin.tap("Envoyer maintenant")
    assert "2 messages partent maintenant" in admin.texts()

    items = await Outbox(talk.store, "test").claim("telegram", 10, datetime.now(UTC))
    got = {item.external_id: item.text for item in items}
    assert got == {
        "awa-wo": "Lekkool yi dinañu ubbeeku altine.",
        "fatou-fr": "Schools reopen on Monday.",
    }
