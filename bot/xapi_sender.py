"""Forwards the learning records' journal (xapi_statements, bot/storage/xapi.py) to a Learning
Record Store: batches POSTed to `<XAPI_LRS_URL>/statements`, oldest first.

A row is marked sent only once the LRS has answered for it, so a crash at any point sends
again what was not confirmed; the statement's id and unchanged JSON make that harmless (an
LRS keeps one statement per id). A batch the LRS does not take whole (409: it holds one of
the ids with another body; 400 or 422: one is malformed) is sent again one statement at a
time: a 409 then means the LRS has that statement, so it counts as sent; any other refusal
of one statement marks that one refused (kept, with the reason, never sent again) and the
others go on. No answer, 401, 429 and 5xx wait and retry with back-off.
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import aiohttp
from sqlalchemy import bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.storage.models import xapi_statements
from bot.storage.xapi import PRUNED, VERSION

log = logging.getLogger("imaginecole.xapi")

BATCH = 50  # statements per POST
_WAITING = (  # a row pruned to its id (bot/storage/xapi.py) is never sent
    select(xapi_statements.c.id, xapi_statements.c.statement)
    .where(
        xapi_statements.c.sent_at.is_(None),
        xapi_statements.c.refused.is_(None),
        ~xapi_statements.c.statement.startswith(PRUNED, autoescape=True),
    )
    .order_by(xapi_statements.c.id)
    .limit(bindparam("n"))
)
_REFUSE = (
    update(xapi_statements)
    .where(xapi_statements.c.id == bindparam("rid"))
    .values(refused=bindparam("why"))
)


class LrsUnavailable(Exception):
    """The LRS did not answer, or answered with a server error: retry later."""


@dataclass
class XapiSender:
    """The journal's forwarder to one LRS."""

    engine: AsyncEngine
    url: str  # the xAPI endpoint, e.g. https://lrs.example/xAPI
    username: str = ""
    password: str = ""
    every: float = 5.0  # seconds between two looks at an empty journal
    first_pause: float = 1.0  # after a failure, doubled up to `longest`
    longest: float = 300.0
    batch: int = BATCH

    async def forever(self) -> None:
        """Send what is waiting, then look again; back off while the LRS is away."""
        pause = self.first_pause
        async with self._session() as session:
            while True:
                try:
                    sent = await self.send_pending(session)
                except (LrsUnavailable, aiohttp.ClientError, TimeoutError) as error:
                    log.warning(
                        "LRS unavailable (%s): retry in %.0f s", type(error).__name__, pause
                    )
                    await asyncio.sleep(pause)
                    pause = min(pause * 2, self.longest)
                    continue
                pause = self.first_pause
                if not sent:
                    await asyncio.sleep(self.every)

    def _session(self) -> aiohttp.ClientSession:
        headers = {}
        if self.username:
            token = base64.b64encode(f"{self.username}:{self.password}".encode()).decode()
            headers["Authorization"] = f"Basic {token}"
        timeout = aiohttp.ClientTimeout(total=60)
        return aiohttp.ClientSession(headers=headers, timeout=timeout)

    async def send_pending(self, session: aiohttp.ClientSession | None = None) -> int:
        """Send every waiting statement now; how many the LRS took or refused."""
        if session is None:
            async with self._session() as own:
                return await self.send_pending(own)
        done = 0
        while True:
            rows = await self._waiting()
            if not rows:
                return done
            await self._send(session, rows)
            done += len(rows)

    async def _waiting(self) -> list[tuple[int, str]]:
        async with self.engine.connect() as conn:
            result = await conn.execute(_WAITING, {"n": self.batch})
            return [(int(row[0]), str(row[1])) for row in result]

    async def _send(self, session: aiohttp.ClientSession, rows: Sequence[tuple[int, str]]) -> None:
        body = "[" + ",".join(statement for _, statement in rows) + "]"
        status, reason = await self._post(session, body)
        if status in (200, 204):
            await self._mark([row_id for row_id, _ in rows])
            return
        if len(rows) > 1:  # a conflict or a refusal: which statements, one at a time
            for row in rows:
                await self._send(session, [row])
            return
        if status == 409:  # the LRS holds this id already
            await self._mark([rows[0][0]])
            return
        await self._refuse(rows[0][0], f"{status} {reason}")

    async def _post(self, session: aiohttp.ClientSession, body: str) -> tuple[int, str]:
        headers = {"X-Experience-API-Version": VERSION, "Content-Type": "application/json"}
        async with session.post(f"{self.url}/statements", data=body, headers=headers) as reply:
            answer = await reply.text()
            if reply.status >= 500 or reply.status in (401, 429):
                raise LrsUnavailable(str(reply.status))
            return reply.status, _reason(answer)

    async def _mark(self, ids: list[int]) -> None:
        table = xapi_statements
        async with self.engine.begin() as conn:
            marked = update(table).where(table.c.id.in_(ids)).values(sent_at=datetime.now(UTC))
            await conn.execute(marked)

    async def _refuse(self, row_id: int, reason: str) -> None:
        log.warning("LRS refused statement row %d: %s", row_id, reason[:120])
        async with self.engine.begin() as conn:
            await conn.execute(_REFUSE, {"why": reason[:200], "rid": row_id})


def _reason(answer: str) -> str:
    """An LRS's error message, short (FastAPI's `detail`, or the text)."""
    try:
        found = json.loads(answer)
    except ValueError:
        return answer[:150]
    return str(found.get("detail", found) if isinstance(found, dict) else found)[:150]
