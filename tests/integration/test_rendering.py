"""Certificates, booklets and charts are made after the turn, off the loop, once per content;
images too large to decode safely are refused where they come in.

A learner asking for their certificates every second used to hold the SQLite write lock for
the whole render (everyone waited); a course with a 12000 × 12000 PNG cost a booklet 6 s of
the loop and 1.4 GB.
"""

from __future__ import annotations

import asyncio
import io
import multiprocessing
import os
import sys
import threading
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import Any

import pypdf
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from PIL import Image

from bot.admin_cli import grant as cli_grant
from bot.app import BotApp
from bot.booklet import render_booklet
from bot.booklet.service import CachedBooklets
from bot.certificates.service import SignedCertificates
from bot.charts import warm_png
from bot.config import Settings
from bot.conversations import Conversations
from bot.i18n import I18n
from bot.rendering import Renderer, made, not_made_text
from content.errors import CourseFormatError
from content.images import MAX_SIDE
from content.library import load_library
from content.model import StepKind
from dialogs.messages import Document, Later, Out, Say
from tests.driver import bundled_library
from tests.integration.test_authoring import teacher_of, write_course
from tests.integration.test_authoring_files import publish
from tests.integration.test_certificate_chat import SITE, documents, finish_course
from tests.store_driver import Person, open_conversations

BIG = 12000  # pixels a side: 144 million, a few kilobytes of PNG


def huge_png(path: Path) -> Path:
    """A 12000 × 12000 PNG of one colour (1 bit a pixel: made in a fraction of a second)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("1", (BIG, BIG)).save(path)
    return path


def _on_thread(threads: list[int], render: Callable[..., bytes], *args: Any) -> bytes:
    """Note the thread a render runs on, then render."""
    threads.append(threading.get_ident())
    return render(*args)


def _pid() -> bytes:
    """The process that runs this (a render job the process pool can pickle)."""
    return str(os.getpid()).encode()


def _drawn_before() -> bytes:
    """Whether this worker had matplotlib imported before this job (for the process pool)."""
    return b"yes" if "matplotlib.pyplot" in sys.modules else b"no"


class Watched(Renderer):
    """A thread pool that notes where renders run and lets `meanwhile` happen during each."""

    def __init__(self, meanwhile: Callable[[], Awaitable[object]] | None = None) -> None:
        super().__init__(pool="thread")
        self.meanwhile = meanwhile
        self.threads: list[int] = []
        self.during: list[object] = []

    async def _render(self, render: Callable[..., bytes], args: tuple[Any, ...]) -> bytes:
        if self.meanwhile is not None:
            self.during.append(await asyncio.wait_for(self.meanwhile(), 20))
        return await super()._render(partial(_on_thread, self.threads, render), args)


@pytest.fixture
async def talk(database_url: str) -> AsyncIterator[Conversations]:
    async with open_conversations(database_url) as conversations:
        yield conversations


async def test_a_certificate_is_made_outside_the_turn_in_the_pool_and_only_once(
    talk: Conversations,
) -> None:
    bob = Person.on(talk, "web", "bob")
    awa = Person.on(talk, "web", "awa")

    async def bob_talks_and_the_store_is_free() -> list[Out]:
        await talk.store.step_of(awa.user)  # raises inside a turn: the render is outside it
        return await bob.send("/progres")  # SQLite: waits forever if the write lock is held

    renderer = Watched(bob_talks_and_the_store_is_free)
    talk.certifier = SignedCertificates(Ed25519PrivateKey.generate(), SITE, renderer)
    await bob.onboard()
    await awa.onboard()
    await finish_course(talk, awa, 0.9)
    got = await awa.send("Awa Diop")
    (first,) = documents(got)
    assert isinstance(first.content, bytes) and first.content.startswith(b"%PDF")
    assert renderer.rendered == 1 and len(renderer.during) == 1, "Bob was answered meanwhile"
    assert renderer.threads and threading.get_ident() not in renderer.threads

    again = [await awa.send("/certificats") for _ in range(5)]
    assert all(documents(reply)[0].content == first.content for reply in again)
    assert renderer.rendered == 1 and renderer.served == 5, "made once, then from the cache"


async def test_a_learner_hammering_certificates_does_not_hold_the_others(
    talk: Conversations,
) -> None:
    renderer = Renderer(pool="thread")
    talk.certifier = SignedCertificates(Ed25519PrivateKey.generate(), SITE, renderer)
    awa, bob = Person.on(talk, "web", "awa"), Person.on(talk, "web", "bob")
    await awa.onboard()
    await bob.onboard()
    await finish_course(talk, awa, 0.9)
    await awa.send("Awa Diop")

    async def bob_goes_on() -> list[str]:
        return [text for _ in range(5) for text in [bob.texts(await bob.send("/progres"))]]

    hammering = asyncio.gather(*(awa.send("/certificats") for _ in range(10)))
    answered, replies = await asyncio.gather(bob_goes_on(), hammering)
    assert len(answered) == 5 and all(answered)
    assert all(len(documents(reply)) == 1 for reply in replies)
    assert renderer.rendered == 1, "ten requests, one render"


async def test_the_process_pool_renders_in_another_process() -> None:
    renderer = Renderer(pool="process", workers=1)
    try:
        pid = int(await renderer.make("pid", _pid))
        certifier = SignedCertificates(Ed25519PrivateKey.generate(), SITE, renderer)
        course = bundled_library().courses[0]
        later = await CachedBooklets(SITE, renderer).booklet(course)
        assert isinstance(later, Later)
        booklet = await later.make()
    finally:
        renderer.close()
    assert pid != os.getpid()
    assert booklet.startswith(b"%PDF") and certifier.renderer is renderer


async def test_a_republished_course_gives_a_new_booklet(
    talk: Conversations, database_url: str
) -> None:
    renderer = Renderer(pool="thread")
    talk.booklets = CachedBooklets(SITE, renderer)
    teacher = await teacher_of(talk, database_url)
    await write_course(teacher)
    await publish(teacher)
    first = booklet_text(await booklet_of(teacher))
    assert "épluchures en engrais" in first
    assert booklet_text(await booklet_of(teacher)) == first and renderer.rendered == 1

    await teacher.send("/classes")
    await teacher.tap("Mes cours")
    await teacher.tap("Le compost")
    await teacher.tap("Modifier une leçon")
    await teacher.tap("1. Faire un compost")
    await teacher.tap("1")
    await teacher.tap("Remplacer")
    await teacher.send("Le compost nourrit le potager de l'école.")
    assert "Étape remplacée." in teacher.texts()
    await teacher.tap("Les leçons")
    await teacher.tap("Le cours")
    await publish(teacher)
    second = booklet_text(await booklet_of(teacher))
    assert "nourrit le potager" in second and "épluchures en engrais" not in second
    assert renderer.rendered == 2


async def booklet_of(teacher: Person) -> bytes:
    """The teacher opens their published course among the courses and asks for its booklet."""
    await teacher.send("/menu")
    await teacher.tap("Les cours")
    await teacher.tap("Sciences")
    await teacher.tap("Le compost")
    (document,) = [m for m in await teacher.tap("livret") if isinstance(m, Document)]
    assert isinstance(document.content, bytes)
    return document.content


def booklet_text(pdf: bytes) -> str:
    """Every page's text, spaces evened out."""
    pages = pypdf.PdfReader(io.BytesIO(pdf)).pages
    return " ".join(" ".join(page.extract_text().split()) for page in pages)


async def test_certificates_are_keyed_by_their_content() -> None:
    renderer = Renderer(pool="inline")
    certifier = SignedCertificates(Ed25519PrivateKey.generate(), SITE, renderer)
    from datetime import date

    from dialogs.certificate_ports import Certificate, CertificateWording

    certificate = Certificate(1, "Awa Diop", "fractions", date(2026, 12, 1), 90)
    wording = CertificateWording("Certificat", "à", "pour « Les fractions »", "90 %", "I", "v")
    same = [await certifier.pdf(certificate, wording) for _ in range(2)]
    renamed = await certifier.pdf(certificate, replace(wording, course="pour « Fractions 2 »"))
    assert same[0].key == same[1].key != renamed.key  # a republished title: a new PDF


async def test_a_document_that_cannot_be_made_gives_an_apology_and_the_rest_is_sent() -> None:
    async def broken() -> bytes:
        raise RuntimeError("out of memory")

    messages: list[Out] = [Say("Voici"), Document("x.pdf", Later("k", broken))]
    assert await made(messages) == [Say("Voici")]
    english = I18n().translator("en").gettext
    assert await made(messages, english) == [Say("Voici"), Say(not_made_text(english))]
    assert "could not be prepared" in not_made_text(english)


def test_content_check_refuses_a_huge_image_at_its_line(tmp_path: Path) -> None:
    folder = tmp_path / "grand"
    huge_png(folder / "images" / "grand.png")
    (folder / "course.md").write_text(
        "id: grand\ntitle: Grand\nsubject: sciences\nlevels: CM2\nlanguage: fr\n\n"
        "# Une leçon {#une}\n\nUn texte.\n\n![Une image](images/grand.png)\n",
        encoding="utf-8",
    )
    with pytest.raises(CourseFormatError) as raised:
        load_library(tmp_path)
    error = raised.value
    assert (error.line, error.column) == (11, 14)
    assert f"{BIG} × {BIG} pixels" in error.message and f"{MAX_SIDE} × {MAX_SIDE}" in error.message


def test_a_booklet_never_decodes_a_huge_image(tmp_path: Path) -> None:
    big = huge_png(tmp_path / "grand.png")
    course = bundled_library().get("fractions")
    assert course is not None
    lesson = course.lessons[0]
    step = next(s for s in lesson.steps if s.kind is StepKind.IMAGE)
    swapped = tuple(replace(s, media=big) if s is step else s for s in lesson.steps)
    course = replace(course, lessons=(replace(lesson, steps=swapped), *course.lessons[1:]))
    pdf = render_booklet(course)  # decoding it would take seconds and 1.4 GB
    assert step.text in booklet_text(pdf)
    pages = pypdf.PdfReader(io.BytesIO(pdf)).pages
    sizes = [picture.image.size for page in pages for picture in page.images if picture.image]
    assert (BIG, BIG) not in sizes


async def test_a_teacher_uploading_a_huge_image_is_told_and_nothing_is_kept(
    talk: Conversations, database_url: str, tmp_path: Path
) -> None:
    teacher = await teacher_of(talk, database_url)
    await write_course(teacher)
    await teacher.tap("Nouvelle leçon")
    await teacher.send("Le tas de compost")
    await teacher.send("Voici notre tas.")
    huge = huge_png(tmp_path / "tas.png").read_bytes()
    replies = await teacher.send_file("document", "big1", "tas.png", huge, "image/png")
    said = teacher.texts(replies)
    assert f"trop grande ({BIG} × {BIG} pixels)" in said and "comme photo" in said
    small = io.BytesIO()
    Image.new("RGB", (640, 480), "white").save(small, "PNG")
    await teacher.send_file("document", "ok1", "tas.png", small.getvalue(), "image/png")
    assert "Étape 2 ajoutée." in teacher.texts()
    await teacher.tap("Leçon terminée")
    text = await exported_text(teacher)
    assert text.count("![") == 1


async def exported_text(teacher: Person) -> str:
    """The course text, as the teacher gets it."""
    replies = await teacher.tap("Recevoir le fichier")
    document = next(m for m in replies if isinstance(m, Document))
    return document.data.decode("utf-8")


async def test_the_running_bot_makes_a_booklet_in_its_process_pool(web_bot: BotApp) -> None:
    assert web_bot.conversations is not None
    teacher = Person.on(web_bot.conversations, "web", "prof")
    await teacher.onboard(role="Enseignant")
    await cli_grant(web_bot.settings.database_url, "web", "prof", "teacher", "SN")
    await teacher.send("/menu")
    await teacher.tap("Les cours")
    await teacher.tap("Mathématiques")
    await teacher.tap("Les fractions")
    (document,) = [m for m in await teacher.tap("livret") if isinstance(m, Document)]
    assert document.data.startswith(b"%PDF") and "Les fractions" in booklet_text(document.data)
    assert web_bot.renderer.pool == "process" and web_bot.renderer.rendered == 1


async def test_a_document_asked_while_the_pool_warms_waits_for_the_warmed_worker() -> None:
    before = set(multiprocessing.active_children())
    renderer = Renderer(pool="process", workers=2)
    try:
        renderer.warm(warm_png)
        assert renderer.warming is not None and not renderer.warming.done()
        assert await renderer.make("probe", _drawn_before) == b"yes"  # not a second, cold one
        # The pool may still start its second worker at that first submit: CPython's executor
        # counts the warmed worker idle only after it has handed back the warm-up's result,
        # a race that load on the machine wins. The document was drawn by the warmed one.
        assert len(set(multiprocessing.active_children()) - before) <= 2
        assert renderer.rendered == 1 and renderer.cached_bytes == 3, "the warm-up not counted"
    finally:
        await renderer.stop()
    assert set(multiprocessing.active_children()) <= before


async def test_the_bot_warms_its_pool_after_start_up_and_leaves_no_process_when_stopped(
    tmp_path: Path,
) -> None:
    before = set(multiprocessing.active_children())
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'web.db'}",
        web_host="127.0.0.1",
        web_port=0,
        pseudonym_secret=b"test",
        render_warm=True,
    )
    app = BotApp(settings)
    await app.start()
    warming = app.renderer.warming
    assert warming is not None and not warming.done(), "start-up did not wait for it"
    await asyncio.sleep(0)  # its first step: the pool's workers spawned
    workers = set(multiprocessing.active_children()) - before
    assert len(workers) == 1, "one worker warmed: the first document needs one"
    await app.stop()  # in the middle of warming
    assert not any(worker.is_alive() for worker in workers)
    assert set(multiprocessing.active_children()) <= before
