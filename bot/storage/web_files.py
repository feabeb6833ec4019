"""The web chat's files: what the bot sent a web learner, kept until its link expires.

A document (a booklet, a certificate, a chart, an export) no longer travels base64 inside
the WebSocket frame: the frame carries a signed, expiring link (bot/media_links.py) and the
page shows an image inline or a card with the file's name and size. The same bytes sent
again to the same learner reuse their row (the link's life starts again). Rows hang on the
learner (erased with them) and are forgotten once expired (bot/housekeeping.py).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from bot.storage.store import SqlStore


@dataclass(frozen=True)
class WebFile:
    """One file to serve."""

    filename: str
    mime: str
    data: bytes


class WebFiles:
    """Files behind the web chat's links, on the learners' database."""

    def __init__(self, store: SqlStore) -> None:
        self.store = store

    async def put(
        self,
        owner: int | None,
        filename: str,
        mime: str,
        data: bytes,
        now: datetime,
        expires: datetime,
    ) -> str:
        """Keep a file until `expires`; its token (the same one for the same bytes sent to
        the same learner again, its life extended)."""
        digest = hashlib.sha256(data).hexdigest()
        if owner is not None:
            rows = await self.store.statement(
                "UPDATE web_files SET expires_at = :expires, filename = :name"
                " WHERE user_id = :owner AND digest = :digest RETURNING token",
                expires=expires,
                name=filename[:200],
                owner=owner,
                digest=digest,
            )
            if rows:
                return str(rows[0][0])
        token = secrets.token_urlsafe(18)  # 24 characters, 144 bits
        await self.store.statement(
            "INSERT INTO web_files (token, user_id, digest, filename, mime, size, data,"
            " created_at, expires_at) VALUES (:token, :owner, :digest, :name, :mime, :size,"
            " :data, :now, :expires)",
            token=token,
            owner=owner,
            digest=digest,
            name=filename[:200],
            mime=mime[:100],
            size=len(data),
            data=data,
            now=now,
            expires=expires,
        )
        return token

    async def get(self, token: str, now: datetime) -> WebFile | None:
        """The file of a token, None when unknown or expired."""
        rows = await self.store.statement(
            "SELECT filename, mime, data FROM web_files WHERE token = :token AND expires_at > :now",
            token=token,
            now=now,
        )
        if not rows:
            return None
        return WebFile(str(rows[0][0]), str(rows[0][1]), bytes(rows[0][2]))

    async def prune(self, now: datetime) -> int:
        """Forget the expired files; how many."""
        rows = await self.store.statement(
            "DELETE FROM web_files WHERE expires_at <= :now RETURNING id", now=now
        )
        return len(rows)
