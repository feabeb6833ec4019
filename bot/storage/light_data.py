"""Light data (dialogs/data_ports.py): the learner's setting and media counted per local day.

Core statements through a Runner, inside the learner's turn. A day's row holds the bytes and the
number of files sent on request; rows go with the learner (ON DELETE CASCADE) and are in
their export.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import bindparam, select

from bot.storage.models import data_saving, media_days
from bot.storage.sql import Runner, both

DEFAULT_BUDGET_KB = 2048  # MEDIA_DAILY_BUDGET_KB (bot/config.py)

_LIGHT = select(data_saving.c.light).where(data_saving.c.user_id == bindparam("uid"))
_SET_LIGHT = both(
    lambda ins: (
        ins(data_saving)
        .values(user_id=bindparam("uid"), light=bindparam("on"), updated_at=bindparam("now"))
        .on_conflict_do_update(
            index_elements=[data_saving.c.user_id],
            set_={"light": bindparam("on"), "updated_at": bindparam("now")},
        )
    )
)
_SPENT = select(media_days.c.bytes).where(
    media_days.c.user_id == bindparam("uid"), media_days.c.day == bindparam("on_day")
)
_SPEND = both(
    lambda ins: (
        ins(media_days)
        .values(user_id=bindparam("uid"), day=bindparam("on_day"), bytes=bindparam("size"), files=1)
        .on_conflict_do_update(
            index_elements=[media_days.c.user_id, media_days.c.day],
            set_={
                "bytes": media_days.c.bytes + bindparam("size"),
                "files": media_days.c.files + 1,
            },
        )
    )
)


class SqlDataSaver:
    """DataSaver for the person `user_id`, on the turn's runner."""

    def __init__(self, runner: Runner, user_id: int, budget_kb: int = DEFAULT_BUDGET_KB) -> None:
        self.runner = runner
        self.user_id = user_id
        self.budget = max(budget_kb, 0) * 1024

    async def light(self) -> bool:
        """Whether the learner turned light data on."""
        rows = await self.runner.run(_LIGHT, uid=self.user_id)
        return bool(rows[0][0]) if rows else False

    async def set_light(self, on: bool) -> None:
        """Keep the setting (one row per learner)."""
        await self.runner.run(_SET_LIGHT, uid=self.user_id, on=on, now=datetime.now(UTC))

    async def spent(self, day: date) -> int:
        """Bytes of media sent on request on that day."""
        rows = await self.runner.run(_SPENT, uid=self.user_id, on_day=day)
        return int(rows[0][0]) if rows else 0

    async def spend(self, day: date, size: int) -> None:
        """Add one file to the day's count."""
        await self.runner.run(_SPEND, uid=self.user_id, on_day=day, size=size)
