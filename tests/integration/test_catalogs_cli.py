"""`python -m bot catalogs export | import | status`: the translators' work in and out of files.

Imports are checked as in the chat and become proposals (reviewed in the chat) or, for fuzzy
entries, suggestions; neither reaches a learner. Export writes only reviewed strings.
"""

from __future__ import annotations

import asyncio
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po
from sqlalchemy import text

from bot.__main__ import main
from bot.catalogs import sources
from bot.catalogs_cli import CatalogFileError, export, import_file, status, status_lines
from bot.i18n import LOCALES_DIR, I18n
from bot.storage.db import create_engine, migrate_async
from bot.storage.store import SqlStore
from bot.storage.translations import LiveCatalogs, add_translation, add_views
from dialogs.roles import Grant, Role
from tests.integration.test_translators_chat import PROGRES, PROGRES_WO, give
from tests.store_driver import Person, open_conversations

MENU = "/menu : le menu principal"
INSCRITS = ("%(n)s élève inscrit", "%(n)s élèves inscrits")


async def accepted(database_url: str, lang: str, msgid: str, forms: tuple[str, ...]) -> None:
    """A translation reviewed in the chat."""
    catalog = sources()
    store = SqlStore(create_engine(database_url))
    try:
        async with store.transaction() as runner:
            source = catalog.strings[catalog.by_msgid[msgid]]
            await add_translation(runner, source, lang, forms, "accepted", None, datetime.now(UTC))
    finally:
        store.close()
        await store.engine.dispose()


async def table(database_url: str, sql: str) -> list[tuple[object, ...]]:
    engine = create_engine(database_url)
    try:
        async with engine.connect() as conn:
            return [tuple(row) for row in (await conn.execute(text(sql))).all()]
    finally:
        await engine.dispose()


def po_file(path: Path, lang: str, entries: list[tuple[object, object, bool]]) -> Path:
    """A .po file of `lang` with (msgid, translation, fuzzy) entries."""
    catalog = Catalog(locale=lang)
    for msgid, string, fuzzy in entries:
        catalog.add(msgid, string, flags=("fuzzy",) if fuzzy else ())
    with path.open("wb") as handle:
        write_po(handle, catalog)
    return path


async def test_export_writes_the_reviewed_strings_into_the_po_files(
    database_url: str, tmp_path: Path
) -> None:
    folder = tmp_path / "locales"
    shutil.copytree(LOCALES_DIR, folder)
    await accepted(database_url, "wo", PROGRES, (PROGRES_WO,))
    await accepted(database_url, "ha", INSCRITS[0], ("ɗalibi ɗaya mai rijista", "ɗalibai %(n)s"))
    written = await export(database_url, folder)
    assert written == {"en": 0, "ar": 0, "wo": 1, "ha": 1, "bm": 0, "ff": 0}
    with (folder / "wo" / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        wolof = read_po(handle)
    assert wolof[PROGRES].string == PROGRES_WO and not wolof[PROGRES].fuzzy
    i18n = I18n(folder)
    assert i18n.translator("wo").gettext(PROGRES) == PROGRES_WO
    assert i18n.translator("ha").ngettext(*INSCRITS, 1) == "ɗalibi ɗaya mai rijista"
    assert i18n.translator("ha").ngettext(*INSCRITS, 3) == "ɗalibai %(n)s"
    # a second export changes nothing
    assert (await export(database_url, folder))["wo"] == 0


async def test_an_imported_po_becomes_proposals_and_suggestions_never_live(
    database_url: str, tmp_path: Path
) -> None:
    path = po_file(
        tmp_path / "wo.po",
        "wo",
        [
            (PROGRES, PROGRES_WO, False),
            (MENU, "/menu : menu bu mag bi", True),  # a draft: a suggestion
            ("%(n)s actif sur 7 jours", "ñu dox", False),  # lost its placeholder
            ("Pas une phrase de l'interface", "Du", False),
        ],
    )
    done = await import_file(database_url, path, "wo", "fr")
    assert (done.proposed, done.suggestions, done.unchanged) == (1, 1, 0)
    assert len(done.refused) == 2
    assert "Il manque %(n)s" in done.refused[0]
    assert "not a string of the interface" in done.refused[1]
    found = await table(database_url, "SELECT msgid, status FROM translations ORDER BY id")
    assert found == [(PROGRES, "proposed"), (MENU, "suggestion")]
    again = await import_file(database_url, path, "wo", "fr")
    assert (again.proposed, again.suggestions, again.unchanged) == (0, 1, 1)

    # Nothing of it reaches a learner, on any worker, until a translator reviewed it.
    async with open_conversations(database_url) as talk:
        await talk.catalogs.refresh()
        assert talk.i18n.version == 0 and talk.i18n.reviewed == {}  # no review, none read
        fatou = Person.on(talk, "telegram", "501")
        await fatou.onboard()
        await fatou.send("/langue")
        await fatou.tap("Wolof")
        helped = fatou.texts(await fatou.send("/aide"))
        assert PROGRES in helped and MENU in helped and "menu bu mag" not in helped

        # The draft is offered to a translator as a suggestion.
        awa = Person.on(talk, "telegram", "502")
        await awa.onboard(role="Enseignant")
        await give(talk, awa, Grant(Role.TRANSLATOR, None, "wo"))
        async with talk.store.transaction() as runner:
            await add_views(runner, {sources().by_msgid[MENU]: 700})
        await awa.send("/traduire")
        shown = awa.texts(await awa.tap("Traduire"))
        assert "Suggestion (à vérifier) : « /menu : menu bu mag bi »" in shown


async def test_a_csv_spreadsheet_with_plural_forms(database_url: str, tmp_path: Path) -> None:
    path = tmp_path / "hausa.csv"
    path.write_text(
        "source,source_plural,context,translation\n"
        f'"{INSCRITS[0]}","{INSCRITS[1]}",,"ɗalibi ɗaya mai rijista || ɗalibai %(n)s"\n'
        f'"{MENU}",,,"menu"\n'
        f'"{INSCRITS[0]}","{INSCRITS[1]}",,"ɗalibai %(n)s"\n',
        encoding="utf-8",
    )
    done = await import_file(database_url, path, "ha", "fr")
    assert (done.proposed, done.suggestions) == (1, 0)
    assert done.refused[0].startswith("line 3: Gardez la commande /menu telle quelle")
    assert done.refused[1] == "line 4: 1 forms, ha needs 2"
    found = await table(database_url, "SELECT lang, forms FROM translations")
    assert len(found) == 1 and found[0][0] == "ha" and "ɗalibai %(n)s" in str(found[0][1])
    sheet = tmp_path / "hausa.xlsx"
    sheet.write_bytes(b"PK")
    with pytest.raises(CatalogFileError, match="save the sheet as CSV"):
        await import_file(database_url, sheet, "ha", "fr")


async def test_status_weighs_strings_by_how_often_they_are_shown(database_url: str) -> None:
    before = {row.lang: row for row in await status(database_url)}
    assert before["en"].translated == before["en"].total
    assert before["en"].seen_share == pytest.approx(1.0)
    catalog = sources()
    async with open_conversations(database_url) as talk, talk.store.transaction() as runner:
        await add_views(runner, {catalog.by_msgid[PROGRES]: 100_000})
    await accepted(database_url, "wo", PROGRES, (PROGRES_WO,))
    after = {row.lang: row for row in await status(database_url)}
    assert after["wo"].translated == before["wo"].translated + 1
    assert after["wo"].seen_share > 0.9 > before["wo"].seen_share  # the string most seen
    lines = status_lines(list(after.values()))
    assert lines[0].startswith("language  seen")
    assert any(line.startswith("wo ") for line in lines)


def test_the_command_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'bot.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("LANGUAGE", "fr")
    assert main(["catalogs", "status"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("language  seen")
    assert "\nen " in out and "\nwo " in out and "\nfr " not in out
    path = po_file(tmp_path / "wo.po", "wo", [("%(n)s actif sur 7 jours", "ñu dox", False)])
    assert main(["catalogs", "import", str(path), "--lang", "wo"]) == 1
    out = capsys.readouterr().out
    assert out.startswith("wo: 0 proposed (to review in the chat), 0 suggestions, 0 unchanged")
    assert "Il manque %(n)s" in out
    assert main(["catalogs", "import", str(tmp_path / "x.txt"), "--lang", "wo"]) == 2
    assert "give a .po or a .csv file" in capsys.readouterr().err
    folder = tmp_path / "locales"
    shutil.copytree(LOCALES_DIR, folder)
    asyncio.run(accepted(url, "wo", PROGRES, (PROGRES_WO,)))
    assert main(["catalogs", "export", "--locales", str(folder), "--lang", "wo"]) == 0
    assert capsys.readouterr().out == "wo: 1 reviewed strings written\n"
    assert PROGRES_WO in (folder / "wo" / "LC_MESSAGES" / "messages.po").read_text("utf-8")


def test_live_catalogs_refresh_only_when_the_version_moves(tmp_path: Path) -> None:
    """The check before a turn is one read of the version; the strings only when it moved."""
    url = f"sqlite:///{tmp_path / 'bot.db'}"

    async def scenario() -> None:
        async with open_conversations(url) as talk:
            live = LiveCatalogs(talk.store, I18n())
            assert await live.refresh() is True  # first read
            assert await live.refresh() is False
            await accepted(url, "wo", PROGRES, (PROGRES_WO,))
            assert await live.refresh() is True
            assert live.i18n.translator("wo").gettext(PROGRES) == PROGRES_WO
            assert live.i18n.translator("bm").gettext(PROGRES) == PROGRES  # French, per string

    asyncio.run(migrate_async(url))
    asyncio.run(scenario())


def test_export_courses_on_the_command_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`catalogs export-courses`: a text reviewed in the chat goes into course.wo.md; the
    file's opening comment (a note for reviewers) is kept."""
    from bot.storage.course_translations import SqlCourseTranslationDesk
    from tests.unit.test_course_translation_quiz import COURSE

    url = f"sqlite:///{tmp_path / 'bot.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    folder = tmp_path / "library" / "parts"
    folder.mkdir(parents=True)
    (folder / "course.md").write_text(COURSE, encoding="utf-8")
    (folder / "course.wo.md").write_text("<!-- À relire. -->\nlanguage: wo\n", encoding="utf-8")

    async def reviewed() -> None:
        await migrate_async(url)
        engine = create_engine(url)
        store = SqlStore(engine)
        try:
            async with store.transaction() as runner:
                author = SqlCourseTranslationDesk(runner, None)
                found = await author.propose("parts", "wo", "course", "Les parts", "x", "Pàcc yi")
                assert await author.review(found, "accepted")
        finally:
            store.close()
            await engine.dispose()

    asyncio.run(reviewed())
    assert main(["catalogs", "export-courses", "--library", str(folder.parent)]) == 0
    assert capsys.readouterr().out == f"{folder / 'course.wo.md'}: 1 reviewed texts\n"
    written = (folder / "course.wo.md").read_text(encoding="utf-8")
    assert written == "<!-- À relire. -->\nlanguage: wo\ntitle: Pàcc yi\n"
