"""The phone fallback's storage (bot/fallbacks.py): an address's yes (`phone_fallbacks`), and
the switch when its chat app stops reaching the number.

The switch makes the same number's address on the channel that takes over phones (or takes
the one there is), links it to the learner (`address_links`: what they send from it goes on
with the same progress), and queues the notice that says why, to that address. The
rerouting of pushes itself is `queue_broadcast`'s (bot/storage/admin.py): while the address
is marked unreachable, what is queued for the learner goes to the fallback address.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Integer, bindparam, delete, func, literal, literal_column, select, update
from sqlalchemy.dialects import postgresql, sqlite

from bot.storage.admin import queue_notice
from bot.storage.models import address_links, phone_fallbacks, users
from bot.storage.sql import ByDialect, Runner

_pf = phone_fallbacks.c
_OPTED = select(_pf.user_id).where(_pf.user_id == bindparam("uid"))
_TAKE_BACK = delete(phone_fallbacks).where(_pf.user_id == bindparam("uid"))
_YES: dict[str, Any] = {"user_id": bindparam("uid"), "opted_at": bindparam("now")}
_SAY_YES = ByDialect(
    sqlite=sqlite.insert(phone_fallbacks)
    .values(_YES)
    .on_conflict_do_nothing(index_elements=[_pf.user_id]),
    postgresql=postgresql.insert(phone_fallbacks)
    .values(_YES)
    .on_conflict_do_nothing(index_elements=[_pf.user_id]),
)
_NUMBER = (
    select(users.c.external_id)
    .select_from(phone_fallbacks)
    .join(users, users.c.id == _pf.user_id)
    .where(_pf.user_id == bindparam("uid"), _pf.fallback_id.is_(None))
)
# The same number's address on the fallback's channel, with the learner's language and
# consent (a new conversation starts at the menu).
_u = users.alias("u")
_COPIED = [
    "channel",
    "external_id",
    "locale",
    "country",
    "role",
    "level",
    "consented_at",
    "state_step",
    "state_data",
    "state_prompt",
    "created_at",
    "last_seen_at",
]
_COPY = select(
    bindparam("ch"),
    _u.c.external_id,
    _u.c.locale,
    _u.c.country,
    _u.c.role,
    _u.c.level,
    _u.c.consented_at,
    literal("menu"),
    bindparam("data", type_=users.c.state_data.type),
    literal_column("0", Integer),  # written in the SQL: PostgreSQL types no SELECT parameter
    bindparam("now"),
    bindparam("now"),
).where(_u.c.id == bindparam("uid"))
_ADDRESS_THERE = ByDialect(
    sqlite=sqlite.insert(users)
    .from_select(_COPIED, _COPY)
    .on_conflict_do_nothing(index_elements=[users.c.channel, users.c.external_id]),
    postgresql=postgresql.insert(users)
    .from_select(_COPIED, _COPY)
    .on_conflict_do_nothing(index_elements=[users.c.channel, users.c.external_id]),
)
_ADDRESS_ID = select(users.c.id).where(
    users.c.channel == bindparam("ch"), users.c.external_id == bindparam("ext")
)
_LEARNER = select(  # the learner the chat app's address is (or follows)
    func.coalesce(
        select(address_links.c.learner_id)
        .where(address_links.c.account_id == bindparam("uid"))
        .scalar_subquery(),
        bindparam("uid"),
    )
)
_LINK: dict[str, Any] = {
    "account_id": bindparam("acc"),
    "learner_id": bindparam("learner"),
    "created_at": bindparam("now"),
}
_LINKED = ByDialect(
    sqlite=sqlite.insert(address_links)
    .values(_LINK)
    .on_conflict_do_nothing(index_elements=[address_links.c.account_id]),
    postgresql=postgresql.insert(address_links)
    .values(_LINK)
    .on_conflict_do_nothing(index_elements=[address_links.c.account_id]),
)
_SWITCHED = (
    update(phone_fallbacks)
    .where(_pf.user_id == bindparam("uid"))
    .values(fallback_id=bindparam("fid"), switched_at=bindparam("now"))
)


class SqlPhoneFallback:
    """PhoneFallback (dialogs/fallback_ports.py) of one address, on the turn's runner."""

    def __init__(self, runner: Runner, address_id: int, label: str) -> None:
        self.runner = runner
        self.address_id = address_id
        self.label = label

    async def opted(self) -> bool:
        rows = await self.runner.run(_OPTED, uid=self.address_id)
        return bool(rows)

    async def set_opted(self, on: bool) -> None:
        if not on:  # taken back: pushes stay on the chat app (a fallback address made stays)
            await self.runner.run(_TAKE_BACK, uid=self.address_id)
            return
        await self.runner.run(_SAY_YES, uid=self.address_id, now=datetime.now(UTC))


async def switch(
    runner: Runner, address_id: int, channel: str, notice: Mapping[str, str], now: datetime
) -> int | None:
    """Fall back to `channel` for an address that said yes and has not fallen back yet: the
    same number's address there (made if need be, with the learner's language and consent),
    linked to the learner, told why. Returns that address's row (None: nothing to do)."""
    rows = await runner.run(_NUMBER, uid=address_id)
    if not rows:
        return None
    number = str(rows[0][0])
    await runner.run(_ADDRESS_THERE, ch=channel, data={}, now=now, uid=address_id)
    found = await runner.run(_ADDRESS_ID, ch=channel, ext=number)
    fallback_id = int(found[0][0])
    learner = await runner.run(_LEARNER, uid=address_id)
    await runner.run(_LINKED, acc=fallback_id, learner=int(learner[0][0]), now=now)
    await runner.run(_SWITCHED, fid=fallback_id, now=now, uid=address_id)
    await queue_notice(runner, fallback_id, notice, now)
    return fallback_id
