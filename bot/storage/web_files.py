"""The web chat's files: what the bot sent a web learner, kept until its link expires.

A document (a booklet, a certificate, a chart, an export) no longer travels base64 inside
the WebSocket frame: the frame carries a signed, expiring link (bot/media_links.py) and the
page shows an image inline or a card with the file's name and size. The same bytes sent
again to the same learner reuse their row (the link's life starts again). Rows hang on the
learner (erased with them, listed in their export) and are forgotten once expired
(bot/housekeeping.py).

Files a learner sends from the page live here too, once whole (bot/web/uploads.py): any
worker can then take the frame that names them, and a photo or document posted to a circle
or attached to an announcement is fetched from here for every platform (bot/attachments.py,
the web chat's source), as Telegram's and WhatsApp's files are fetched from their platform.
The web chat names its own channel (`channel`): rows of that channel's browsers only.
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

    def __init__(self, store: SqlStore, channel: str = "") -> None:
        self.store = store
        self.channel = channel  # whose browsers send files (the web chat gives its name)

    async def put(
        self,
        owner: int | None,
        filename: str,
        mime: str,
        data: bytes,
        now: datetime,
        expires: datetime,
        *,
        share: bool = True,
    ) -> str:
        """Keep a file until `expires`; its token (the same one for the same bytes sent to
        the same learner again, its life extended; never for a file a learner sent, whose
        row is its own: `share=False`)."""
        digest = hashlib.sha256(data).hexdigest()
        if owner is not None and share:
            rows = await self.store.statement(
                "UPDATE web_files SET filename = :name, expires_at = CASE WHEN expires_at"
                " < :expires THEN :expires ELSE expires_at END"
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

    async def sender(self, uid: str) -> int | None:
        """The row of a web learner sending a file (their active profile on a shared
        computer), None for a stranger."""
        rows = await self.store.statement(_SENDER, uid=uid, ch=self.channel)
        return int(rows[0][0]) if rows else None

    async def sent(self, uid: str, token: str, now: datetime) -> WebFile | None:
        """A file this web learner (any profile of their browser) sent, None when it is not
        theirs, unknown or expired: a frame cannot name another learner's file."""
        rows = await self.store.statement(
            "SELECT filename, mime, data FROM web_files WHERE token = :token"
            f" AND expires_at > :now AND user_id IN ({_ADDRESS})",
            token=token,
            now=now,
            uid=uid,
            ch=self.channel,
        )
        if not rows:
            return None
        return WebFile(str(rows[0][0]), str(rows[0][1]), bytes(rows[0][2]))

    async def used(self, token: str, until: datetime) -> None:
        """A file a step took in (copied into a course): kept only until `until`."""
        await self.store.statement(
            "UPDATE web_files SET expires_at = :until WHERE token = :token AND expires_at > :until",
            token=token,
            until=until,
        )

    async def bytes_since(self, owner: int, since: datetime) -> int:
        """The bytes of the files kept for `owner` since `since` (what they may still send)."""
        rows = await self.store.statement(
            "SELECT COALESCE(SUM(size), 0) FROM web_files"
            " WHERE user_id = :owner AND created_at > :since",
            owner=owner,
            since=since,
        )
        return int(rows[0][0])

    async def prune(self, now: datetime) -> int:
        """Forget the expired files; how many."""
        rows = await self.store.statement(
            "DELETE FROM web_files WHERE expires_at <= :now RETURNING id", now=now
        )
        return len(rows)


_SENDER = (
    "SELECT p.id FROM users a LEFT JOIN learner_profiles lp ON lp.user_id = a.id"
    " JOIN users p ON p.id = COALESCE(lp.active_id, a.id)"
    " WHERE a.channel = :ch AND a.external_id = :uid"
)
_ADDRESS = (  # the rows of a web browser: its account and the profiles on it
    "SELECT id FROM users WHERE channel = :ch AND external_id = :uid UNION"
    " SELECT lp.user_id FROM learner_profiles lp JOIN users a ON a.id = lp.account_id"
    " WHERE a.channel = :ch AND a.external_id = :uid"
)
