"""Spaced review on real databases: missed questions enter the deck, come back when due."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from bot.storage.sql import utc
from content.model import Question, QuestionType
from dialogs.events import UserRef
from dialogs.messages import QuizQuestion, Show
from dialogs.ports import RecordAnswer
from tests.driver import bundled_library, with_audio_course
from tests.store_driver import Person, open_conversations


def a_single_choice() -> tuple[str, str, Question]:
    """A single-choice question of the bundled library, with its course and lesson."""
    for course in bundled_library().courses:
        for lesson in course.lessons:
            for question in lesson.quiz.questions if lesson.quiz else ():
                if question.type is QuestionType.SINGLE:
                    return course.id, lesson.id, question
    raise AssertionError("no single-choice question in the library")


async def answered(person: Person, answer: RecordAnswer) -> None:
    """A turn of `person` in which they answered a quiz question (as the quiz records it)."""
    async with person.conversations.store.turn(person.user) as tx:
        assert tx is not None
        tx.save(tx.profile, tx.state, [answer])


async def deck(person: Person) -> list[tuple[str, datetime]]:
    """The questions in the deck and when they are due."""
    async with person.conversations.store.turn(person.user) as tx:
        assert tx is not None
        rows = await tx.runner.run(
            "SELECT question_id, due FROM review_cards WHERE user_id = :uid", uid=tx.user_id
        )
    return [(str(q), utc(due) or datetime.min) for q, due in rows]


async def make_due(person: Person) -> None:
    """Move the whole deck's due dates into the past, as if time had passed."""
    async with person.conversations.store.turn(person.user) as tx:
        assert tx is not None
        past = datetime.now(UTC) - timedelta(days=1)
        await tx.runner.run(
            "UPDATE review_cards SET due = :due WHERE user_id = :uid", due=past, uid=tx.user_id
        )


async def test_a_missed_question_comes_back_and_a_right_answer_pushes_it_away(
    database_url: str,
) -> None:
    course, lesson, question = a_single_choice()
    async with open_conversations(database_url) as conversations:
        awa = Person.on(conversations, "telegram", "awa")
        await awa.onboard()
        await awa.send("/menu")
        assert not any("Réviser" in label for label in awa.options())
        wrong = RecordAnswer(course, lesson, question.id, "x", 0.0, False)
        await answered(awa, wrong)
        [(kept, due)] = await deck(awa)
        assert kept == question.id
        assert due <= datetime.now(UTC) + timedelta(minutes=2)  # FSRS: again within minutes
        await make_due(awa)
        await awa.send("/menu")
        assert "🔁 Réviser (1)" in awa.options()
        asked = await awa.tap("🔁 Réviser (1)")
        assert question.text in awa.texts(asked)
        right = next(choice.id for choice in question.choices if choice.correct)
        graded = await awa.tap(right)
        assert "Bonne réponse" in awa.texts(graded)
        [(_, due)] = await deck(awa)
        assert due > datetime.now(UTC)
        assert not any("Réviser" in label for label in awa.options())
        # the review's answer counts for the skills its lesson teaches
        skills = bundled_library().get(course).lesson(lesson).skills  # type: ignore[union-attr]
        async with conversations.store.turn(awa.user) as tx:
            assert tx is not None
            mine = [(m.skill, m.answers, m.correct) for m in await tx.mastery.mine()]
        assert mine == sorted((skill, 1, 1) for skill in skills) and mine


async def test_missed_questions_enter_the_deck_without_stopping_everyone_else(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A new FSRS card made without an id sleeps 1 ms to keep ids apart; on the event loop that
    stopped every learner's turn at each missed question. The deck is keyed by the question, so
    cards are made with a fixed id and the loop never sleeps."""
    import fsrs.card

    def no_sleep(seconds: float) -> None:
        raise AssertionError(f"the event loop slept {seconds} s in a turn")

    monkeypatch.setattr(fsrs.card.time, "sleep", no_sleep)
    course, lesson, question = a_single_choice()
    async with open_conversations(database_url) as conversations:
        awa = Person.on(conversations, "telegram", "awa")
        await awa.onboard()
        await answered(awa, RecordAnswer(course, lesson, question.id, "x", 0.0, False))
        [(kept, _)] = await deck(awa)
        assert kept == question.id


async def test_help_words_in_review_and_a_helped_answer_does_not_count(
    database_url: str,
) -> None:
    async with open_conversations(database_url) as conversations:
        awa = Person.on(conversations, "web", "awa")
        await awa.onboard()
        missed = RecordAnswer("fractions", "parts-egales", "q1", "a", 0.0, False)
        await answered(awa, missed)
        await make_due(awa)
        await awa.send("/menu")
        asked = await awa.tap("🔁 Réviser (1)")
        assert "quel est le dénominateur" in awa.texts(asked)
        hint = awa.texts(await awa.send("indice"))
        assert "💡 Indice : Le dénominateur dit en combien de parts égales on a coupé." in hint
        assert "🔁 Révision 1 sur 1" in hint, "the question again"
        easier = awa.texts(await awa.send("plus facile"))
        assert (
            "Cette question n'a pas de version plus facile. "
            "Écrivez « indice » pour un coup de pouce."
        ) in easier
        assert "À la fin du quiz" not in easier
        graded = await awa.send("5")
        assert "Bonne réponse" in awa.texts(graded)
        async with conversations.store.turn(awa.user) as tx:
            assert tx is not None
            assert await tx.mastery.mine() == [], "an answer after a hint says less"


async def test_nothing_due_says_so_and_erasure_deletes_the_deck(database_url: str) -> None:
    course, lesson, question = a_single_choice()
    async with open_conversations(database_url) as conversations:
        ali = Person.on(conversations, "web", "ali")
        await ali.onboard()
        await answered(ali, RecordAnswer(course, lesson, question.id, "x", 1.0, True, 2))
        assert len(await deck(ali)) == 1  # right at the second try: Hard, in the deck
        await answered(ali, RecordAnswer(course, lesson, "other", "x", 1.0, True))
        assert len(await deck(ali)) == 1  # right at once, not in the deck: nothing to review
        async with conversations.store.turn(ali.user) as tx:
            assert tx is not None
            assert await tx.review.due_count(datetime.now(UTC)) == 0
        assert await conversations.store.erase(UserRef("web", "ali"))
        async with conversations.store.engine.connect() as conn:
            left = (await conn.execute(text("SELECT COUNT(*) FROM review_cards"))).scalar_one()
        assert left == 0


def a_question_read_aloud() -> tuple[str, str, Question]:
    """The audio-first test course's question with a recording ("Où va Awa ?")."""
    course = with_audio_course().get("lecture-audio")
    assert course is not None and course.lessons[0].quiz is not None
    question = course.lessons[0].quiz.questions[0]
    assert question.audio is not None
    return course.id, course.lessons[0].id, question


async def test_review_sends_a_questions_recording_before_it(database_url: str) -> None:
    course, lesson, question = a_question_read_aloud()
    async with open_conversations(database_url, with_audio_course()) as conversations:
        binta = Person.on(conversations, "telegram", "binta")
        await binta.onboard(level="CE1")
        await answered(binta, RecordAnswer(course, lesson, question.id, "x", 0.0, False))
        await make_due(binta)
        await binta.send("/menu")
        asked = await binta.tap("🔁 Réviser (1)")
        voice, shown_question = asked[-2:]
        assert isinstance(voice, Show) and voice.kind == "audio"
        assert voice.path.name == "ou-va-awa.ogg"
        assert voice.url_path == "/media/lecture-audio/audio/ou-va-awa.ogg"
        assert isinstance(shown_question, QuizQuestion) and "Où va Awa ?" in shown_question.text
        assert not any("Audio" in option.label for option in shown_question.extra)


async def test_review_in_light_data_offers_the_recording_with_its_size(
    database_url: str,
) -> None:
    course, lesson, question = a_question_read_aloud()
    async with open_conversations(database_url, with_audio_course()) as conversations:
        conversations.store.media_budget_kb = 4  # room for one voice note of 3 KB a day
        moussa = Person.on(conversations, "whatsapp", "22177000003")
        await moussa.onboard(level="CE1")
        await moussa.send("/donnees_legeres")
        await moussa.tap("Activer")
        await answered(moussa, RecordAnswer(course, lesson, question.id, "x", 0.0, False))
        await make_due(moussa)
        await moussa.send("/menu")
        asked = await moussa.tap("🔁 Réviser (1)")
        assert [m for m in asked if isinstance(m, Show)] == []
        prompt = moussa.last_prompt()
        assert isinstance(prompt, QuizQuestion) and "Où va Awa ?" in prompt.text
        assert prompt.extra[0].label == "🔊 Audio (3 Ko) - écouter ?"
        listened = await moussa.tap("🔊 Audio (3 Ko) - écouter ?")
        [voice] = [m for m in listened if isinstance(m, Show)]
        assert voice.path.name == "ou-va-awa.ogg"
        assert "Où va Awa ?" in moussa.texts(listened)  # the question again, after its voice
        refused = await moussa.tap("🔊 Audio (3 Ko) - écouter ?")  # beyond the day's budget
        assert [m for m in refused if isinstance(m, Show)] == []
        assert "Budget de données du jour atteint" in moussa.texts(refused)
        right = next(choice.id for choice in question.choices if choice.correct)
        graded = await moussa.tap(right)
        assert "Bonne réponse" in moussa.texts(graded)


async def test_a_number_typed_in_review_is_the_value_not_a_position(database_url: str) -> None:
    """ "Combien font les 3/4 de 12 mangues ?" with options 3, 4, 9, 16 (9 is right)."""
    course = bundled_library().get("fractions")
    lesson = course.lesson("fraction-quantite") if course else None
    assert lesson is not None and lesson.quiz is not None
    question = next(q for q in lesson.quiz.questions if q.id == "q2")
    assert [c.text for c in question.choices] == ["3", "4", "9", "16"]
    async with open_conversations(database_url) as conversations:
        awa = Person.on(conversations, "whatsapp", "221770000001")
        await awa.onboard()
        wrong = RecordAnswer("fractions", "fraction-quantite", "q2", "a", 0.0, False)
        await answered(awa, wrong)
        await make_due(awa)
        await awa.send("/menu")
        asked = await awa.tap("🔁 Réviser (1)")
        assert question.text in awa.texts(asked)
        graded = awa.texts(await awa.send("3"))  # the value 3, not the third option (9)
        assert "Ce n'est pas la bonne réponse" in graded and "La bonne réponse : 9" in graded
        await make_due(awa)
        await awa.send("/menu")
        await awa.tap("🔁 Réviser (1)")
        assert "Bonne réponse" in awa.texts(await awa.send("neuf"))


async def test_a_review_answer_is_a_learning_day_and_the_sitting_goes_once_over(
    database_url: str,
) -> None:
    course, lesson, question = a_single_choice()
    async with open_conversations(database_url) as conversations:
        awa = Person.on(conversations, "telegram", "awa")
        await awa.onboard()
        await answered(awa, RecordAnswer(course, lesson, question.id, "x", 0.0, False))
        await make_due(awa)
        await awa.send("/menu")
        await awa.tap("🔁 Réviser (1)")
        assert await sitting_and_days(awa) == ({"batch": [[course, lesson, question.id]]}, 0)
        right = next(choice.id for choice in question.choices if choice.correct)
        said = awa.texts(await awa.tap(right))
        assert "🔁 Bravo, cette série est terminée !" in said
        assert await sitting_and_days(awa) == (None, 1), "the streak counts the review"


async def test_a_sitting_with_a_wrong_answer_ends_with_its_score_not_a_bravo(
    database_url: str,
) -> None:
    course, lesson, question = a_single_choice()
    async with open_conversations(database_url) as conversations:
        awa = Person.on(conversations, "telegram", "awa")
        await awa.onboard()
        await answered(awa, RecordAnswer(course, lesson, question.id, "x", 0.0, False))
        await make_due(awa)
        await awa.send("/menu")
        await awa.tap("🔁 Réviser (1)")
        helped = awa.texts(await awa.send("/aide"))  # no option is taken away in a review
        assert "À une question de révision, écrivez « indice » pour un coup de pouce." in helped
        wrong = next(choice.id for choice in question.choices if not choice.correct)
        said = awa.texts(await awa.tap(wrong))
        assert "Bravo" not in said
        assert (
            "🔁 Série terminée : 0 sur 1. Cette question reviendra bientôt."
        ) in said.splitlines()


async def sitting_and_days(person: Person) -> tuple[dict[str, object] | None, int]:
    """The review sitting's cards as stored (None: no sitting), and the learning days."""
    async with person.conversations.store.turn(person.user) as tx:
        assert tx is not None
        sitting = (tx.state.data.get("flows") or {}).get("review")
        rows = await tx.runner.run(
            "SELECT COUNT(*) FROM learning_days WHERE user_id = :uid", uid=tx.user_id
        )
    batch = {"batch": sitting["batch"]} if sitting else None
    return batch, int(rows[0][0])
