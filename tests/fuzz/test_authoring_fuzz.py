"""Hostile course files sent by a teacher through the real authoring flow (real dialogs, real
store): the bundled courses and the GIFT conformance files mutated, random text, bytes that
are not UTF-8, every file suffix, as a new course or into the open draft. The teacher reads
"Ligne N : ..." or a success (never nothing, never a crash), every draft stays a readable
course that the teacher can download, and no state is corrupted.

(tests/unit/test_parsers_fuzz.py fuzzes the three parsers alone with the same mutations.)"""

from __future__ import annotations

import itertools
import re
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from bot.storage.models import AuthoredCourse
from content.format import parse_course
from dialogs.messages import Document
from tests.conformance import conformance_folder
from tests.fuzz.support import Harness, check_people, conversations_of, fuzz, grant, table_counts
from tests.integration.test_authoring_files import COURSE
from tests.store_driver import Person
from tests.unit.test_parsers_fuzz import TOKENS

MEDIA = re.compile(r"\b(images|audio|docs)/")
ROOT = Path(__file__).resolve().parents[2]
BUNDLED = [p.read_text("utf-8") for p in sorted((ROOT / "content" / "library").glob("*/course.md"))]
# The bundled courses without their media lines (a teacher's file has no folder beside it),
# so that most mutations are near a course that imports, plus the authoring tests' course.
COURSES = [
    COURSE,
    *BUNDLED,
    *(
        "\n".join(line for line in text.splitlines() if not MEDIA.search(line)) + "\n"
        for text in BUNDLED
    ),
]
GIFTS = [p.read_text("utf-8") for p in sorted(conformance_folder("gift").glob("*.gift"))]
AIKEN = "Où trouve-t-on de l'eau potable ?\nA. Au forage\nB. Au marigot\nANSWER: A\n"
SUFFIXES = [".md", ".md", ".gift", ".txt", ".MD", ".pdf", ""]
_files = itertools.count(1)


@st.composite
def edited(draw: st.DrawFn, original: str) -> str:
    """A few random edits: a span deleted or doubled, a token of the formats inserted."""
    text = original
    for _ in range(draw(st.integers(1, 5))):
        at = draw(st.integers(0, len(text)))
        length = draw(st.integers(0, 60))
        edit = draw(st.sampled_from(["delete", "insert", "insert", "duplicate"]))
        if edit == "delete":
            text = text[:at] + text[at + length :]
        elif edit == "insert":
            text = text[:at] + draw(st.sampled_from(TOKENS) | st.text(max_size=5)) + text[at:]
        else:
            text = text[:at] + text[at : at + length] * 2 + text[at + length :]
    return text


@st.composite
def files(draw: st.DrawFn) -> tuple[str, bytes]:
    """A file name and its bytes."""
    source = draw(st.sampled_from(COURSES) | st.sampled_from(GIFTS or [AIKEN]) | st.just(AIKEN))
    shape = draw(st.sampled_from(["edited", "edited", "edited", "whole", "text", "bytes"]))
    if shape == "bytes":
        content = draw(st.binary(max_size=300))
    elif shape == "text":
        content = draw(st.text(max_size=300)).encode("utf-8")
    else:
        text = source if shape == "whole" else draw(edited(source))
        bom = draw(st.sampled_from(["", "", "\ufeff"]))
        crlf = draw(st.booleans())
        content = (bom + (text.replace("\n", "\r\n") if crlf else text)).encode("utf-8")
    return f"fichier{draw(st.sampled_from(SUFFIXES))}", content


def test_hostile_files_in_the_authoring_flow(harness: Harness) -> None:
    talk = conversations_of(harness)
    teacher = Person.on(talk, "telegram", "fuzz-author")
    harness.run(teacher.onboard(role="Enseignant"))
    harness.run(grant(harness.database_url, "telegram", "fuzz-author", "teacher"))
    engine = talk.store.engine
    harness.run(teacher.send("/classes"))
    harness.run(teacher.tap("Mes cours"))
    harness.run(teacher.tap("Importer un fichier"))
    harness.run(teacher.send_file("document", "first", "eau.md", COURSE.encode()))
    assert "Le brouillon « L'eau propre » est prêt." in teacher.texts()
    guarded = ("role_grants", "broadcasts", "outbox", "classes", "circles", "certificates")
    before = harness.run(table_counts(engine, guarded))

    async def open_import(into_draft: bool) -> None:
        await teacher.send("/classes")
        await teacher.tap("Mes cours")
        if into_draft and any(label.startswith("✏️") for label in teacher.options()):
            await teacher.tap("✏️")
        await teacher.tap("Importer un fichier")

    async def send(name: str, content: bytes) -> str:
        replies = await teacher.send_file("document", f"f{next(_files)}", name, content)
        return teacher.texts(replies)

    async def drafts_are_readable() -> int:
        async with engine.connect() as connection:
            rows = (await connection.execute(select(AuthoredCourse))).all()
        for row in rows:
            parse_course(row.source, talk.store.authored_dir / row.course_id / "course.md")
        return len(rows)

    @fuzz(harness.examples(40))
    @given(into_draft=st.booleans(), file=files())
    def example(into_draft: bool, file: tuple[str, bytes]) -> None:
        harness.run(open_import(into_draft))
        said = harness.run(send(*file))
        assert said.strip(), "the teacher got no answer"
        refused = "Rien n'a été changé" in said
        assert not refused or "Ligne " in said or "aucune question" in said, said
        harness.assert_no_errors()
        harness.run(drafts_are_readable())
        harness.run(check_people(engine))
        assert harness.run(table_counts(engine, guarded)) == before
        if harness.run(drafts_are_readable()):  # the teacher can still download a draft
            harness.run(teacher.send("/classes"))
            harness.run(teacher.tap("Mes cours"))
            harness.run(teacher.tap("✏️"))
            replies = harness.run(teacher.tap("Recevoir le fichier"))
            assert any(isinstance(m, Document) for m in replies)
        replies = harness.run(teacher.send("/menu"))
        assert teacher.texts(replies).strip()

    example()
