"""The group desk (dialogs/circle_ports.py GroupDesk) in Core statements (bot/storage/sql.py).

A Telegram group (or one forum topic) linked to a circle is a pseudo-user: the channel
Telegram's name, external id "<chat id>" or "<chat id>/<topic id>", role "group", consented, and
a member of one circle who follows every message. Circle posts reach it through the outbox
and the sender like any member's; what the group writes is posted in its own turn, the
group as the author, so it never comes back to the group.
"""

from __future__ import annotations

from sqlalchemy import bindparam, delete, select

from bot.channels import having
from bot.storage.admin import grants_of
from bot.storage.circles import PAIR, SqlCircleDesk, add_member
from bot.storage.models import circle_members, users
from bot.storage.sql import Runner
from dialogs.circle_ports import CircleInfo
from dialogs.flows.circle_groups import GROUP_ROLE
from dialogs.roles import Grant

GROUPS = having(lambda caps: caps.groups)  # the channels with group chats
_PERSON = select(users.c.id).where(
    users.c.channel.in_(GROUPS), users.c.external_id == bindparam("ext")
)
_LINK = delete(circle_members).where(  # out of any other circle
    circle_members.c.user_id == bindparam("uid"), circle_members.c.circle_id != bindparam("cid")
)
_UNLINK = delete(circle_members).where(circle_members.c.user_id == bindparam("uid"))

__all__ = ["GROUP_ROLE", "SqlGroupDesk"]


class SqlGroupDesk:
    """GroupDesk for the group whose pseudo-user is `user_id`, on the turn's runner."""

    def __init__(self, runner: Runner, user_id: int, circles: SqlCircleDesk) -> None:
        self.runner = runner
        self.user_id = user_id
        self.circles = circles

    async def person_grants(self, external_id: str) -> list[Grant]:
        """The roles of the person with this id on the groups' channel (none for a stranger)."""
        rows = await self.runner.run(_PERSON, ext=external_id)
        return await grants_of(self.runner, int(rows[0][0])) if rows else []

    async def find_circle(self, handle: str) -> CircleInfo | None:
        """An open circle by number or by name, any case."""
        wanted = " ".join(handle.lstrip("#").split()).casefold()
        for circle in await self.circles.circles():
            if circle.level_group == PAIR:
                continue
            if wanted in (str(circle.id), circle.name.casefold()):
                return circle
        return None

    async def linked(self) -> CircleInfo | None:
        """The circle the group is a member of."""
        return next((c for c in await self.circles.circles() if c.digest is not None), None)

    async def link(self, circle_id: int) -> None:
        """A member of this circle only, following every message."""
        await self.runner.run(_LINK, uid=self.user_id, cid=circle_id)
        await add_member(self.runner, circle_id, self.user_id, "every", self.circles.now)

    async def unlink(self) -> CircleInfo | None:
        """Out of its circle."""
        found = await self.linked()
        await self.runner.run(_UNLINK, uid=self.user_id)
        return found
