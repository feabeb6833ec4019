"""The housekeeping prunes the learning records' journal (bot/storage/xapi.py, `prune`): a
row every configured destination acknowledged, older than XAPI_KEEP_DAYS, keeps only its
statement id and homePage (an erasure still voids it there); a voiding goes; a row not
acknowledged yet, a recent one, or any row of an instance with no destination stays whole."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.housekeeping import Journal as Pruning
from bot.housekeeping import tidy
from bot.storage.store import SqlStore
from bot.storage.xapi import Journal, Vocabulary, void_sent

SITE = "https://ecole-du-jardin.example"
LONG_AGO = datetime(2026, 9, 1, 8, 0, tzinfo=UTC)
NOW = datetime(2026, 12, 7, 16, 0, tzinfo=UTC)


async def learner_with_records(store: SqlStore) -> int:
    """A learner who completed four lessons in September (one statement each)."""
    async with store.transaction() as runner:
        found = await runner.run(
            "INSERT INTO users (channel, external_id, locale, state_step, state_data,"
            " state_prompt, created_at, last_seen_at, consented_at) VALUES ('web', 'awa',"
            " 'fr', 'menu', :data, 0, :at, :at, :at) RETURNING id",
            data={},
            at=LONG_AGO,
        )
        uid = int(found[0][0])
        journal = Journal(runner, uid, Vocabulary(SITE, secret=b"k"))
        for lesson in ("un", "deux", "trois", "quatre"):
            await journal.lesson_completed("fractions", lesson, LONG_AGO)
    return uid


async def journal(store: SqlStore) -> list[tuple[str, Any, Any]]:
    """(what each row holds: whole, pruned, or a voiding; sent; synced), in order."""
    rows = await store.statement(
        "SELECT statement, sent_at, synced_at FROM xapi_statements ORDER BY id"
    )
    found = []
    for body, sent, synced in rows:
        statement = json.loads(body)
        kind = "pruned" if statement.get("pruned") else statement["verb"]["id"].rsplit("/")[-1]
        found.append((kind, sent is not None, synced is not None))
    return found


async def mark(store: SqlStore, column: str, *rows: int) -> None:
    """The LRS (`sent_at`) or the national instance (`synced_at`) has these rows (1-based)."""
    ids = await store.statement("SELECT id FROM xapi_statements ORDER BY id")
    for row in rows:
        await store.statement(
            f"UPDATE xapi_statements SET {column} = :at WHERE id = :id",
            at=LONG_AGO,
            id=ids[row - 1][0],
        )


async def test_acknowledged_records_are_pruned_after_the_retention(store: SqlStore) -> None:
    uid = await learner_with_records(store)
    await mark(store, "sent_at", 1, 2, 3)  # the school's own LRS has three
    await mark(store, "synced_at", 1, 4)  # the national instance has two

    assert await tidy(store, NOW, None) == 0
    assert await tidy(store, NOW, Pruning()) == 0  # no destination: the only copy stays whole
    await tidy(store, NOW, Pruning(lrs=True, national=True, keep=timedelta(days=120)))
    assert [kind for kind, _, _ in await journal(store)] == ["completed"] * 4, "kept 120 days"

    await tidy(store, NOW, Pruning(lrs=True, national=True))
    assert await journal(store) == [
        ("pruned", True, True),  # both have it
        ("completed", True, False),  # the national instance does not have it yet
        ("completed", True, False),
        ("completed", False, True),  # the LRS does not
    ]
    await tidy(store, NOW, Pruning(lrs=True))
    assert [kind for kind, _, _ in await journal(store)] == ["pruned"] * 3 + ["completed"]
    [(kept,)] = (await store.statement("SELECT statement FROM xapi_statements ORDER BY id"))[:1]
    assert set(json.loads(kept)) == {"pruned", "id", "actor"}
    assert json.loads(kept)["actor"] == {"account": {"homePage": SITE}}

    # An erasure still voids what the LRS has, pruned or not; the unsent row simply goes.
    async with store.transaction() as runner:
        assert await void_sent(runner, uid, NOW) == 4
    assert await journal(store) == [("voided", False, False)] * 4
    await mark(store, "sent_at", 1, 2, 3, 4)
    await store.statement("UPDATE xapi_statements SET created_at = :at", at=LONG_AGO)
    await tidy(store, NOW, Pruning(lrs=True))
    assert await journal(store) == [], "voidings the LRS has simply go"
