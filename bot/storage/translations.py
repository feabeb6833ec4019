"""Translations of the interface kept in the database, and their way to every worker.

`translations` holds proposals (status "proposed"), their review ("accepted", "edited",
"rejected", with the reviewer), sources flagged "unclear" and imported drafts
("suggestion"). Only reviewed rows reach learners: `LiveCatalogs` reads them into each
worker's I18n when `translation_version` (bumped at every review) moved, checked at most
every `refresh_seconds` before a turn; it also adds the worker's counts of strings shown to
`string_views` every `flush_seconds`. Both run in short transactions of their own, never
inside a learner's turn.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Collection
from dataclasses import replace
from datetime import UTC, datetime
from difflib import SequenceMatcher
from typing import TYPE_CHECKING, Any

from sqlalchemy import bindparam, func, literal, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql import ClauseElement

from bot.catalogs import SourceCatalog, plural_categories, sources, template_keys
from bot.i18n import SOURCE_LANGUAGE, I18n
from bot.storage.models import string_views, translation_version, translations
from bot.storage.sql import ByDialect, Runner, as_json
from dialogs.translation_ports import (
    ACCEPTED,
    EDITED,
    PROPOSED,
    REVIEWED,
    SUGGESTION,
    UNCLEAR,
    PluralCategory,
    Progress,
    Proposal,
    SourceString,
)

if TYPE_CHECKING:
    from bot.storage.store import SqlStore

log = logging.getLogger(__name__)

REFRESH_SECONDS = 5.0  # how stale a worker's reviewed strings may be (TRANSLATIONS_REFRESH)
FLUSH_SECONDS = 60.0  # how often a worker adds its counts of strings shown
# How alike an old French source and a new one must be (difflib's ratio) for the old one's
# translation to be offered when the French changed.
CHANGED_LIKENESS = 0.75

_t = translations.c
# Fixed lists as plain parameters: an expanding IN costs ~30 µs per call to write out.
_IS_REVIEWED = _t.status.in_((literal(ACCEPTED), literal(EDITED)))


def _counted(new: sqlite.Insert | postgresql.Insert) -> ClauseElement:
    """A string's views made on first count, added to afterwards."""
    return new.on_conflict_do_update(
        index_elements=[string_views.c.key],
        set_={"views": string_views.c.views + new.excluded.views},
    )


_NEW_VIEWS: dict[str, Any] = {"key": bindparam("key"), "views": bindparam("n")}
_ADD_VIEWS = ByDialect(
    sqlite=_counted(sqlite.insert(string_views).values(_NEW_VIEWS)),
    postgresql=_counted(postgresql.insert(string_views).values(_NEW_VIEWS)),
)
_VIEWS = select(string_views.c.key, string_views.c.views)
_ADD = (
    translations.insert()
    .values(
        lang=bindparam("lang"),
        key=bindparam("key"),
        msgid=bindparam("msgid"),
        msgid_plural=bindparam("plural"),
        forms=bindparam("forms"),
        status=bindparam("status"),
        author_id=bindparam("author"),
        reviewer_id=bindparam("reviewer"),
        created_at=bindparam("now"),
        reviewed_at=bindparam("reviewed_at"),
    )
    .returning(_t.id)
)
_BUMP = (
    update(translation_version)
    .where(translation_version.c.id == 1)
    .values(version=translation_version.c.version + 1)
)
_VERSION = select(translation_version.c.version).where(translation_version.c.id == 1)
_REVIEWED = select(_t.lang, _t.key, _t.forms).where(_IS_REVIEWED).order_by(_t.reviewed_at, _t.id)
_REVIEWED_IN = _REVIEWED.where(_t.lang == bindparam("lang"))
_REVIEWED_MSGIDS = (
    select(_t.lang, _t.msgid, _t.forms).where(_IS_REVIEWED).order_by(_t.reviewed_at, _t.id)
)
_REVIEWED_SOURCES = (
    select(_t.key, _t.msgid, _t.forms)
    .where(_t.lang == bindparam("lang"), _IS_REVIEWED)
    .order_by(_t.reviewed_at, _t.id)
)
_BUSY = select(_t.key).where(
    _t.lang == bindparam("lang"),
    or_(
        _t.status.in_((literal(PROPOSED), literal(ACCEPTED), literal(EDITED))),
        (_t.status == bindparam("unclear")) & (_t.author_id == bindparam("me")),
    ),
)
_SUGGESTIONS = (
    select(_t.key, _t.forms)
    .where(_t.lang == bindparam("lang"), _t.status == bindparam("s"))
    .order_by(_t.id)
)
_TO_REVIEW = (
    select(_t.id, _t.key, _t.forms)
    .where(
        _t.lang == bindparam("lang"),
        _t.status == bindparam("s"),
        or_(_t.author_id.is_(None), _t.author_id != bindparam("me")),
    )
    .order_by(_t.id)
)
_REVIEW = (
    update(translations)
    .where(
        _t.id == bindparam("tid"),
        _t.status == bindparam("proposed"),
        or_(_t.author_id.is_(None), _t.author_id != bindparam("me")),
    )
    .values(status=bindparam("verdict"), reviewer_id=bindparam("me"), reviewed_at=bindparam("now"))
    .returning(_t.id)
)
_EDIT = update(translations).where(_t.id == bindparam("tid")).values(forms=bindparam("forms"))
_WAITING = (
    select(_t.lang, _t.status, func.count(_t.key.distinct()))
    .where(_t.status.in_((bindparam("p"), bindparam("u"))))
    .group_by(_t.lang, _t.status)
)


async def add_views(runner: Runner, counts: dict[str, int]) -> None:
    """Add counts of strings shown (key -> times), in key order (no deadlock between
    workers adding at once on PostgreSQL)."""
    for key in sorted(counts):
        await runner.run(_ADD_VIEWS, key=key, n=counts[key])


async def views_of(runner: Runner) -> dict[str, int]:
    """key -> times shown."""
    return {str(k): int(n) for k, n in await runner.run(_VIEWS)}


async def add_translation(
    runner: Runner,
    source: SourceString,
    lang: str,
    forms: tuple[str, ...],
    status: str,
    author: int | None,
    now: datetime,
    reviewer: int | None = None,
) -> int:
    """A new row; its id. A reviewed one (an import marked reviewed) bumps the version."""
    reviewed = status in REVIEWED
    rows = await runner.run(
        _ADD,
        lang=lang,
        key=source.key,
        msgid=source.msgid,
        plural=source.plural,
        forms=list(forms),
        status=status,
        author=author,
        reviewer=reviewer,
        now=now,
        reviewed_at=now if reviewed else None,
    )
    if reviewed:
        await bump(runner)
    return int(rows[0][0])


async def bump(runner: Runner) -> None:
    """Tell every worker that reviewed strings changed."""
    await runner.run(_BUMP)


async def latest_reviewed(
    runner: Runner, lang: str | None = None
) -> dict[tuple[str, str], list[str]]:
    """(lang, key) -> the forms of its latest reviewed translation."""
    if lang:
        rows = await runner.run(_REVIEWED_IN, lang=lang)
    else:
        rows = await runner.run(_REVIEWED)
    return {(str(la), str(key)): list(as_json(forms) or []) for la, key, forms in rows}


class SqlTranslationDesk:
    """The TranslationDesk port (dialogs/translation_ports.py) inside a turn's transaction."""

    def __init__(
        self,
        runner: Runner,
        user_id: int | None,
        catalog: Callable[[], SourceCatalog] = sources,
        now: datetime | None = None,
    ) -> None:
        self.runner = runner
        self.user_id = user_id
        self._catalog = catalog
        self.now = now or datetime.now(UTC)

    @property
    def catalog(self) -> SourceCatalog:
        """The interface's strings (read on first use)."""
        return self._catalog()

    def categories(self, lang: str) -> tuple[PluralCategory, ...]:
        """The plural categories of `lang`, in gettext order."""
        return plural_categories(lang)

    async def _busy(self, lang: str) -> set[str]:
        """Keys proposed or reviewed already, and those this person found unclear."""
        rows = await self.runner.run(
            _BUSY,
            lang=lang,
            unclear=UNCLEAR,
            me=self.user_id,
        )
        return {str(row[0]) for row in rows}

    async def _suggestions(self, lang: str) -> dict[str, tuple[str, ...]]:
        """Drafts: the .po's fuzzy entries, then imported suggestions (the latest wins)."""
        found = dict(self.catalog.drafts.get(lang, {}))
        rows = await self.runner.run(_SUGGESTIONS, lang=lang, s=SUGGESTION)
        for key, forms in rows:
            found[str(key)] = tuple(as_json(forms) or ())
        return found

    async def next_to_translate(self, lang: str, skipped: Collection[str]) -> SourceString | None:
        """The most-seen string left to translate in `lang`."""
        done = self.catalog.done.get(lang, {})
        busy = await self._busy(lang)
        views = await views_of(self.runner)
        left = [
            s
            for key, s in self.catalog.strings.items()
            if key not in done and key not in busy and key not in skipped
        ]
        if not left:
            return None
        best = max(left, key=lambda s: views.get(s.key, 0))  # the first of the most seen
        return await self._shown(best, lang, views.get(best.key, 0))

    async def source(self, key: str, lang: str = "") -> SourceString | None:
        """A string by its key."""
        found = self.catalog.strings.get(key)
        if found is None:
            return None
        views = await views_of(self.runner)
        if not lang:
            return _with(found, views.get(key, 0), ())
        return await self._shown(found, lang, views.get(key, 0))

    async def _shown(self, source: SourceString, lang: str, views: int) -> SourceString:
        """A string with its views and its suggestion: a draft, else the reviewed translation
        of the French it replaced (a French source changed: the closest one no longer in the
        interface, if close enough)."""
        draft = (await self._suggestions(lang)).get(source.key)
        if draft:
            return _with(source, views, draft)
        rows = await self.runner.run(_REVIEWED_SOURCES, lang=lang)
        best, score = None, CHANGED_LIKENESS
        needed = len(plural_categories(lang)) if source.plural else 1
        for key, msgid, forms in rows:
            old = tuple(as_json(forms) or ())
            if str(key) in self.catalog.strings or len(old) != needed:
                continue
            likeness = SequenceMatcher(None, str(msgid), source.msgid).ratio()
            if likeness >= score:
                best, score = (str(msgid), old), likeness
        if best is None:
            return _with(source, views, ())
        return replace(_with(source, views, best[1]), previous=best[0])

    async def propose(self, lang: str, key: str, forms: tuple[str, ...]) -> int:
        """A proposal by the current person."""
        source = self.catalog.strings[key]
        return await add_translation(
            self.runner, source, lang, forms, PROPOSED, self.user_id, self.now
        )

    async def flag_unclear(self, lang: str, key: str) -> None:
        """The current person finds the French unclear."""
        source = self.catalog.strings[key]
        await add_translation(self.runner, source, lang, (), UNCLEAR, self.user_id, self.now)

    async def next_to_review(self, lang: str, skipped: Collection[int]) -> Proposal | None:
        """The oldest proposal of `lang` by someone else."""
        rows = await self.runner.run(_TO_REVIEW, lang=lang, s=PROPOSED, me=self.user_id)
        for proposal_id, key, forms in rows:
            source = self.catalog.strings.get(str(key))
            if source is None or int(proposal_id) in skipped:
                continue
            shown = await self.source(str(key))
            assert shown is not None
            found = tuple(as_json(forms) or ())
            return Proposal(int(proposal_id), lang, shown, found, mine=False)
        return None

    async def review(self, proposal_id: int, verdict: str, forms: tuple[str, ...] = ()) -> bool:
        """Accept, edit or reject someone else's waiting proposal."""
        rows = await self.runner.run(
            _REVIEW,
            verdict=verdict,
            me=self.user_id,
            now=self.now,
            tid=proposal_id,
            proposed=PROPOSED,
        )
        if not rows:
            return False
        if forms:
            await self.runner.run(_EDIT, forms=list(forms), tid=proposal_id)
        if verdict in REVIEWED:
            await bump(self.runner)
        return True

    async def progress(self, langs: Collection[str] | None = None) -> list[Progress]:
        """How far each language is translated, weighted by how often strings are shown."""
        return await progress_of(self.runner, self.catalog, langs)


async def progress_of(
    runner: Runner, catalog: SourceCatalog, langs: Collection[str] | None = None
) -> list[Progress]:
    """Completeness per language: strings translated in full (reviewed in the database or
    in the .po file), and their share of what is shown, each string weighing its views plus
    one (so that with no views counted yet, every string weighs the same)."""
    views = await views_of(runner)
    weights = {key: views.get(key, 0) + 1 for key in catalog.strings}
    total_weight = sum(weights.values()) or 1
    reviewed = await latest_reviewed(runner)
    waiting = await runner.run(_WAITING, p=PROPOSED, u=UNCLEAR)
    counts = {(str(lang), str(status)): int(n) for lang, status, n in waiting}
    found = []
    for lang in langs if langs is not None else catalog.languages:
        if lang == SOURCE_LANGUAGE:
            continue
        done = set(catalog.done.get(lang, {})) | {
            key for (la, key) in reviewed if la == lang and key in catalog.strings
        }
        share = sum(weights[key] for key in done) / total_weight
        found.append(
            Progress(
                lang,
                len(done),
                len(catalog.strings),
                share,
                counts.get((lang, PROPOSED), 0),
                counts.get((lang, UNCLEAR), 0),
            )
        )
    return found


def _with(source: SourceString, views: int, suggestion: tuple[str, ...]) -> SourceString:
    """A string with its views and suggestion."""
    return SourceString(
        source.key,
        source.msgid,
        source.plural,
        source.english,
        source.places,
        source.label_limit,
        source.text_limit,
        views,
        suggestion,
    )


class LiveCatalogs:
    """One worker's reviewed strings kept current, and its counts of strings shown stored.

    `tick` runs before each turn: it costs a clock reading unless `refresh_seconds` (or
    `flush_seconds`) passed; then one short statement reads the version, and the reviewed
    strings are read again only when it moved. `refresh_seconds = 0` checks before every turn
    (the tests of two workers); None never (the reviewed strings of the start stay).
    """

    def __init__(
        self,
        store: SqlStore,
        i18n: I18n,
        refresh_seconds: float | None = REFRESH_SECONDS,
        flush_seconds: float = FLUSH_SECONDS,
        keys: Callable[[], dict[str, str]] = template_keys,
    ) -> None:
        self.store = store
        self.i18n = i18n
        self.refresh_seconds = refresh_seconds
        self.flush_seconds = flush_seconds
        self.clock: Callable[[], float] = time.monotonic
        self._keys = keys
        self._next_refresh = 0.0
        self._next_flush = self.clock() + flush_seconds

    async def tick(self) -> None:
        """Before a turn: read the reviewed strings again if due, and flush counts if due."""
        now = self.clock()
        try:
            if self.refresh_seconds is not None and now >= self._next_refresh:
                self._next_refresh = now + self.refresh_seconds
                await self.refresh()
            if now >= self._next_flush:
                self._next_flush = now + self.flush_seconds
                await self.flush()
        except Exception:  # the turn itself says what is wrong with the database
            log.warning("translations: could not refresh or flush", exc_info=True)

    async def refresh(self) -> bool:
        """Read the reviewed strings if their version moved; whether they were read. Plain
        reads, each committed at once (on SQLite, no write lock is taken for them)."""
        found = await self.store.statement(_VERSION)
        version = int(found[0][0]) if found else 0
        if version == self.i18n.version:
            return False
        rows = await self.store.statement(_REVIEWED_MSGIDS)
        reviewed = [(str(la), str(msgid), tuple(as_json(forms) or ())) for la, msgid, forms in rows]
        self.i18n.use_reviewed(version, reviewed)
        return True

    async def flush(self) -> int:
        """Add the counts of strings shown to the database; how many strings were counted.
        Only the interface's own strings are kept (a count lost in a failure is no harm)."""
        seen = self.i18n.take_seen()
        if not seen:
            return 0
        known = self._keys()
        counts: dict[str, int] = {}
        for msgid, n in seen.items():
            key = known.get(msgid)
            if key is not None:
                counts[key] = counts.get(key, 0) + n
        if counts:
            async with self.store.transaction() as runner:
                await add_views(runner, counts)
        return len(counts)
