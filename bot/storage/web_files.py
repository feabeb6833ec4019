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

from sqlalchemy import bindparam, case, delete, func, select, union, update

from bot.storage.models import learner_profiles, users, web_files
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
                _AGAIN,
                expires=expires,
                name=filename[:200],
                owner=owner,
                digest=digest,
            )
            if rows:
                return str(rows[0][0])
        token = secrets.token_urlsafe(18)  # 24 characters, 144 bits
        await self.store.statement(
            _PUT,
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
        rows = await self.store.statement(_GET, token=token, now=now)
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
            _SENT,
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
        await self.store.statement(_USED, token=token, until=until)

    async def bytes_since(self, owner: int, since: datetime) -> int:
        """The bytes of the files kept for `owner` since `since` (what they may still send)."""
        rows = await self.store.statement(_BYTES_SINCE, owner=owner, since=since)
        return int(rows[0][0])

    async def prune(self, now: datetime) -> int:
        """Forget the expired files; how many."""
        rows = await self.store.statement(_PRUNE, now=now)
        return len(rows)


_f = web_files.c
_AGAIN = (
    update(web_files)
    .where(_f.user_id == bindparam("owner"), _f.digest == bindparam("digest"))
    .values(
        filename=bindparam("name"),
        expires_at=case(
            (_f.expires_at < bindparam("expires"), bindparam("expires")), else_=_f.expires_at
        ),
    )
    .returning(_f.token)
)
_PUT = (
    web_files.insert()
    .inline()
    .values(
        token=bindparam("token"),
        user_id=bindparam("owner"),
        digest=bindparam("digest"),
        filename=bindparam("name"),
        mime=bindparam("mime"),
        size=bindparam("size"),
        data=bindparam("data"),
        created_at=bindparam("now"),
        expires_at=bindparam("expires"),
    )
)
_GET = select(_f.filename, _f.mime, _f.data).where(
    _f.token == bindparam("token"), _f.expires_at > bindparam("now")
)
_USED = (
    update(web_files)
    .where(_f.token == bindparam("token"), _f.expires_at > bindparam("until"))
    .values(expires_at=bindparam("until"))
)
_BYTES_SINCE = select(func.coalesce(func.sum(_f.size), 0)).where(
    _f.user_id == bindparam("owner"), _f.created_at > bindparam("since")
)
_PRUNE = delete(web_files).where(_f.expires_at <= bindparam("now")).returning(_f.id)

_account = users.alias("a")
_lp = learner_profiles.alias("lp")
_person = users.alias("p")
_IS_BROWSER = (_account.c.channel == bindparam("ch"), _account.c.external_id == bindparam("uid"))
_SENDER = (
    select(_person.c.id)
    .select_from(_account)
    .outerjoin(_lp, _lp.c.user_id == _account.c.id)
    .join(_person, _person.c.id == func.coalesce(_lp.c.active_id, _account.c.id))
    .where(*_IS_BROWSER)
)
_ADDRESS = union(  # the rows of a web browser: its account and the profiles on it
    select(users.c.id).where(
        users.c.channel == bindparam("ch"), users.c.external_id == bindparam("uid")
    ),
    select(_lp.c.user_id).join(_account, _account.c.id == _lp.c.account_id).where(*_IS_BROWSER),
)
_SENT = select(_f.filename, _f.mime, _f.data).where(
    _f.token == bindparam("token"), _f.expires_at > bindparam("now"), _f.user_id.in_(_ADDRESS)
)
