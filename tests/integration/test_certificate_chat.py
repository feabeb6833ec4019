"""Finishing a course with the mastery score earns a signed certificate, sent as a PDF."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from typing import Any

import pypdfium2
import pytest
import zxingcpp
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pypdf import PdfReader

from bot.certificates.service import SignedCertificates
from bot.conversations import Conversations
from dialogs.events import Resumed
from dialogs.messages import Document, Out
from dialogs.ports import CompleteLesson, Effect, RecordQuiz
from dialogs.state import DialogState
from tests.driver import text_of
from tests.store_driver import Person, open_conversations

COURSE = "fractions"
SITE = "https://ecole.example.org"


@pytest.fixture
async def talk(database_url: str) -> AsyncIterator[Conversations]:
    async with open_conversations(database_url) as conversations:
        conversations.certifier = SignedCertificates(Ed25519PrivateKey.generate(), SITE)
        yield conversations


async def play(talk: Conversations, person: Person, *effects: Effect, **data: Any) -> None:
    """Record lessons and quizzes, and stand after the last quiz with its share `ratio`."""
    async with talk.store.turn(person.user) as tx:
        assert tx is not None
        state = DialogState(step="quiz_done", data=data, prompt=tx.state.prompt)
        tx.save(tx.profile, state, effects)


async def finish_course(talk: Conversations, person: Person, share: float) -> list[Out]:
    """Every lesson done, every earlier quiz at `share`, the last one just finished."""
    course = talk.library.get(COURSE)
    assert course is not None
    lessons = course.lessons
    effects: list[Effect] = [CompleteLesson(COURSE, lesson.id) for lesson in lessons]
    effects += [RecordQuiz(COURSE, lesson.id, share * 10, 10) for lesson in lessons[:-1]]
    await play(talk, person, *effects, course=COURSE, lesson=lessons[-1].id, ratio=share)
    return await person._deliver(Resumed(person.user, "resume-1"))


def documents(messages: list[Out]) -> list[Document]:
    return [m for m in messages if isinstance(m, Document)]


async def test_mastery_earns_a_certificate_with_a_verifiable_code(talk: Conversations) -> None:
    awa = Person.on(talk, "web", "awa")
    await awa.onboard()
    asked = await finish_course(talk, awa, 0.9)
    assert "Quel nom" in " ".join(text_of(m) for m in asked)
    got = await awa.send("Awa Diop")
    assert "Félicitations" in " ".join(text_of(m) for m in got)
    (pdf,) = documents(got)
    text = PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
    assert talk.certifier is not None
    certificate = (await certificates_of(talk, awa))[0]
    code = talk.certifier.code(certificate)
    flat = "".join(text.split())
    course = talk.library.get(COURSE)
    assert course is not None
    assert "Awa Diop" in text and course.title in " ".join(text.split())
    assert code in flat
    image = pypdfium2.PdfDocument(pdf.content)[0].render(scale=4).to_pil()
    (found,) = zxingcpp.read_barcodes(image)
    assert found.text == f"{SITE}/verify/{code}"
    assert talk.certifier.verify(code) == certificate
    again = await awa.send("/certificats")
    assert len(documents(again)) == 1
    checked = await awa.send(f"/verifier {code}")
    assert "authentique" in " ".join(text_of(m) for m in checked)
    forged = await awa.send(f"/verifier {code[:-2]}AA")
    assert "pas valide" in " ".join(text_of(m) for m in forged)


async def test_below_mastery_no_certificate(talk: Conversations) -> None:
    moussa = Person.on(talk, "web", "moussa")
    await moussa.onboard()
    got = await finish_course(talk, moussa, 0.5)
    assert not documents(got)
    assert "terminé toutes les leçons" in " ".join(text_of(m) for m in got)
    assert await certificates_of(talk, moussa) == []


async def certificates_of(talk: Conversations, person: Person) -> list[Any]:
    async with talk.store.turn(person.user) as tx:
        assert tx is not None
        return await tx.certificates.mine()
