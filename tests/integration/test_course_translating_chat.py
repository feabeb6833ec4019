"""Teachers translate a course in the chat: a translator of Wolof types the texts of a
course one at a time (titles, steps, a question, its options), a teacher whose interface is
in Wolof reviews them (never their own), and a Wolof learner then reads and answers the
quiz in Wolof, graded as in French, with no restart; the reviewed texts are written into
`course.wo.md` by `python -m bot catalogs export-courses`.

Conversations on the real store (SQLite, and PostgreSQL when TEST_POSTGRES_URL is set).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.catalogs_cli import export_courses
from bot.conversations import Conversations
from bot.storage.course_translations import SqlCourseTranslationDesk, reviewed_texts
from content.library import load_library
from content.translation_units import units
from content.translations import translation_gaps
from dialogs.roles import Grant, Role
from dialogs.translation_ports import ACCEPTED, EDITED, REJECTED
from tests.integration.test_shared_library import stored_state
from tests.integration.test_translators_chat import give
from tests.store_driver import Person, open_conversations
from tests.unit.test_course_translation_quiz import COURSE


@dataclass
class Cast:
    talk: Conversations
    awa: Person  # translates Wolof
    moussa: Person  # a teacher reading the interface in Wolof: reviews
    fatou: Person  # a learner reading Wolof
    folder: Path


@pytest.fixture
async def cast(database_url: str, tmp_path: Path) -> AsyncIterator[Cast]:
    folder = tmp_path / "library" / "parts"
    folder.mkdir(parents=True)
    (folder / "course.md").write_text(COURSE, encoding="utf-8")
    async with open_conversations(database_url, load_library(folder.parent)) as talk:
        awa = Person.on(talk, "telegram", "201")
        moussa = Person.on(talk, "whatsapp", "221770000202")
        fatou = Person.on(talk, "telegram", "203")
        await awa.onboard(role="Enseignant")
        await give(talk, awa, Grant(Role.TRANSLATOR, None, "wo"))
        await moussa.onboard(role="Enseignant")
        await give(talk, moussa, Grant(Role.TEACHER, "SN"))
        await fatou.onboard(level="CM1")
        for person in (moussa, fatou):
            await person.send("/langue")
            await person.tap("Wolof")
        yield Cast(talk, awa, moussa, fatou, folder)


async def translate(person: Person, *texts: str) -> str:
    """Type translations one after the other; what the last one got back."""
    got = ""
    for text in texts:
        got = person.texts(await person.send(text))
    return got


async def test_a_course_translated_in_the_chat_reaches_learners_once_reviewed(
    cast: Cast, database_url: str
) -> None:
    awa, moussa, fatou = cast.awa, cast.moussa, cast.fatou
    await awa.send("/traduire")
    assert "📚 Un cours" in awa.options()
    courses = await awa.tap("Un cours")
    assert awa.texts(courses) == "Quel cours traduire en Wolof ?"
    assert awa.options() == ["Les parts", "🏠 Menu"]
    page = await awa.tap("Les parts")
    assert awa.texts(page) == (
        "« Les parts » en Wolof : 0 textes traduits sur 17, 0 à refaire (le français a"
        " changé), 0 en attente de relecture. Français jugé peu clair : 0."
    )
    assert awa.options() == ["✍️ Traduire", "🔎 Relire (0)", "📚 Autre cours", "🏠 Menu"]
    shown = await awa.tap("Traduire")
    assert awa.texts(shown) == (
        "Les parts · Titre du cours\n"
        "Français : « Les parts »\n"
        "Un bouton : au plus 20 caractères.\n"
        "Écrivez la traduction en Wolof :"
    )
    assert awa.options() == ["⏭️ Passer", "❓ Pas clair", "⬅️ Le cours"]
    thanked = await awa.send("Pàcc yi")
    assert awa.texts(thanked) == (
        "Merci ! Une autre personne qui parle Wolof va la relire avant que les élèves la"
        " voient.\n"
        "Les parts · Titre d'un module\n"
        "Français : « Comprendre »\n"
        "Un bouton : au plus 20 caractères.\n"
        "Écrivez la traduction en Wolof :"
    )
    step = await translate(awa, "Xam", "Séddale")
    assert step.endswith(
        "Les parts · Leçon « Partager », étape 1\n"
        "Français : « On coupe la galette en 4 parts égales. »\n"
        "Écrivez la traduction en Wolof :"
    )
    option = await translate(awa, "Dagg nañu galett bi ñeenti pàcc yu yem.", "Ñaata pàcc ?")
    assert option.endswith(
        "Les parts · Leçon « Partager », question 1, option 1\n"
        "Français : « 3 »\n"
        "Un bouton : au plus 20 caractères.\n"
        "Écrivez la traduction en Wolof :"
    )
    await awa.send("ñett")
    long = await awa.send("ñeent, ndax dagg nañu galett bi ñeenti pàcc")
    assert awa.texts(long) == (
        "Trop long : 43 caractères, un bouton en montre au plus 20.\n"
        "Écrivez la traduction en Wolof :"
    )
    await translate(awa, "ñeent", "Waaw, ñeenti pàcc.")
    await awa.tap("Passer")  # option 3, "5": a number, left as it is
    explanation = await translate(awa, "Waññil dog yi.")
    assert "question 1, explication" in explanation
    answers = await translate(awa, "Dagg nañu ko ñeenti pàcc.", "Naka lañuy jàng 1/4 ?")
    assert answers.endswith(
        "question 2, réponses acceptées (séparées par « ; », celles en français le restent)\n"
        "Français : « un quart »\n"
        "Écrivez la traduction en Wolof :"
    )
    await translate(awa, "benn ci ñeent")
    await awa.tap("Passer")  # the explanation of question 2
    gap = await translate(awa, "Benn pàcc ci ñeent mooy genn-wàll.")
    assert gap == (
        "Gardez le trou « ___ » : l'élève y met le mot qui manque.\n"
        "Écrivez la traduction en Wolof :"
    )

    # Proposed is not reviewed: the learner still reads French, and nobody reviews their own.
    await fatou.send("/menu")
    await fatou.tap("Njàng yi")
    assert fatou.options() == ["📘 Les parts", "🏠 Menu"]
    await awa.tap("Le cours")
    assert awa.options()[1] == "🔎 Relire (0)"
    nothing = await awa.tap("Relire (0)")
    assert awa.texts(nothing).startswith("Rien à relire dans ce cours en Wolof pour l'instant.")

    # A teacher whose interface is in Wolof reviews: accept, correct, reject.
    await moussa.send("/traduire_cours")
    assert moussa.options() == ["Les parts (12 à relire)", "🏠 Menu"]
    await moussa.tap("Les parts")
    review = await moussa.tap("🔎")
    assert moussa.texts(review) == (
        "Les parts · Titre du cours\nFrançais : « Les parts »\nProposé : « Pàcc yi »\nVotre avis ?"
    )
    assert moussa.texts(await moussa.tap("Accepter")).startswith(
        "Acceptée : les élèves la lisent dès maintenant."
    )
    await moussa.tap("Accepter")  # the module
    await moussa.tap("Corriger")  # the lesson's title
    corrected = await moussa.send("Séddale pàcc yi")
    assert moussa.texts(corrected).startswith(
        "Corrigée et acceptée : les élèves la lisent dès maintenant."
    )
    rejected = await moussa.tap("Refuser")  # the step
    assert moussa.texts(rejected).startswith("Refusée : le texte revient parmi ceux à traduire.")
    for _ in range(7):  # the question, its options, feedback, hint, explanation, question 2
        await moussa.tap("Accepter")
    assert moussa.texts(await moussa.tap("Accepter")).startswith(  # question 2's answers
        "Acceptée : les élèves la lisent dès maintenant.\n"
        "Rien à relire dans ce cours en Wolof pour l'instant."
    )

    # The learner reads it at once (no restart), and is graded in Wolof as in French.
    await fatou.send("/menu")
    await fatou.tap("Njàng yi")
    assert fatou.options() == ["📘 Pàcc yi", "🏠 Menu"]
    await fatou.tap("Pàcc yi")
    assert fatou.options()[0] == "🧩 Xam (0/1)"
    await fatou.tap("Xam")
    lesson = await fatou.tap("Séddale")
    assert fatou.texts(lesson) == (  # the rejected step: French
        "🧩 Xam\nSéddale pàcc yi (1/1)\n\nOn coupe la galette en 4 parts égales."
    )
    await fatou.tap(fatou.options()[0])  # the quiz
    assert fatou.texts(fatou.sent[-1:]) == "Laaj 1 ci 3\n\nÑaata pàcc ?"
    assert fatou.options() == ["ñett", "ñeent", "5"]
    right = await fatou.tap("ñeent")
    assert "Waaw, ñeenti pàcc." in fatou.texts(right)
    typed = await fatou.send("benn ci ñeent")  # question 2, answered in Wolof
    assert "Naka lañuy jàng 1/4 ?" in fatou.texts(fatou.sent[-len(typed) - 2 :])
    assert "✅" in fatou.texts(typed)

    # The rejected step is offered again to translate.
    again = await awa.tap("Traduire")  # Awa is still on the course's page
    assert "Leçon « Partager », étape 1" in awa.texts(again)

    # Written into the course's translation file, to commit.
    written_files = await export_courses(database_url, cast.folder.parent)
    assert written_files == [(cast.folder / "course.wo.md", 11)]
    written = (cast.folder / "course.wo.md").read_text(encoding="utf-8")
    assert written.startswith(
        "language: wo\ntitle: Pàcc yi\n\n# Module : Xam {#comprendre}\n\n"
        "# Séddale pàcc yi {#partager}\n\n## question 1 · source: "
    )
    assert (
        "Ñaata pàcc ?\nhint: Waññil dog yi.\n- ñett\n- ñeent\n  > Waaw, ñeenti pàcc.\n-\n"
        in written
    )
    assert "## question 2 · source: " in written and "= benn ci ñeent" in written
    (course,) = load_library(cast.folder.parent).courses  # it reads back, and is up to date
    assert not [g for g in translation_gaps(course) if "à revoir" in str(g)]


async def test_a_text_whose_french_changed_is_to_redo_and_bad_input_loses_nothing(
    cast: Cast,
) -> None:
    awa, moussa, fatou = cast.awa, cast.moussa, cast.fatou
    await awa.send("/traduire_cours")
    await awa.tap("Les parts")
    await awa.tap("Traduire")
    await awa.tap("Pas clair")  # the course's title: flagged, not offered again
    photo = await awa.send_file("photo", "file-1")
    assert awa.texts(photo).startswith("Je ne peux pas utiliser ce type de message ici.")
    huge = await awa.send("x" * 10_000)
    assert awa.texts(huge) == (  # (the chat keeps the first 2,000 characters of a message)
        "Trop long : 2000 caractères, un bouton en montre au plus 20.\n"
        "Écrivez la traduction en Wolof :"
    )
    await translate(awa, "Xam", "Séddale", "Dagg nañu galett bi ñeenti pàcc yu yem.")
    await translate(awa, "Ñaata pàcc ?")
    await moussa.send("/traduire_cours")
    await moussa.tap("Les parts")
    await moussa.tap("🔎")
    for _ in range(4):
        await moussa.tap("Accepter")

    # The French of the step and of the first question change (a new release of the course).
    changed = COURSE.replace("On coupe la galette", "On partage la galette").replace(
        "Combien de parts ?", "Combien de parts égales ?"
    )
    (cast.folder / "course.md").write_text(changed, encoding="utf-8")
    cast.talk.base_library = load_library(cast.folder.parent)
    await cast.talk.reload_library()
    page = await awa.tap("Le cours")
    assert "2 à refaire (le français a changé)" in awa.texts(page)
    assert awa.texts(page).endswith(
        "Français jugé peu clair : 1.\n\n"
        "❓ Jugés peu clairs (l'auteur du cours peut les réécrire) :\n"
        "• Titre du cours : « Les parts »"
    )  # the title, flagged: listed for whoever can rewrite it
    card = await awa.tap("Traduire")
    assert awa.texts(card).startswith(
        "Les parts · Leçon « Partager », étape 1\n"
        "Français : « On partage la galette en 4 parts égales. »\n"
        "À refaire : le français a changé depuis cette traduction :"
        " « Dagg nañu galett bi ñeenti pàcc yu yem. »\n"
    )
    # The learner still reads the old step, but a changed question is asked in French
    # (its old options might no longer match).
    await fatou.send("/menu")
    await fatou.tap("Njàng yi")
    await fatou.tap("Les parts")
    await fatou.tap(fatou.options()[0])
    lesson = await fatou.tap(fatou.options()[0])
    assert fatou.texts(lesson).endswith("Dagg nañu galett bi ñeenti pàcc yu yem.")
    await fatou.tap(fatou.options()[0])
    assert fatou.texts(fatou.sent[-1:]) == "Laaj 1 ci 3\n\nCombien de parts égales ?"


async def test_the_desk_never_lets_anyone_review_their_own_and_the_latest_review_wins(
    database_url: str,
) -> None:
    async with open_conversations(database_url) as talk:
        awa, moussa = Person.on(talk, "telegram", "301"), Person.on(talk, "telegram", "302")
        for person in (awa, moussa):
            await person.onboard(role="Enseignant")
        ids = {}
        for person in (awa, moussa):
            async with talk.store.turn(person.user) as tx:
                assert tx is not None
                ids[person.user.external_id] = tx.user_id
        async with talk.store.transaction() as runner:
            by_awa = SqlCourseTranslationDesk(runner, ids["301"])
            by_moussa = SqlCourseTranslationDesk(runner, ids["302"])
            first = await by_awa.propose("parts", "wo", "course", "Les parts", "m1", "Pàcc")
            assert not await by_awa.review(first, ACCEPTED)  # her own
            assert await by_moussa.waiting("wo") == {"parts": 1}
            assert await by_awa.waiting("wo") == {}
            assert await by_moussa.review(first, ACCEPTED)
            assert not await by_moussa.review(first, REJECTED)  # no longer waiting
            second = await by_awa.propose("parts", "wo", "course", "Les parts", "m1", "Pàcc yi")
            assert await by_moussa.review(second, EDITED, "Pàcc yu yem")
            third = await by_awa.propose("parts", "wo", "lesson/partager", "Partager", "m2", "X")
            assert await by_moussa.review(third, REJECTED)
            assert await reviewed_texts(runner) == {
                ("parts", "wo"): {"course": ("Pàcc yu yem", "m1")}
            }
            entries = await by_awa.entries("parts", "wo")
            assert list(entries) == ["course"] and entries["course"].mine
            assert entries["course"].status == EDITED


async def test_someone_of_two_languages_picks_one_and_a_french_teacher_is_refused(
    cast: Cast,
) -> None:
    awa = cast.awa
    await give(cast.talk, awa, Grant(Role.TRANSLATOR, None, "ha"))
    asked = await awa.send("/traduire_cours")
    assert awa.texts(asked) == "Quelle langue ?"
    assert awa.options() == ["Hausa", "Wolof", "🏠 Menu"]
    await awa.tap("Hausa")
    assert awa.texts(awa.sent[-1:]) == "Quel cours traduire en Hausa ?"
    teacher = Person.on(cast.talk, "telegram", "204")
    await teacher.onboard(role="Enseignant")
    await give(cast.talk, teacher, Grant(Role.TEACHER, "SN"))
    refused = await teacher.send("/traduire_cours")  # their interface is in French
    assert teacher.texts(refused).startswith(
        "Traduire un cours est réservé aux traducteurs et aux enseignants dont l'interface "
        "est dans la langue de la traduction."
    )


async def test_a_question_reviewed_later_comes_back_in_the_learners_language(cast: Cast) -> None:
    """The spaced review asks a missed question as the quiz did: in Wolof once reviewed."""
    from dialogs.ports import RecordAnswer
    from tests.integration.test_review import answered, make_due

    async with cast.talk.store.transaction() as runner:
        by_awa = SqlCourseTranslationDesk(runner, None)
        course = cast.talk.library.get("parts")
        assert course is not None
        unit = next(u for u in units(course) if u.key == "lesson/partager/q/1/text")
        found = await by_awa.propose("parts", "wo", unit.key, unit.source, unit.mark, "Ñaata?")
        assert await by_awa.review(found, ACCEPTED)  # an import without author: anyone
    await cast.talk.reload_library()
    fatou = cast.fatou
    await answered(fatou, RecordAnswer("parts", "partager", "q1", "a", 0.0, False))
    await make_due(fatou)
    await fatou.send("/menu")
    review = next(label for label in fatou.options() if label.startswith("🔁"))
    asked = await fatou.tap(review)
    assert "Ñaata?" in fatou.texts(asked) and "Combien de parts ?" not in fatou.texts(asked)


async def test_a_course_sitting_is_typed_and_forgotten_once_left(cast: Cast) -> None:
    awa, talk = cast.awa, cast.talk
    await awa.send("/traduire_cours")
    await awa.tap("Les parts")
    await awa.tap("Traduire")
    await awa.tap("Passer")  # the course's title
    sitting = (await stored_state(talk, awa))["flows"]["course_translate"]
    course = talk.library.courses[0]
    assert (sitting["lang"], sitting["course"]) == ("wo", course.id)
    assert sitting["skip"] == [units(course)[0].key]
    await awa.tap("Le cours")
    await awa.tap("Autre cours")  # the same language, another course: a new sitting
    assert (await stored_state(talk, awa))["flows"]["course_translate"]["skip"] == []
    await awa.send("/menu")
    assert "flows" not in await stored_state(talk, awa)
