"""Teaching at the right level, in conversation: the fractions course's placement quiz on
Telegram, WhatsApp and the web chat (a strong learner skips what they master, a weak one is
told to follow every lesson), and the author's remediation after a skill failed twice,
returning where the learner was; through the conversations: a failure counted across quiz
and review, and a placement resumed after a restart."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from content.library import load_library
from content.mastery import MASTERED
from content.translated_quiz import question_mark
from content.translations import source_mark
from dialogs.events import UserRef
from dialogs.messages import QuizQuestion
from tests.chat_drivers import ChatLearner
from tests.chat_drivers import chat_fixture as chat_fixture  # the `chat` fixture
from tests.integration.test_review import make_due
from tests.integration.test_same_journey import onboard, open_lesson
from tests.store_driver import Person, open_conversations

COURSE = ("Les cours", "Mathématiques", "Les fractions")
# The placement quiz of content/library/fractions/course.md, answered right, then wrong.
RIGHT = (("send", "7"), ("tap", "3/8"), ("send", "5"), ("send", "7/9"), ("send", "1/3"))
WRONG = (
    ("send", "je ne sais pas"),
    ("tap", "8/3"),
    ("send", "4"),
    ("send", "2/9"),
    ("send", "1/6"),
)
SENS_REMEDY = (
    "🧩 « Partager en parts égales » vous donne du mal : voici une aide pas à pas avant de "
    "continuer.\n\n"
    "Un exemple pas à pas. Une orange est coupée en 3 parts égales et tu en manges 2.\n"
    "1) En combien de parts égales a-t-on coupé ? En 3 : c'est le nombre du bas, le "
    "dénominateur.\n"
    "2) Combien de parts prends-tu ? 2 : c'est le nombre du haut, le numérateur.\n"
    "Tu as donc mangé 2/3 de l'orange, « deux tiers »."
)

PLACING_THIRD = {"question": 2, "remedy": None}  # the placement's state at its third question


async def take_placement(
    chat: ChatLearner, answers: tuple[tuple[str, str], ...], last: str
) -> None:
    """From the menu to the course page, then the six questions of its placement quiz."""
    for label in COURSE:
        await chat.tap(label)
    assert (
        "🧭 Vous connaissez déjà une partie de ce cours ? Le test de placement (6 questions) "
        "vous propose de sauter les leçons que vous maîtrisez."
    ) in chat.last_text()
    await chat.tap("🧭 Test de placement")
    assert "🧭 Test de placement : question 1 sur 6" in chat.last_text()
    assert "Dans la fraction 2/7, quel est le dénominateur ?" in chat.last_text()
    for number, (how, value) in enumerate(answers, 2):
        await (chat.send(value) if how == "send" else chat.tap(value))
        assert f"question {number} sur 6" in chat.last_text(), "no right answer shown"
    await chat.tap(last)


async def test_a_strong_learner_skips_the_lessons_they_master_and_can_go_back(
    chat: ChatLearner,
) -> None:
    await onboard(chat)
    await take_placement(chat, RIGHT, "Vrai")
    said = chat.last_text()
    assert "🧭 Merci, le test est fini !" in said
    assert (
        "Vous maîtrisez déjà ces leçons :\n"
        "• 1. Partager en parts égales\n"
        "• 2. Comparer des fractions\n\n"
        "Voulez-vous les sauter ? Elles resteront sur la page du cours, marquées ⏭️ : vous "
        "pourrez y revenir quand vous voulez. Sautées, elles ne comptent pas comme terminées "
        "et n'ont pas de note."
    ) in said
    await chat.tap("⏭️ Sauter ces leçons")
    said = chat.last_text()
    assert "C'est noté : ces leçons sont marquées ⏭️. Voici la suite du cours." in said
    assert (
        "⏭️ : leçon sautée après le test de placement. Vous pouvez la suivre quand vous "
        "voulez ; elle ne compte pas comme terminée."
    ) in said
    assert "🧭 Vous connaissez déjà" not in said, "the offer is made before starting only"
    assert "🧩 Comprendre les fractions (0/2) ⏭️" in chat.options(), "skipped, not done"
    await chat.tap("Comprendre les fractions")
    assert "1. Partager en parts égales ⏭️" in chat.options()
    assert "⏭️ : leçon sautée après le test de placement." in chat.last_text()
    await chat.tap("Partager en parts égales")
    assert "Partager en parts égales (1/" in chat.last_text(), "a skipped lesson opens"
    await chat.send("/progres")
    said = chat.last_text()
    assert "✅ Partager en parts égales : maîtrisé" in said
    assert "✅ Comparer des fractions : maîtrisé" in said
    assert (
        "📘 Les fractions\n"
        "0 leçon terminée sur 4\n"
        "⏭️ 2 leçons sautées après le test de placement (ni terminées ni notées)"
    ) in said


async def test_a_weak_learner_is_told_to_follow_every_lesson(chat: ChatLearner) -> None:
    await onboard(chat)
    await take_placement(chat, WRONG, "Faux")
    said = chat.last_text()
    assert "🧭 Merci, le test est fini !" in said
    assert (
        "Le mieux est de suivre les leçons du cours dans l'ordre : chacune vous fera "
        "progresser. Choisissez-en une pour commencer."
    ) in said
    assert "Vous maîtrisez déjà" not in said
    assert "🧭 Vous connaissez déjà" not in said, "the test taken, not offered again"
    assert "🧭 Test de placement" in chat.options(), "it may be taken again"
    assert "🧩 Comprendre les fractions (0/2)" in chat.options()
    assert not any("⏭️" in label for label in chat.options())


async def test_a_skill_failed_twice_brings_the_authors_remediation_then_the_retry(
    chat: ChatLearner,
) -> None:
    await onboard(chat)
    await open_lesson(chat)
    while "Question 1 sur" not in chat.last_text():
        await chat.tap("Passer au quiz" if "Passer au quiz ▶️" in chat.options() else "Suivant")
    await chat.tap("8")  # wrong at the first try: the skill's first failure
    assert "Ce n'est pas encore ça" in chat.last_text()
    await chat.tap("5")  # right at the retry
    assert "Question 2 sur 4" in chat.last_text()
    await chat.tap("Vrai")  # wrong at the first try: the second failure
    said = chat.last_text()
    assert "❌ Ce n'est pas encore ça. Réfléchissez et essayez encore une fois !" in said
    assert SENS_REMEDY in said
    assert "Question 2 sur 4" not in said, "the remediation first"
    assert chat.options()[:1] == ["J'ai compris, on continue ▶️"]
    await chat.tap("J'ai compris, on continue")
    assert "Question 2 sur 4" in chat.last_text(), "back to the retry of the same question"
    await chat.tap("Faux")
    assert "Bonne réponse" in chat.last_text() and "Question 3 sur 4" in chat.last_text()


# --- through the conversations ----------------------------------------------------------------


async def test_failures_count_across_quiz_and_review_then_the_review_goes_on(
    database_url: str,
) -> None:
    async with open_conversations(database_url) as conversations:
        awa = Person.on(conversations, "telegram", "awa")
        await awa.onboard()
        for label in (*COURSE, "Comprendre", "Partager en parts"):
            await awa.tap(label)
        while "Question 1 sur" not in awa.texts(awa.sent[-1:]):
            options = awa.options()
            await awa.tap("Passer au quiz ▶️" if "Passer au quiz ▶️" in options else "Suivant ▶️")
        await awa.tap("3")  # the first failure, in the quiz; the question joins the deck
        await make_due(awa)
        await awa.send("/menu")
        asked = await awa.tap("🔁 Réviser (1)")
        assert "quel est le dénominateur" in awa.texts(asked)
        graded = awa.texts(await awa.tap("15"))  # the second failure, in the review
        assert "❌ Ce n'est pas la bonne réponse." in graded
        assert SENS_REMEDY in graded
        # The remediation is called: the review keeps its sitting meanwhile.
        step, flows, calls = await stored(awa)
        assert (step, sorted(flows), [c["then"] for c in calls]) == (
            "remedy",
            ["help", "placement", "review"],  # the help given at the question, kept too
            ["review"],
        )
        assert flows["placement"]["remedy"]["s"] == "MATH-CM-FRAC-SENS"
        back = awa.texts(await awa.tap("J'ai compris, on continue ▶️"))
        assert "🔁 Série terminée : 0 sur 1. Cette question reviendra bientôt." in back, (
            "the review goes on after it"
        )
        assert await stored(awa) == ("menu", {}, [])


async def stored(person: Person) -> tuple[str, dict[str, Any], list[dict[str, Any]]]:
    """The person's step, their flows' typed states and the calls waiting, as stored."""
    async with person.conversations.store.turn(person.user) as tx:
        assert tx is not None
        data = tx.state.data
        return tx.state.step, dict(data.get("flows") or {}), list(data.get("calls") or [])


async def test_a_placement_resumes_at_its_question_after_a_restart(database_url: str) -> None:
    async with open_conversations(database_url) as conversations:
        fatou = Person.on(conversations, "whatsapp", "fatou")
        await fatou.onboard()
        for label in COURSE:
            await fatou.tap(label)
        await fatou.tap("🧭 Test de placement")
        await fatou.send("7")
        asked = fatou.last_prompt()
        assert isinstance(asked, QuizQuestion) and asked.correct_ids == (), "never revealed"
        await fatou.tap("3/8")
        assert "question 3 sur 6" in fatou.texts(fatou.sent[-1:])
        step, flows, _ = await stored(fatou)
        assert (step, flows["placement"]) == ("placement", PLACING_THIRD)
        assert flows["learning"]["course"] == "fractions"  # the place, and the picks' state
        assert set(flows) == {"learning", "placement", "picks"}
    async with open_conversations(database_url) as restarted:  # another process, same data
        fatou = Person.on(restarted, "whatsapp", "fatou")
        said = fatou.texts(await fatou.send("indice"))
        assert "🧭 Pendant le test, répondez sans aide" in said
        assert "question 3 sur 6" in said, "where the learner stopped"
        for _, value in RIGHT[2:]:
            await fatou.send(value)
        said = fatou.texts(await fatou.send("vrai"))
        assert "• 1. Partager en parts égales\n• 2. Comparer des fractions" in said
        await fatou.tap("📚 Tout suivre quand même")
        assert "Très bien : vous suivrez toutes les leçons." in fatou.texts()
        step, flows, calls = await stored(fatou)
        assert (step, set(flows), calls) == ("course", {"learning"}, []), "the placement's gone"
        async with restarted.store.turn(fatou.user) as tx:
            assert tx is not None
            assert await tx.mastery.placed_out("fractions") == frozenset()
            rows = await tx.runner.run("SELECT COUNT(*) FROM lesson_progress")
            assert rows[0][0] == 0, "nothing counts as done"


async def test_a_placed_out_lesson_taken_anyway_counts_and_next_passes_over_the_other(
    database_url: str,
) -> None:
    async with open_conversations(database_url) as conversations:
        ali = Person.on(conversations, "web", "ali")
        await ali.onboard()
        for label in COURSE:
            await ali.tap(label)
        await ali.tap("🧭 Test de placement")
        for how, value in (*RIGHT, ("send", "vrai")):
            await (ali.send(value) if how == "send" else ali.tap(value))
        await ali.tap("⏭️ Sauter ces leçons")
        await ali.tap("Comprendre les fractions")
        await ali.tap("1. Partager en parts égales ⏭️")  # back to a skipped lesson
        while "Question 1 sur" not in ali.texts(ali.sent[-1:]):
            options = ali.options()
            await ali.tap("Passer au quiz ▶️" if "Passer au quiz ▶️" in options else "Suivant ▶️")
        for how, value in (("tap", "5"), ("tap", "Faux"), ("send", "un quart"), ("send", "6")):
            await (ali.send(value) if how == "send" else ali.tap(value))
        assert "Quiz terminé ! Votre score : 4 sur 4" in ali.texts(ali.sent[-3:])
        said = ali.texts(await ali.tap("Leçon suivante ▶️"))
        assert "Une fraction d'une quantité (1/" in said, "the skipped lesson 2 passed over"
        said = ali.texts(await ali.send("/progres"))
        assert (
            "📘 Les fractions\n"
            "1 leçon terminée sur 4\n"
            "⏭️ 1 leçon sautée après le test de placement (ni terminée ni notée)\n"
            "Quiz « Partager en parts égales » : meilleur score 100\u00a0% (1 essai)"
        ) in said


ESSAI = """\
id: essai
title: Un cours d'essai
subject: mathematiques
levels: CM2
language: fr

# Test de placement

? Combien font 3 × 2 ?
skill: MUL
= 6

? Combien font 4 × 2 ?
skill: MUL
= 8

? Combien font 5 × 2 ?
skill: MUL
= 10

# Additionner {#additionner}
skill: ADD
remédiation: On compte : 2 + 3, c'est 2 puis 3, 4, 5.

On ajoute.

## Quiz
retry: non

? Combien font 1 + 1 ?
= 2

? Combien font 5 + 1 ?
= 6

# Multiplier {#multiplier}
skill: MUL

On multiplie.

## Quiz
retry: non

? Combien font 2 × 2 ?
= 4

? Combien font 3 × 3 ?
= 9
"""


async def essai_course(database_url: str, tmp_path: Path) -> AsyncIterator[Person]:
    """A learner at the page of a two-lesson course whose placement tests the second."""
    (tmp_path / "essai").mkdir()
    (tmp_path / "essai" / "course.md").write_text(ESSAI, encoding="utf-8")
    async with open_conversations(database_url, load_library(tmp_path)) as conversations:
        awa = Person.on(conversations, "telegram", "awa")
        await awa.onboard()
        await awa.tap("Les cours")
        await awa.tap("Un cours d'essai")
        yield awa


async def test_when_only_skipped_lessons_follow_the_quiz_says_so(
    database_url: str, tmp_path: Path
) -> None:
    async for awa in essai_course(database_url, tmp_path):
        await awa.tap("🧭 Test de placement")
        for value in ("6", "8", "10"):
            await awa.send(value)
        assert (
            "Vous maîtrisez déjà la leçon :\n• 2. Multiplier\n\nVoulez-vous la sauter ? Elle "
            "restera sur la page du cours, marquée ⏭️ : vous pourrez y revenir quand vous "
            "voulez. Sautée, elle ne compte pas comme terminée et n'a pas de note."
        ) in awa.texts(awa.sent[-2:])
        said = awa.texts(await awa.tap("⏭️ Sauter cette leçon"))
        assert "C'est noté : cette leçon est marquée ⏭️. Voici la suite du cours." in said
        await awa.tap("1. Additionner")
        await awa.tap("Passer au quiz ▶️")
        await awa.send("2")
        said = awa.texts(await awa.send("6"))
        assert (
            "Les leçons suivantes ont été sautées après le test de placement : elles restent "
            "sur la page du cours (⏭️). Et maintenant ?"
        ) in said
        assert "🎓" not in said and "Leçon suivante ▶️" not in awa.options()


async def test_a_remediation_at_the_last_question_comes_back_to_the_score(
    database_url: str, tmp_path: Path
) -> None:
    async for awa in essai_course(database_url, tmp_path):
        await awa.tap("1. Additionner")
        await awa.tap("Passer au quiz ▶️")
        await awa.send("3")
        said = awa.texts(await awa.send("7"))
        assert "Quiz terminé ! Votre score : 0 sur 2" in said
        assert (
            "🧩 « Additionner » vous donne du mal : voici une aide pas à pas avant de "
            "continuer.\n\nOn compte : 2 + 3, c'est 2 puis 3, 4, 5."
        ) in said
        assert "Et maintenant ?" not in said
        said = awa.texts(await awa.tap("J'ai compris, on continue ▶️"))
        assert "Et maintenant ?" in said and "Leçon suivante ▶️" in awa.options()


async def test_without_an_authors_remediation_a_note_says_which_help_there_is(
    database_url: str, tmp_path: Path
) -> None:
    """Typed answers: "plus facile" has no option to take away, so it is not offered."""
    async for awa in essai_course(database_url, tmp_path):
        await awa.tap("2. Multiplier")
        await awa.tap("Passer au quiz ▶️")
        said = awa.texts(await awa.send("5"))
        assert "🧩" not in said, "one failure: nothing yet"
        said = awa.texts(await awa.send("10"))
        assert (
            "🧩 « Multiplier » vous donne du mal : c'est normal, on apprend en se trompant. À "
            "une question, écrivez « indice » pour un coup de pouce."
        ) in said
        assert "plus facile" not in said
        assert "Et maintenant ?" in said, "the quiz goes on: no step of its own"


ESSAI_WO = """\
language: wo

# Additionner {#additionner}

## remédiation · source: {remedy}
Ñu waññ : 2 + 3, mooy 2, ba noppi 3, 4, 5.

# Test de placement

## question 1 · source: {first}
Ñaata la 3 × 2 di def ?
"""


async def test_a_wolof_learner_takes_the_placement_and_reads_the_help_in_wolof(
    database_url: str, tmp_path: Path
) -> None:
    (tmp_path / "essai").mkdir()
    (tmp_path / "essai" / "course.md").write_text(ESSAI, encoding="utf-8")
    (course,) = load_library(tmp_path).courses
    assert course.placement is not None
    wolof = ESSAI_WO.replace("{remedy}", source_mark(course.lessons[0].remediation))
    wolof = wolof.replace("{first}", question_mark(course.placement.questions[0]))
    (tmp_path / "essai" / "course.wo.md").write_text(wolof, encoding="utf-8")
    async with open_conversations(database_url, load_library(tmp_path)) as conversations:
        awa = Person.on(conversations, "telegram", "awa")
        await awa.onboard()
        await awa.tap("Les cours")
        await awa.tap("Un cours d'essai")
        async with conversations.store.turn(UserRef("web", "bystander")) as tx:
            assert tx is not None
            await tx.runner.run("UPDATE users SET locale = 'wo' WHERE external_id = 'awa'")
        asked = awa.texts(await awa.tap("🧭 Test de placement"))
        assert "Ñaata la 3 × 2 di def ?" in asked and "Combien font 3 × 2" not in asked
        said = awa.texts(await awa.send("6"))  # graded as in French: right
        assert "Combien font 4 × 2 ?" in said, "a question not translated: in French"
        await awa.send("8")
        await awa.send("10")
        async with conversations.store.turn(awa.user) as tx:
            assert tx is not None
            known = {m.skill: m.p_known for m in await tx.mastery.mine()}
        assert known["MUL"] >= MASTERED, "three right answers, the first typed in Wolof"
        await awa.send("/menu")
        await awa.tap("Njàng yi")
        await awa.tap("Un cours d'essai")
        await awa.tap("1. Additionner")
        await awa.tap("Passer au quiz ▶️")
        await awa.send("3")
        said = awa.texts(await awa.send("7"))
        assert "Ñu waññ : 2 + 3, mooy 2, ba noppi 3, 4, 5." in said
        assert "On compte" not in said
