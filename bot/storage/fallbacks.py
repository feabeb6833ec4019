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

from bot.storage.admin import queue_notice
from bot.storage.sql import Runner


class SqlPhoneFallback:
    """PhoneFallback (dialogs/fallback_ports.py) of one address, on the turn's runner."""

    def __init__(self, runner: Runner, address_id: int, label: str) -> None:
        self.runner = runner
        self.address_id = address_id
        self.label = label

    async def opted(self) -> bool:
        rows = await self.runner.run(
            "SELECT 1 FROM phone_fallbacks WHERE user_id = :uid", uid=self.address_id
        )
        return bool(rows)

    async def set_opted(self, on: bool) -> None:
        if not on:  # taken back: pushes stay on the chat app (a fallback address made stays)
            await self.runner.run(
                "DELETE FROM phone_fallbacks WHERE user_id = :uid", uid=self.address_id
            )
            return
        await self.runner.run(
            "INSERT INTO phone_fallbacks (user_id, opted_at) VALUES (:uid, :now)"
            " ON CONFLICT (user_id) DO NOTHING",
            uid=self.address_id,
            now=datetime.now(UTC),
        )


async def switch(
    runner: Runner, address_id: int, channel: str, notice: Mapping[str, str], now: datetime
) -> int | None:
    """Fall back to `channel` for an address that said yes and has not fallen back yet: the
    same number's address there (made if need be, with the learner's language and consent),
    linked to the learner, told why. Returns that address's row (None: nothing to do)."""
    rows = await runner.run(
        "SELECT u.external_id FROM phone_fallbacks pf JOIN users u ON u.id = pf.user_id"
        " WHERE pf.user_id = :uid AND pf.fallback_id IS NULL",
        uid=address_id,
    )
    if not rows:
        return None
    number = str(rows[0][0])
    await runner.run(
        "INSERT INTO users (channel, external_id, locale, country, role, level, consented_at,"
        " state_step, state_data, state_prompt, created_at, last_seen_at)"
        " SELECT :ch, u.external_id, u.locale, u.country, u.role, u.level, u.consented_at,"
        " 'menu', :data, 0, :now, :now FROM users u WHERE u.id = :uid"
        " ON CONFLICT (channel, external_id) DO NOTHING",
        ch=channel,
        data={},
        now=now,
        uid=address_id,
    )
    found = await runner.run(
        "SELECT id FROM users WHERE channel = :ch AND external_id = :ext", ch=channel, ext=number
    )
    fallback_id = int(found[0][0])
    learner = await runner.run(  # the learner the chat app's address is (or follows)
        "SELECT COALESCE((SELECT al.learner_id FROM address_links al"
        " WHERE al.account_id = :uid), :uid)",
        uid=address_id,
    )
    await runner.run(
        "INSERT INTO address_links (account_id, learner_id, created_at)"
        " VALUES (:acc, :learner, :now) ON CONFLICT (account_id) DO NOTHING",
        acc=fallback_id,
        learner=int(learner[0][0]),
        now=now,
    )
    await runner.run(
        "UPDATE phone_fallbacks SET fallback_id = :fid, switched_at = :now WHERE user_id = :uid",
        fid=fallback_id,
        now=now,
        uid=address_id,
    )
    await queue_notice(runner, fallback_id, notice, now)
    return fallback_id
