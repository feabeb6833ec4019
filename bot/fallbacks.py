"""The phone fallback: a learner whose chat app stops reaching their number (WhatsApp's
131026, "not on WhatsApp") is written to at the same number by the channel that takes over
phones (SMS: `takes_over_phones` in bot/channels.py), if they said yes in their settings
(dialogs/flows/phone_fallback.py, on channels whose address is a phone).

- When a platform marks the address unreachable (`mark_unreachable` of bot/storage/channels.py
  and bot/storage/outbox.py), `Fallbacks.switch` makes the number's address on the fallback
  channel, links it to the learner (one learner: what they send by SMS goes on with the same
  progress) and queues the notice that tells them why, by SMS (bot/storage/fallbacks.py).
- While the address stays unreachable, every push queued for the learner (reminders,
  announcements, teachers' answers: the outbox) goes to the fallback address instead
  (`queue_broadcast`, bot/storage/admin.py), within that channel's daily budget.
- When they write again on their chat app, its mark goes, and pushes go back there.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import bindparam, select

from bot.channels import capabilities
from bot.i18n import I18n
from bot.storage import fallbacks
from bot.storage.models import users
from bot.storage.store import SqlStore

_ADDRESS = select(users.c.channel, users.c.locale, users.c.country).where(
    users.c.id == bindparam("uid")
)

log = logging.getLogger("imaginecole.fallbacks")


class Fallbacks:
    """The switch to `channel` (a channel that takes over phones, enabled)."""

    def __init__(self, store: SqlStore, i18n: I18n, channel: str) -> None:
        self.store = store
        self.i18n = i18n
        self.channel = channel

    async def switch(self, address_id: int, at: datetime) -> None:
        """Fall back for this address if it said yes (once)."""
        async with self.store.transaction() as runner:
            rows = await runner.run(_ADDRESS, uid=address_id)
            if not rows or not capabilities(str(rows[0][0])).address_is_phone:
                return
            lost, locale, country = str(rows[0][0]), rows[0][1], rows[0][2]
            notice = {
                lang: self._notice(lang, country, lost)
                for lang in dict.fromkeys((locale or "fr", "fr"))
            }
            made = await fallbacks.switch(runner, address_id, self.channel, notice, at)
        if made is not None:
            log.info("phone fallback to channel=%s", self.channel)

    def _notice(self, lang: str, country: str | None, lost: str) -> str:
        t = self.i18n.translator(lang, country)
        return t.gettext(
            "Nos messages %(channel)s ne parviennent plus à ce numéro. Comme vous l'avez "
            "demandé, nous vous écrivons désormais ici, par %(fallback)s. Répondez à ce "
            "message pour continuer vos leçons."
        ) % {"channel": capabilities(lost).label, "fallback": capabilities(self.channel).label}
