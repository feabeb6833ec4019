"""One learner across channels: an address linked to a learner known on another channel.

A row of `address_links` says that the address whose own `users` row is `account_id` (a
USSD or SMS phone, a second chat app) runs its turns for the learner `learner_id`: the turn
loads that learner's profile, state and progress (bot/storage/statements.py), exactly like a
shared phone's account loads the profile in use. The address keeps its own row (its channel
bookkeeping, its own erasure); deleting the link gives it back its own progress. Nothing of
one address is ever shown on the other: the link goes by the /mon_code code, and the
dialogs only say that it was made.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sqlalchemy import bindparam, delete, func, insert, select, update

from bot.storage.admin import queue_notice
from bot.storage.models import address_links, person_codes
from dialogs.link_ports import Unlinked

if TYPE_CHECKING:
    from bot.storage.store import SqlTurn


links = address_links  # as the statements name it
_FIND = (
    select(func.coalesce(links.c.learner_id, person_codes.c.user_id))
    .select_from(person_codes)
    .outerjoin(links, links.c.account_id == person_codes.c.user_id)
    .where(person_codes.c.code == bindparam("code"))
)
_UNLINK = delete(links).where(links.c.account_id == bindparam("acc"))
_LINK = insert(links).values(
    account_id=bindparam("acc"), learner_id=bindparam("learner"), created_at=bindparam("now")
)
_FOLLOW = (
    update(links)
    .where(links.c.learner_id == bindparam("acc"))
    .values(learner_id=bindparam("learner"))
)
_UNLINK_OWN = _UNLINK.returning(links.c.account_id)
_UNLINK_OTHERS = (
    delete(links).where(links.c.learner_id == bindparam("uid")).returning(links.c.account_id)
)


class SqlLinkDesk:
    """LinkDesk on the turn's connection; a change sets the turn's `follow_up` (the reply
    then shows where the learner now followed stands)."""

    def __init__(self, turn: SqlTurn) -> None:
        self._turn = turn
        self._run = turn.runner.run

    async def find(self, code: str) -> int | None:
        """The learner behind a /mon_code code, or the one their address follows."""
        wanted = "".join(code.split()).upper().replace("-", "")
        if not wanted or len(wanted) > 16:
            return None
        rows = await self._run(_FIND, code=wanted)
        return int(rows[0][0]) if rows else None

    async def is_current(self, learner_id: int) -> bool:
        """Whether the code is this learner's own (or this address's)."""
        return learner_id in (self._turn.user_id, self._turn.account_id)

    async def link(self, learner_id: int, notice: Mapping[str, str]) -> None:
        """Link this address, and the addresses that followed it, to that learner; tell the
        learner on their own address (never which address followed them)."""
        account, now = self._turn.account_id, datetime.now(UTC)
        await self._run(_UNLINK, acc=account)
        await self._run(_LINK, acc=account, learner=learner_id, now=now)
        await self._run(_FOLLOW, learner=learner_id, acc=account)
        await queue_notice(self._turn.runner, learner_id, notice, now)
        self._turn.follow_up = True

    async def unlink(self) -> Unlinked:
        """This address's link, else the links to this learner."""
        own = await self._run(_UNLINK_OWN, acc=self._turn.account_id)
        if own:
            self._turn.follow_up = True
            return Unlinked(own=True)
        others = await self._run(_UNLINK_OTHERS, uid=self._turn.user_id)
        return Unlinked(others=len(others))
