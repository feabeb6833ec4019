"""Durable replies: what a turn will send is written in the turn's own transaction, and
deleted once sent.

A worker that dies between a turn's commit and its send leaves the reply here; it is sent
later, in order, by whoever holds the learner next: the learner's next turn sends what is
left before its own reply, and the resender (bot/resend.py) sends what nobody claimed for a
lease. Every send of a learner's replies runs under the learner's lock (in the process, and
on PostgreSQL the advisory lock, bot/storage/locks.py), so a row found under that lock is one
nobody else is sending. The unit is a whole reply: a crash after its messages went out and
before its row was deleted sends it again. At least once, never exactly once: the only
duplicates are the replies in flight at the crash.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, assert_never

from bot.storage.locks import forget_on_release, held_connection
from bot.storage.sql import PgRunner, utc
from bot.storage.store import SqlStore
from dialogs.events import UserRef
from dialogs.messages import (
    Ask,
    ClearScreen,
    Document,
    Later,
    LaterLost,
    Option,
    Out,
    QuizQuestion,
    Say,
    Show,
)

GROUP = ":group"  # a route's suffix for a Telegram group's few words (not a person's chat)


@dataclass(frozen=True)
class Letter:
    """What a reply says and to whom, as the channels send it (an Outcome's fields)."""

    user: UserRef
    messages: list[Out]
    lang: str
    rtl: bool
    user_id: int | None = None
    profile_id: int | None = None


@dataclass(frozen=True)
class StoredReply:
    """A committed reply not sent yet."""

    id: int
    route: str
    letter: Letter
    created_at: datetime
    attempts: int


def encode(letter: Letter) -> str:
    """The reply as JSON text (its address is kept in columns of its own)."""
    return json.dumps(
        {
            "messages": [_message(m) for m in letter.messages],
            "lang": letter.lang,
            "rtl": letter.rtl,
            "user_id": letter.user_id,
            "profile_id": letter.profile_id,
        },
        ensure_ascii=False,
        separators=(",", ":"),
    )


def decode(user: UserRef, payload: str) -> Letter:
    """A reply read back from its JSON text."""
    data = json.loads(payload)
    return Letter(
        user=user,
        messages=[_out(m) for m in data["messages"]],
        lang=str(data["lang"]),
        rtl=bool(data["rtl"]),
        user_id=data.get("user_id"),
        profile_id=data.get("profile_id"),
    )


def _options(options: tuple[Option, ...]) -> list[list[str]]:
    return [[o.id, o.label] for o in options]


def _read_options(items: list[list[str]]) -> tuple[Option, ...]:
    return tuple(Option(str(i), str(label)) for i, label in items)


def _message(message: Out) -> dict[str, Any]:
    """One outgoing message as JSON-ready data, tagged with its kind."""
    match message:
        case Say(text=text):
            return {"kind": "say", "text": text}
        case Ask():
            return {
                "kind": "ask",
                "text": message.text,
                "options": _options(message.options),
                "prompt": message.prompt,
                "columns": message.columns,
                **({"lines": True} if message.lines else {}),
                "secret": message.secret,
            }
        case QuizQuestion():
            return {
                "kind": "quiz",
                "text": message.text,
                "options": _options(message.options),
                "prompt": message.prompt,
                "multiple": message.multiple,
                "correct_ids": list(message.correct_ids),
                "extra": _options(message.extra),
                "submit": message.submit,
                "hint": message.hint,
            }
        case Show():
            return {
                "kind": "show",
                "media": message.kind,
                "path": str(message.path),
                "caption": message.caption,
                "url_path": message.url_path,
            }
        case Document():
            document: dict[str, Any] = {
                "kind": "document",
                "filename": message.filename,
                "mime": message.mime,
                "caption": message.caption,
            }
            if isinstance(message.content, Later):  # made after the commit (bot/rendering.py)
                document["later"] = message.content.key
            else:
                document["content"] = base64.b64encode(message.content).decode("ascii")
            return document
        case ClearScreen():
            return {"kind": "clear", "forget": message.forget}
        case _:
            assert_never(message)


def _out(data: dict[str, Any]) -> Out:
    """One outgoing message read back."""
    kind = data["kind"]
    if kind == "say":
        return Say(data["text"])
    if kind == "ask":
        options = _read_options(data["options"])
        columns, lines = int(data["columns"]), bool(data.get("lines", False))
        secret = bool(data.get("secret", False))
        return Ask(data["text"], options, int(data["prompt"]), columns, lines=lines, secret=secret)
    if kind == "quiz":
        return QuizQuestion(
            data["text"],
            _read_options(data["options"]),
            int(data["prompt"]),
            multiple=bool(data["multiple"]),
            correct_ids=tuple(data["correct_ids"]),
            extra=_read_options(data["extra"]),
            submit=data["submit"],
            hint=data["hint"],
        )
    if kind == "show":
        return Show(data["media"], Path(data["path"]), data["caption"], data["url_path"])
    if kind == "document":
        content: bytes | Later
        if "later" in data:  # never made: its maker died with the process that kept it
            content = Later(data["later"], _lost)
        else:
            content = base64.b64decode(data["content"])
        return Document(data["filename"], content, data["mime"], data["caption"])
    if kind == "clear":
        return ClearScreen(bool(data.get("forget", False)))
    raise ValueError(f"unknown message kind {kind!r}")


async def _lost() -> bytes:
    """The maker of a document read back from a kept reply: gone with its process."""
    raise LaterLost("a document kept across a crash was never made")


_OF = (
    "SELECT id, route, payload, created_at, attempts FROM pending_replies"
    " WHERE channel = :ch AND external_id = :ext AND id < :below ORDER BY id"
)


class PendingReplies:
    """The replies committed and not sent yet, on the store's database.

    Between turns, under the learner's lock: on PostgreSQL on the connection that holds the
    learner's advisory lock (one round trip each, no transaction of their own).
    """

    def __init__(self, store: SqlStore) -> None:
        self.store = store

    async def of(self, user: UserRef, below: int | None = None) -> list[StoredReply]:
        """The address's replies not sent yet (older than reply `below`), oldest first."""
        params = {"ch": user.channel, "ext": user.external_id, "below": below or 2**31 - 1}
        if self.store.on_sqlite:
            rows = (await self.store.sqlite_execute(_OF, params)).fetchall()
        else:
            held = held_connection(self.store)
            if held is not None:
                raw = held.raw
                rows = await raw.fetch(_pg(_OF), user.channel, user.external_id, params["below"])
            else:
                async with self.store.engine.connect() as conn:
                    rows = await PgRunner(conn).run(_OF, **params)
        return [
            StoredReply(int(i), str(route), decode(user, payload), _time(at), int(n))
            for i, route, payload, at, n in rows
        ]

    async def sent(self, ids: list[int]) -> None:
        """Forget replies that went out (on PostgreSQL, as the learner's lock is released: a
        crash before then sends them again, like any reply in flight)."""
        if not ids:
            return
        if self.store.on_sqlite:
            marks = ", ".join("?" for _ in ids)
            await self.store.sqlite_execute(
                f"DELETE FROM pending_replies WHERE id IN ({marks})", ids
            )
            return
        if forget_on_release(self.store, ids):  # with the learner's lock, one round trip
            return
        async with self.store.engine.begin() as conn:
            await conn.exec_driver_sql(
                "DELETE FROM pending_replies WHERE id = ANY($1::int[])", (ids,)
            )

    async def claim(
        self, routes: list[str], now: datetime, lease: timedelta, worker: str, limit: int = 200
    ) -> list[UserRef]:
        """Take for `lease` the addresses whose replies nobody has been sending for a lease.

        Claims spread the work of several resenders and keep one from retrying a reply
        that fails over and over; what makes a send safe is the learner's lock, taken next.
        """
        if not routes:
            return []
        marks = ", ".join(f":r{n}" for n in range(len(routes)))
        params = {f"r{n}": route for n, route in enumerate(routes)}
        lock = "" if self.store.on_sqlite else " FOR UPDATE SKIP LOCKED"
        async with self.store.transaction() as runner:
            rows = await runner.run(
                "SELECT id, channel, external_id FROM pending_replies"
                f" WHERE route IN ({marks}) AND claimed_at < :expired ORDER BY id LIMIT :limit"
                + lock,
                expired=now - lease,
                limit=limit,
                **params,
            )
            if not rows:
                return []
            ids = ", ".join(str(int(row[0])) for row in rows)
            await runner.run(
                "UPDATE pending_replies SET claimed_by = :worker, claimed_at = :now,"
                f" attempts = attempts + 1 WHERE id IN ({ids})",
                worker=worker[:64],
                now=now,
            )
        found: dict[UserRef, None] = {}
        for _, channel, external_id in rows:
            found[UserRef(str(channel), str(external_id))] = None
        return list(found)

    async def forget(self, before: datetime, max_attempts: int) -> int:
        """Give up on replies too old or tried too often; how many."""
        async with self.store.transaction() as runner:
            rows = await runner.run(
                "DELETE FROM pending_replies WHERE created_at < :before"
                " OR attempts >= :attempts RETURNING id",
                before=before,
                attempts=max_attempts,
            )
        return len(rows)

    async def count(self) -> int:
        """How many replies wait."""
        async with self.store.transaction() as runner:
            rows = await runner.run("SELECT COUNT(*) FROM pending_replies")
        return int(rows[0][0])


def _pg(sql: str) -> str:
    """`_OF` with asyncpg's numbered parameters."""
    return sql.replace(":ch", "$1").replace(":ext", "$2").replace(":below", "$3")


def _time(value: Any) -> datetime:
    """A stored time, never NULL here."""
    at = utc(value)
    assert at is not None
    return at


async def _driver(conn: Any) -> Any:
    """The asyncpg connection under a SQLAlchemy one (statements outside any transaction)."""
    raw = (await conn.get_raw_connection()).driver_connection
    assert raw is not None
    return raw
