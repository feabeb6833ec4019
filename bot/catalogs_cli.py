"""`python -m bot catalogs export | import FILE | status`: the translators' work and the files.

- export: the strings reviewed in the chat go into locales/<lang>/LC_MESSAGES/messages.po,
  to be committed (the database keeps them too);
- import: a .po file, or a spreadsheet saved as CSV (columns `source`, `context`,
  `translation`; a plural string's forms in one cell, separated by " || "), checked as in
  the chat: what passes becomes a proposal a translator reviews in the chat, a fuzzy .po
  entry (or a CSV row with `fuzzy` set) a suggestion shown to translators; neither reaches
  learners. XLSX is not read (openpyxl is not a dependency): save the sheet as CSV;
- status: how complete each language is, weighted by how often each string is shown;
- export-courses: the texts of courses reviewed in the chat (/traduire_cours) go into each
  course folder's `course.<lang>.md`, to be committed.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from babel.messages.pofile import read_po, write_po
from sqlalchemy import bindparam, select

from bot.catalogs import SourceCatalog, forms_of, plural_categories, sources
from bot.i18n import LOCALES_DIR, SOURCE_LANGUAGE, console_translator
from bot.storage.course_translations import reviewed_texts
from bot.storage.db import create_engine, migrate_async
from bot.storage.models import translations
from bot.storage.sql import as_json
from bot.storage.store import SqlStore
from bot.storage.translations import add_translation, latest_reviewed, progress_of
from content.format import course_files, parse_course_files
from content.translation_units import render_translation, with_units
from dialogs.context import translate
from dialogs.translating import described, problems
from dialogs.translation_ports import PROPOSED, SUGGESTION, Progress, SourceString

_t = translations.c
_PROPOSED = select(_t.key, _t.forms).where(
    _t.lang == bindparam("lang"), _t.status == bindparam("s")
)

PLURAL_SEPARATOR = " || "  # between a plural string's forms in a spreadsheet cell


class CatalogFileError(ValueError):
    """A file that cannot be read as a catalog or a spreadsheet."""


@dataclass(frozen=True)
class Row:
    """One translation read from a file."""

    line: int
    msgid: str
    plural: str
    context: str
    forms: tuple[str, ...]
    fuzzy: bool


@dataclass
class Imported:
    """What an import did."""

    proposed: int = 0
    suggestions: int = 0
    unchanged: int = 0  # already translated so, or already proposed so
    refused: list[str] = field(default_factory=list)  # "line 4: why"


async def export(
    database_url: str, folder: Path = LOCALES_DIR, langs: list[str] | None = None
) -> dict[str, int]:
    """Write the reviewed strings into each language's .po file; lang -> strings written."""
    catalog = sources()
    await migrate_async(database_url)
    engine = create_engine(database_url)
    store = SqlStore(engine)
    try:
        async with store.transaction() as runner:
            reviewed = await latest_reviewed(runner)
    finally:
        store.close()
        await engine.dispose()
    written: dict[str, int] = {}
    for lang in langs or list(catalog.languages):
        path = folder / lang / "LC_MESSAGES" / "messages.po"
        if lang == SOURCE_LANGUAGE or not path.exists():
            continue
        with path.open("rb") as handle:
            po = read_po(handle)
        count = 0
        for message in po:
            if not message.id:
                continue
            msgid, plural = _ids(message.id)
            key = catalog.key_of(msgid, plural)
            forms = reviewed.get((lang, key)) if key else None
            if not forms:
                continue
            if plural and len(forms) != po.num_plurals:
                continue  # made for another plural rule: left for a translator
            value: str | tuple[str, ...] = tuple(forms) if plural else forms[0]
            if message.string != value or message.fuzzy:
                message.string = value
                message.flags.discard("fuzzy")
                count += 1
        if count:
            buffer = io.BytesIO()
            write_po(buffer, po, width=76, ignore_obsolete=True, include_previous=False)
            path.write_bytes(buffer.getvalue())
        written[lang] = count
    return written


def _ids(value: object) -> tuple[str, str]:
    if isinstance(value, list | tuple):
        return str(value[0]), str(value[1])
    return str(value), ""


def read_rows(path: Path) -> Iterator[Row]:
    """The translations of a .po file or a CSV spreadsheet."""
    suffix = path.suffix.casefold()
    if suffix in (".po", ".pot"):
        with path.open("rb") as handle:
            try:
                po = read_po(handle)
            except Exception as error:
                raise CatalogFileError(f"{path}: not a .po file ({error})") from error
        for message in po:
            if not message.id:
                continue
            msgid, plural = _ids(message.id)
            forms = forms_of(message)
            if any(forms):
                line = message.lineno or 0
                context = message.context or ""
                yield Row(line, msgid, plural, context, forms, message.fuzzy)
        return
    if suffix == ".xlsx":
        raise CatalogFileError(
            f"{path}: XLSX is not read (openpyxl is not a dependency); save the sheet as CSV"
        )
    if suffix != ".csv":
        raise CatalogFileError(f"{path}: give a .po or a .csv file")
    text = path.read_text(encoding="utf-8-sig")
    reader = csv.DictReader(io.StringIO(text))
    columns = {name.strip().casefold() for name in reader.fieldnames or ()}
    if not {"source", "translation"} <= columns:
        raise CatalogFileError(f"{path}: the first row must name the columns source, translation")
    for number, raw in enumerate(reader, start=2):
        cells = {(k or "").strip().casefold(): (v or "") for k, v in raw.items()}
        translation = cells.get("translation", "").strip()
        if not translation:
            continue
        fuzzy = cells.get("fuzzy", "").strip().casefold() in ("1", "yes", "oui", "true", "x")
        yield Row(
            number,
            cells.get("source", ""),
            cells.get("source_plural", ""),
            cells.get("context", "").strip(),
            tuple(part.strip() for part in translation.split(PLURAL_SEPARATOR)),
            fuzzy,
        )


def _source_of(catalog: SourceCatalog, row: Row) -> SourceString | None:
    """The interface string a row translates (a plural one found by its singular too)."""
    if row.context:
        return None  # the interface has no contexts
    key = catalog.key_of(row.msgid, row.plural) or catalog.by_msgid.get(row.msgid)
    return catalog.strings.get(key) if key else None


async def import_file(
    database_url: str, path: Path, lang: str, console_lang: str | None = None
) -> Imported:
    """Read a file's translations of `lang` in: proposals and suggestions, never live."""
    catalog = sources()
    if lang not in catalog.languages:
        raise CatalogFileError(f"{lang}: not an interface language other than French")
    categories = plural_categories(lang)
    t = console_translator(console_lang)

    def say(message: str, **values: object) -> str:
        return translate(t, message, **values)

    done = Imported()
    rows = list(read_rows(path))
    await migrate_async(database_url)
    engine = create_engine(database_url)
    store = SqlStore(engine)
    now = datetime.now(UTC)
    try:
        async with store.transaction() as runner:
            reviewed = await latest_reviewed(runner, lang)
            waiting = {
                (str(key), tuple(as_json(forms) or ()))
                for key, forms in await runner.run(_PROPOSED, lang=lang, s=PROPOSED)
            }
            for row in rows:
                source = _source_of(catalog, row)
                if source is None:
                    done.refused.append(f"line {row.line}: not a string of the interface")
                    continue
                needed = len(categories) if source.plural else 1
                if len(row.forms) != needed:
                    done.refused.append(
                        f"line {row.line}: {len(row.forms)} forms, {lang} needs {needed}"
                    )
                    continue
                current = reviewed.get((lang, source.key)) or list(
                    catalog.done.get(lang, {}).get(source.key, ())
                )
                if list(row.forms) == current:
                    done.unchanged += 1
                    continue
                status = SUGGESTION if row.fuzzy else PROPOSED
                if status == PROPOSED:
                    found = []
                    for index, form in enumerate(row.forms):
                        category = categories[index] if source.plural else None
                        found += problems(source, form, category)
                    if found:
                        why = described(say, source, found).replace("\n", " ")
                        done.refused.append(f"line {row.line}: {why}")
                        continue
                    if (source.key, row.forms) in waiting:
                        done.unchanged += 1
                        continue
                await add_translation(runner, source, lang, row.forms, status, None, now)
                if status == SUGGESTION:
                    done.suggestions += 1
                else:
                    done.proposed += 1
    finally:
        store.close()
        await engine.dispose()
    return done


async def export_courses(
    database_url: str, library: Path, langs: list[str] | None = None
) -> list[tuple[Path, int]]:
    """Write the course texts reviewed in the chat into `course.<lang>.md` beside each
    course of the library folder (with what the file had, and its opening comment kept);
    the files written and how many reviewed texts each holds."""
    await migrate_async(database_url)
    engine = create_engine(database_url)
    store = SqlStore(engine)
    try:
        async with store.transaction() as runner:
            reviewed = await reviewed_texts(runner)
    finally:
        store.close()
        await engine.dispose()
    courses, _ = parse_course_files(course_files(library))
    written: list[tuple[Path, int]] = []
    for course in courses:
        for (course_id, lang), texts in sorted(reviewed.items()):
            if course_id != course.id or course.source is None or (langs and lang not in langs):
                continue
            path = course.source.parent / f"course.{lang}.md"
            before = path.read_text(encoding="utf-8") if path.exists() else ""
            text = render_translation(with_units(course, lang, texts), lang)
            path.write_text(_opening_comment(before) + text, encoding="utf-8")
            written.append((path, len(texts)))
    return written


def _opening_comment(text: str) -> str:
    """A translation file's opening comment (a note for reviewers), kept on export."""
    if not text.lstrip().startswith("<!--") or "-->" not in text:
        return ""
    return text[: text.index("-->") + 3].lstrip() + "\n"


async def status(database_url: str) -> list[Progress]:
    """Completeness of every language but French."""
    await migrate_async(database_url)
    engine = create_engine(database_url)
    store = SqlStore(engine)
    try:
        async with store.transaction() as runner:
            return await progress_of(runner, sources())
    finally:
        store.close()
        await engine.dispose()


def status_lines(found: list[Progress]) -> list[str]:
    """The status as a table for a terminal."""
    lines = ["language  seen    strings        to review  unclear"]
    for row in found:
        strings = f"{row.translated}/{row.total}"
        lines.append(
            f"{row.lang:<9} {row.seen_share:6.1%}  {strings:<14} {row.to_review:<10} {row.unclear}"
        )
    return lines
