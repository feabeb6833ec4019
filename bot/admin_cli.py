"""`python -m bot admin grant|list`: the first regional admin comes from the command line."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.engine import URL, make_url

from bot.channels import NAMES
from bot.i18n import SOURCE_LANGUAGE, I18n
from bot.storage.admin import grant_role, grants_of, queue_notice
from bot.storage.db import create_engine, migrate_async
from bot.storage.models import users
from bot.storage.store import SqlStore
from dialogs.events import UserRef
from dialogs.flows.role_help import role_notice
from dialogs.roles import Grant, Role

CHANNELS = NAMES  # the registry's (bot/channels.py)


class UnknownPerson(ValueError):
    """The id names nobody who ever wrote to the bot on that channel (a typo, most often)."""


def database_label(database_url: str) -> str:
    """The database a command wrote to, as an operator recognises it: never its password."""
    try:
        url = make_url(database_url)
    except Exception:
        return database_url.rsplit("@", 1)[-1]
    bare = URL.create(
        url.drivername, url.username, None, url.host, url.port, url.database, url.query
    )
    return bare.render_as_string(hide_password=False)


def notice_texts(role: Role) -> dict[str, str]:
    """The notice of a new role in every interface language."""
    i18n = I18n()
    return {
        language.code: role_notice(i18n.translator(language.code).gettext, role, ask_school=True)
        for language in i18n.languages
    }


async def grant(
    database_url: str,
    channel: str,
    external_id: str,
    role: str,
    country: str,
    *,
    create: bool = True,
    notify: bool = False,
    language: str = "",
) -> str:
    """Give a role to a person; returns the roles they now hold.

    With `create` False (the command line without `--create`), an id that is not a known
    person of that channel is refused (UnknownPerson) instead of making a new, empty person.
    With `notify` (the command line), a person who did not hold the role yet is told in the
    chat what it lets them do: a notice through the outbox, held for the web chat's next
    visit. The defaults are those of tests that set up a cast.
    """
    if role == Role.TRANSLATOR:
        offered = [lang.code for lang in I18n().languages if lang.code != SOURCE_LANGUAGE]
        if language.casefold() not in offered:
            raise ValueError(f"translator needs --language, one of {', '.join(offered)}")
        given = Grant(Role.TRANSLATOR, None, language.casefold())
    else:
        scope = None if role == Role.REGIONAL_ADMIN else (country.upper() or None)
        given = Grant(Role(role), scope)
    if given.role is Role.STUDENT:
        raise ValueError("student is the default: nothing to grant")
    if given.role not in (Role.REGIONAL_ADMIN, Role.TRANSLATOR) and not given.country:
        raise ValueError(f"{role} needs --country (an ISO code such as SN)")
    await migrate_async(database_url)
    engine = create_engine(database_url)
    store = SqlStore(engine)
    try:
        if not create:
            async with engine.connect() as conn:
                found = await conn.execute(
                    select(users.c.id).where(
                        users.c.channel == channel, users.c.external_id == external_id
                    )
                )
                if found.first() is None:
                    raise UnknownPerson(
                        f"no {channel} person with id {external_id!r} in "
                        f"{database_label(database_url)}: check the id (the person sends "
                        "/mon_id to the bot), or add --create to make a new person"
                    )
        async with store.turn(UserRef(channel, external_id)) as tx:
            assert tx is not None
            before = await grants_of(tx.runner, tx.user_id)
            now = datetime.now(UTC)
            await grant_role(tx.runner, tx.user_id, given, None, now)
            held = await grants_of(tx.runner, tx.user_id)
            if notify and given not in before:
                await queue_notice(tx.runner, tx.user_id, notice_texts(given.role), now)
    finally:
        store.close()
        await engine.dispose()
    return ", ".join(f"{g.role.value}{_scope(g)}" for g in held)


def _scope(grant: Grant) -> str:
    """ " SN" for a country's role, " wo" for a translator's language, "" for all countries."""
    scope = grant.language if grant.role is Role.TRANSLATOR else grant.country
    return f" {scope}" if scope else ""
