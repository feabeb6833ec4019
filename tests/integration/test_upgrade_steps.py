"""A rolling upgrade: the database holds learners standing on every step of the registry,
with the state the previous release stored (its untyped keys included), and a learner on a
renamed step and on a vanished one. Each one's next message gets a sensible answer: no
crash, something said, never sent back to onboarding; a renamed step goes on at its new
name, a vanished one at the menu.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert, select

from bot.storage.db import create_engine
from bot.storage.models import User
from dialogs.flows import build_dialogs
from dialogs.flows.onboarding import STEPS as ONBOARDING
from tests.driver import bundled_library
from tests.store_driver import Person, open_conversations

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
OLD_NAME = "old_link_code"  # a step the previous release had, renamed since
VANISHED = "cr_old_wizard"  # a step the previous release had, gone since


def previous_release_data() -> dict[str, Any]:
    """The untyped keys the previous release kept in `state_data`, with plausible values
    (a course and lesson that exist; a class, circle and contest that do not)."""
    course = bundled_library().courses[0]
    lesson = course.lessons[0]
    question = lesson.quiz.questions[0].id if lesson.quiz else "q1"
    return {
        "course": course.id,
        "lesson": lesson.id,
        "i": 0,
        "class": 999_999,
        "circle": 999_999,
        "after_name": "classes_home",
        "school_then": "circles_home",
        "school_back": "circles_home",
        "school_pending": "a999999",
        "link_to": 999_999,
        "essay": {"key": [1, course.id, lesson.id, "q1"], "score": 0.5},
        "skipped": [],
        "signature": "Awa Ndiaye",
        "target": 999_999,
        "naming": "new",
        "leaving_from": "menu",
        "invite": {"country": "SN", "uses": 10},
        "grantee": {"id": 999_999, "country": "SN"},
        "after_onboarding": {"join": "ZZ9ZZ9"},
        "new_class": {"name": "CM2 B", "level": "CM2"},
        "shelf_filter": "level",
        "rating": {"stars": 4, "comment": "Très clair"},
        "groups_course": course.id,
        "questions_all": True,
        "tq": 999_999,
        "skipped_q": [999_998],
        "teacher": {
            "via": "request",
            "school": "École de Pikine",
            "name": "Awa Ndiaye",
            "subjects": ["maths"],
            "levels": ["CM2"],
        },
        "publish": {"visibility": "country", "audience": "teachers", "licence": "CC BY 4.0"},
        "event": 999_999,
        "new_event": {"title": "Webinaire", "when": "2026-04-01T16:00:00+00:00"},
        "circle_reply": 999_999,
        "new_circle": "maths",
        "report": [course.id],  # the class report's courses (moderation kept a message id)
        "moderated": 999_999,
        "cr": 999_999,
        "cr_new": {
            "theme": "L'eau dans notre village",
            "rules": "Un scénario par enseignant.",
            "levels": ["CM2"],
            "subjects": [],
            "submit_by": "2026-04-01T18:00:00+00:00",
            "review_by": "2026-04-15T18:00:00+00:00",
            "criteria": [["Clarté", 50], ["Activité des élèves", 50]],
            "jury": [999_999],
        },
        "cr_kind": "jury",
        "cr_entry": {"course": "c999999", "description": "En classe, par groupes."},
        "cr_review": {"id": 999_999, "scores": [7]},
        # authoring (and its edit, files, versions parts), shared library, translate,
        # course_translate: the course written (none of this teacher's), its parts being built
        "authoring": "compost-ab12",
        "new_course": {"title": "Le compost", "subject": "sciences", "level": "CM2"},
        "steps": 2,
        "question": {"text": "Combien ?", "kind": "choice", "options": ["1", "2"], "right": [1]},
        "edit_lesson": 0,
        "edit_step": 1,
        "shelf": {"level": "CM2", "words": "compost"},
        "shelf_course": course.id,
        "tr": {"lang": "en", "key": None, "forms": [], "mode": "new", "skip": ["k1"]},
        "ct": {"lang": "en", "course": course.id, "key": None, "mode": "new", "rskip": [3]},
        # ts-teach (assignments, circles' colleagues, announce): retired into typed state
        "work": {
            "course": course.id,
            "lesson": lesson.id,
            "group": {"skill": "?", "level": "new", "users": [999_999]},
        },
        "colleague": "maths",
        "ann": {
            "texts": {"fr": "Bonne rentrée à tous", "en": "Happy new school year"},
            "variant": "en",
            "countries": ["SN"],
            "roles": "teacher",
            "levels": "primary",
            "active": "7",
            "classes": [999_999],
        },
        # onboarding, menu, commands, families, classes, review, placement (ts-onb)
        "editing": True,
        "country_known": True,
        "join_pending": "ZZ9ZZ9",
        "guardian_code": "K7MP2QXA",
        "rv": [[course.id, lesson.id, question]],
        "ri": 0,
        "pq": 1,
        "rm": {"c": course.id, "l": lesson.id, "q": question, "s": "x", "b": "review"},
        "placed": [course.id],
        # ts-learn: learning (its place: course, lesson, i above), quiz, quiz help, the
        # matching/ordering kinds' picks, certificates
        "subject": course.subject,
        "module": "m999999",
        "q": 1,
        "qk": 123_456_789,
        "seed": 42,
        "tries": 1,
        "score": 1.5,
        "essays": {"q9": "Je suis allé au marché."},
        "passed": True,
        "ratio": 0.8,
        "m": ["Sénégal"],
        "mq": "q1",
        "help": {"k": f"{lesson.id}:q1", "h": 1, "x": []},
        "certificate": {"course": course.id, "score": 80},
    }


async def _seed(url: str, rows: list[dict[str, Any]]) -> None:
    engine = create_engine(url)
    try:
        async with engine.begin() as conn:
            await conn.execute(insert(User.__table__), rows)
    finally:
        await engine.dispose()


async def _step_of(url: str, external_id: str) -> str:
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            found = await conn.execute(
                select(User.state_step).where(User.external_id == external_id)
            )
            return str(found.scalar_one())
    finally:
        await engine.dispose()


def _learner(external_id: str, step: str, role: str, data: dict[str, Any]) -> dict[str, Any]:
    return {
        "channel": "telegram",
        "external_id": external_id,
        "locale": "fr",
        "country": "SN",
        "role": role,
        "level": "CM2",
        "consented_at": NOW,
        "bookmark": None,
        "state_step": step,
        "state_data": data,
        "state_prompt": 3,
        "created_at": NOW,
        "last_seen_at": NOW,
    }


async def test_every_step_of_the_previous_release_answers_sensibly(database_url: str) -> None:
    dialogs = build_dialogs()
    steps = sorted(dialogs.steps)
    old = previous_release_data()
    rows = []
    for n, step in enumerate(steps):
        rows.append(_learner(f"s{n}", step, "student", {}))  # a state with nothing kept
        rows.append(_learner(f"t{n}", step, "teacher", dict(old)))  # with the old keys
    rows.append(_learner("renamed", OLD_NAME, "student", {}))
    rows.append(_learner("vanished", VANISHED, "student", dict(old)))
    await _seed(database_url, rows)

    async with open_conversations(database_url) as conversations:
        conversations.dialogs.renamed[OLD_NAME] = "link_code"
        crashed, silent, onboarded = [], [], []
        for row in rows:
            person = Person.on(conversations, "telegram", row["external_id"])
            try:
                said = await person.send("?")
            except Exception as error:  # each culprit named, not only the first
                crashed.append(f"{row['external_id']} {row['state_step']}: {error!r}"[:200])
                continue
            if not person.texts(said).strip():
                silent.append(row["state_step"])
            if row["state_step"] in ONBOARDING:  # changing their settings: they go on
                continue
            if await _step_of(database_url, row["external_id"]) in ONBOARDING:
                onboarded.append(row["state_step"])
        assert (crashed, silent, onboarded) == ([], [], []), (crashed, silent, onboarded)

        renamed = Person.on(conversations, "telegram", "renamed")
        await renamed.send("?")
        assert await _step_of(database_url, "renamed") == "link_code"
        assert await _step_of(database_url, "vanished") == "menu"
