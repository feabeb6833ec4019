"""Light data (dialogs/data_ports.py): the learner's setting and media counted per local day.

Plain SQL through a Runner, inside the learner's turn. A day's row holds the bytes and the
number of files sent on request; rows go with the learner (ON DELETE CASCADE) and are in
their export.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from bot.storage.sql import Runner

DEFAULT_BUDGET_KB = 2048  # MEDIA_DAILY_BUDGET_KB (bot/config.py)


class SqlDataSaver:
    """DataSaver for the person `user_id`, on the turn's runner."""

    def __init__(self, runner: Runner, user_id: int, budget_kb: int = DEFAULT_BUDGET_KB) -> None:
        self.runner = runner
        self.user_id = user_id
        self.budget = max(budget_kb, 0) * 1024

    async def light(self) -> bool:
        """Whether the learner turned light data on."""
        rows = await self.runner.run(
            "SELECT light FROM data_saving WHERE user_id = :uid", uid=self.user_id
        )
        return bool(rows[0][0]) if rows else False

    async def set_light(self, on: bool) -> None:
        """Keep the setting (one row per learner)."""
        await self.runner.run(
            "INSERT INTO data_saving (user_id, light, updated_at) VALUES (:uid, :on, :now)"
            " ON CONFLICT (user_id) DO UPDATE SET light = :on, updated_at = :now",
            uid=self.user_id,
            on=on,
            now=datetime.now(UTC),
        )

    async def spent(self, day: date) -> int:
        """Bytes of media sent on request on that day."""
        rows = await self.runner.run(
            "SELECT bytes FROM media_days WHERE user_id = :uid AND day = :day",
            uid=self.user_id,
            day=day,
        )
        return int(rows[0][0]) if rows else 0

    async def spend(self, day: date, size: int) -> None:
        """Add one file to the day's count."""
        await self.runner.run(
            "INSERT INTO media_days (user_id, day, bytes, files) VALUES (:uid, :day, :size, 1)"
            " ON CONFLICT (user_id, day) DO UPDATE"
            " SET bytes = media_days.bytes + :size, files = media_days.files + 1",
            uid=self.user_id,
            day=day,
            size=size,
        )
