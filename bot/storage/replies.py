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

The turn writes its reply with its last write (`SqlTurn.keep`: on PostgreSQL the learner's
save and the reply are one statement, `save_and_keep` in bot/storage/statements.py); the
statements here are Core; the release of the learner's lock that forgets the sent replies is
one message of SQL text (bot/storage/locks.py).
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, assert_never

from sqlalchemy import bindparam, delete, func, or_, select, update

from bot.storage.locks import forget_on_release, held_connection
from bot.storage.models import pending_replies
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
    select(
        pending_replies.c.id,
        pending_replies.c.route,
        pending_replies.c.payload,
        pending_replies.c.created_at,
        pending_replies.c.attempts,
    )
    .where(
        pending_replies.c.channel == bindparam("ch"),
        pending_replies.c.external_id == bindparam("ext"),
        pending_replies.c.id < bindparam("below"),
    )
    .order_by(pending_replies.c.id)
)
_SENT = delete(pending_replies).where(pending_replies.c.id.in_(bindparam("ids", expanding=True)))
_UNCLAIMED = (
    select(pending_replies.c.id, pending_replies.c.channel, pending_replies.c.external_id)
    .where(
        pending_replies.c.route.in_(bindparam("routes", expanding=True)),
        pending_replies.c.claimed_at < bindparam("expired"),
    )
    .order_by(pending_replies.c.id)
    .limit(bindparam("limit"))
)
_UNCLAIMED_LOCKED = _UNCLAIMED.with_for_update(skip_locked=True)  # SQLite has no row locks
_CLAIM = (
    update(pending_replies)
    .where(pending_replies.c.id.in_(bindparam("ids", expanding=True)))
    .values(
        claimed_by=bindparam("worker"),
        claimed_at=bindparam("now"),
        attempts=pending_replies.c.attempts + 1,
    )
)
_FORGET = (
    delete(pending_replies)
    .where(
        or_(
            pending_replies.c.created_at < bindparam("before"),
            pending_replies.c.attempts >= bindparam("attempts"),
        )
    )
    .returning(pending_replies.c.id)
)
_COUNT = select(func.count()).select_from(pending_replies)


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
        held = held_connection(self.store)
        if held is not None:  # under the learner's lock, on its connection (autocommit)
            rows = await PgRunner(held.conn, held.raw).run(_OF, **params)
        else:
            rows = await self.store.statement(_OF, **params)
        return [
            StoredReply(int(i), str(route), decode(user, payload), _time(at), int(n))
            for i, route, payload, at, n in rows
        ]

    async def sent(self, ids: list[int]) -> None:
        """Forget replies that went out (on PostgreSQL, as the learner's lock is released: a
        crash before then sends them again, like any reply in flight)."""
        if not ids:
            return
        if forget_on_release(self.store, ids):  # with the learner's lock, one round trip
            return
        await self.store.statement(_SENT, ids=ids)

    async def claim(
        self, routes: list[str], now: datetime, lease: timedelta, worker: str, limit: int = 200
    ) -> list[UserRef]:
        """Take for `lease` the addresses whose replies nobody has been sending for a lease.

        Claims spread the work of several resenders and keep one from retrying a reply
        that fails over and over; what makes a send safe is the learner's lock, taken next.
        """
        if not routes:
            return []
        unclaimed = _UNCLAIMED if self.store.on_sqlite else _UNCLAIMED_LOCKED
        async with self.store.transaction() as runner:
            rows = await runner.run(unclaimed, routes=routes, expired=now - lease, limit=limit)
            if not rows:
                return []
            ids = [int(row[0]) for row in rows]
            await runner.run(_CLAIM, ids=ids, worker=worker[:64], now=now)
        found: dict[UserRef, None] = {}
        for _, channel, external_id in rows:
            found[UserRef(str(channel), str(external_id))] = None
        return list(found)

    async def forget(self, before: datetime, max_attempts: int) -> int:
        """Give up on replies too old or tried too often; how many."""
        return len(await self.store.statement(_FORGET, before=before, attempts=max_attempts))

    async def count(self) -> int:
        """How many replies wait."""
        rows = await self.store.statement(_COUNT)
        return int(rows[0][0])


def _time(value: Any) -> datetime:
    """A stored time, never NULL here."""
    at = utc(value)
    assert at is not None
    return at
