"""`python -m bot admin grant|list`: the first regional admin comes from the command line."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.storage.admin import grant_role, grants_of
from bot.storage.db import create_engine, migrate_async
from bot.storage.store import SqlStore
from dialogs.events import UserRef
from dialogs.roles import Grant, Role

CHANNELS = ("telegram", "whatsapp", "web")


async def grant(database_url: str, channel: str, external_id: str, role: str, country: str) -> str:
    """Give a role to a person (created if they never wrote yet); returns what was done."""
    given = Grant(Role(role), None if role == Role.REGIONAL_ADMIN else (country.upper() or None))
    if given.role is Role.STUDENT:
        raise ValueError("student is the default: nothing to grant")
    if given.role is not Role.REGIONAL_ADMIN and not given.country:
        raise ValueError(f"{role} needs --country (an ISO code such as SN)")
    await migrate_async(database_url)
    engine = create_engine(database_url)
    store = SqlStore(engine)
    try:
        async with store.turn(UserRef(channel, external_id)) as tx:
            assert tx is not None
            await grant_role(tx.runner, tx.user_id, given, None, datetime.now(UTC))
            held = await grants_of(tx.runner, tx.user_id)
    finally:
        store.close()
        await engine.dispose()
    return ", ".join(f"{g.role.value}{' ' + g.country if g.country else ''}" for g in held)
