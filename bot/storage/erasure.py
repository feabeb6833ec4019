"""What a person leaves outside their own rows, erased with them.

Deleting a `users` row takes everything that hangs on it (ON DELETE CASCADE). What follows
does not hang on it, or only loosely (ON DELETE SET NULL keeps the text and forgets the
author), and goes here, before the row:

- what they wrote for others: their circle messages (with every copy: relayed broadcasts,
  copies waiting in web learners' inboxes, the circle's digests that quote them, reports), the
  one-to-one exchanges named after them, their notices and announcements (a question to
  their teacher, a circle post's relay with their name and school), the reports they made,
  the events they announced, the courses they wrote (and their files);
- what others wrote for them alone: personal notices addressed to them only (their web
  inbox hangs on their row);
- where their address was written down: the WhatsApp bodies received from or about their
  number (number, name, every text, the erasure command itself), the web chat's update keys
  (`web:<uid>:<message>`), the Telegram withdrawals of copies sent to their chat;
- (nothing to do for translators: their proposed and reviewed translations of the interface
  and of courses (`course_translations`) are the programme's text, kept; `author_id` and
  `reviewer_id` forget them, ON DELETE SET NULL);
- their learning records (xapi_statements): the instance voids, with a voiding statement of
  its own, each one the LRS received; the unsent ones go (bot/storage/xapi.py);
- their id inside JSON lists (a Creathon's jury), where a later person given the same id
  (SQLite reuses the highest) would inherit it; a contest's `reviewers` is a count, and the
  peer reviews themselves hang on their row.

tests/integration/test_erasure.py makes a person use every feature, erases them, then reads
every table and every file of the data folder for any of their identifiers and texts: a new
table that keeps something about a person fails it until it is handled here.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, delete, exists, func, select, update

from bot.channels import capabilities
from bot.storage.circles import PAIR
from bot.storage.models import (
    authored_courses,
    authored_media,
    broadcasts,
    circle_digests,
    circle_events,
    circle_members,
    circle_messages,
    circle_relays,
    circle_reports,
    circles,
    creathon_contests,
    learner_profiles,
    outbox,
    processed_updates,
    users,
    whatsapp_inbox,
    withdrawals,
)
from bot.storage.sql import ByDialect, Runner, as_json
from bot.storage.xapi import void_sent

_person, _address_row = users.alias("u"), users.alias("a")
_ADDRESS = (
    select(_address_row.c.channel, _address_row.c.external_id)
    .select_from(_person)
    .outerjoin(learner_profiles, learner_profiles.c.user_id == _person.c.id)
    .join(
        _address_row,
        _address_row.c.id == func.coalesce(learner_profiles.c.account_id, _person.c.id),
    )
    .where(_person.c.id == bindparam("uid"))
)
_RELAYED = delete(broadcasts).where(
    broadcasts.c.id.in_(
        select(circle_relays.c.broadcast_id)
        .join(circle_messages, circle_messages.c.id == circle_relays.c.message_id)
        .where(circle_messages.c.author_id == bindparam("uid"))
    )
)
_AUTHORED = delete(broadcasts).where(broadcasts.c.author_id == bindparam("uid"))
_DIGESTS = delete(broadcasts).where(
    broadcasts.c.id.in_(
        select(circle_digests.c.broadcast_id).where(
            circle_digests.c.circle_id.in_(
                select(circle_messages.c.circle_id).where(
                    circle_messages.c.author_id == bindparam("uid")
                )
            )
        )
    )
)
_PAIRS = delete(circles).where(
    circles.c.level_group == PAIR,
    circles.c.id.in_(
        select(circle_members.c.circle_id).where(circle_members.c.user_id == bindparam("uid"))
    ),
)
_MESSAGES = delete(circle_messages).where(circle_messages.c.author_id == bindparam("uid"))
_REPORTS = delete(circle_reports).where(circle_reports.c.reporter_id == bindparam("uid"))
_EVENTS = delete(circle_events).where(circle_events.c.created_by == bindparam("uid"))
_NOTICES = select(broadcasts.c.id, broadcasts.c.audience).where(
    (broadcasts.c.status == "scheduled")
    | exists().where(outbox.c.broadcast_id == broadcasts.c.id, outbox.c.user_id == bindparam("uid"))
)
_BROADCAST = delete(broadcasts).where(broadcasts.c.id == bindparam("bid"))
_JURIES = select(creathon_contests.c.id, creathon_contests.c.jury)
_SET_JURY = (
    update(creathon_contests)
    .where(creathon_contests.c.id == bindparam("cid"))
    .values(jury=bindparam("jury"))
)
_COURSES = select(authored_courses.c.course_id).where(
    authored_courses.c.author_id == bindparam("uid")
)
_MEDIA = delete(authored_media).where(authored_media.c.course_id == bindparam("cid"))
_COURSE = delete(authored_courses).where(authored_courses.c.course_id == bindparam("cid"))
# Webhook bodies holding the address's bytes: each engine names the search its own way.
_BODIES = ByDialect(
    sqlite=delete(whatsapp_inbox).where(
        func.instr(whatsapp_inbox.c.body, bindparam("needle")) > 0,
        whatsapp_inbox.c.received_at <= bindparam("now"),
    ),
    postgresql=delete(whatsapp_inbox).where(
        func.position(bindparam("needle").op("IN")(whatsapp_inbox.c.body)) > 0,
        whatsapp_inbox.c.received_at <= bindparam("now"),
    ),
)
_KEYS = delete(processed_updates).where(
    processed_updates.c.channel == bindparam("channel"),
    func.substr(processed_updates.c.key, 1, bindparam("n")) == bindparam("prefix"),
)
_WITHDRAWALS = delete(withdrawals).where(
    func.substr(withdrawals.c.platform_id, 1, bindparam("n")) == bindparam("prefix")
)


async def forget_person(runner: Runner, uid: int, now: datetime) -> list[str]:
    """Delete what `uid` left outside their rows (see the module); the ids of the courses
    they wrote, whose folders the caller removes once the deletion is committed."""
    address = await _address(runner, uid)
    await void_sent(runner, uid, now)
    await _their_writings(runner, uid)
    await _notices_to(runner, uid)
    await _from_lists(runner, uid)
    courses = await _their_courses(runner, uid)
    if address is not None:
        await _address_traces(runner, *address, now)
    return courses


async def _address(runner: Runner, uid: int) -> tuple[str, str] | None:
    """The channel and address the person is reached at (a shared phone's, for a profile)."""
    rows = await runner.run(_ADDRESS, uid=uid)
    return (str(rows[0][0]), str(rows[0][1])) if rows else None


async def _their_writings(runner: Runner, uid: int) -> None:
    """Their circle messages and every copy, their broadcasts, reports and events."""
    await runner.run(_RELAYED, uid=uid)
    await runner.run(_AUTHORED, uid=uid)
    # A circle's daily digest quotes every post of the day, theirs too: it goes (the others'
    # posts stay readable in the circle, and the next post schedules a new digest).
    await runner.run(_DIGESTS, uid=uid)
    # A one-to-one exchange is named after its two members: it goes with either.
    await runner.run(_PAIRS, uid=uid)
    # copies waiting in web inboxes go with their broadcast (web_inbox.broadcast_id)
    await runner.run(_MESSAGES, uid=uid)
    await runner.run(_REPORTS, uid=uid)
    await runner.run(_EVENTS, uid=uid)


async def _notices_to(runner: Runner, uid: int) -> None:
    """Personal notices addressed to them alone (a grade, an answer quoting their question)."""
    rows = await runner.run(_NOTICES, uid=uid)
    for broadcast_id, audience in rows:
        found = as_json(audience) or {}
        if found.get("personal") and list(found.get("user_ids") or []) == [uid]:
            await runner.run(_BROADCAST, bid=int(broadcast_id))


async def _from_lists(runner: Runner, uid: int) -> None:
    """Their id out of the Creathon juries."""
    for contest_id, jury in await runner.run(_JURIES):
        before = list(as_json(jury) or [])
        after = [j for j in before if j != uid]
        if after != before:
            await runner.run(_SET_JURY, jury=after, cid=int(contest_id))


async def _their_courses(runner: Runner, uid: int) -> list[str]:
    """The courses they wrote, with their files; the ids."""
    rows = await runner.run(_COURSES, uid=uid)
    courses = [str(row[0]) for row in rows]
    for course_id in courses:
        await runner.run(_MEDIA, cid=course_id)
        await runner.run(_COURSE, cid=course_id)
    return courses


async def _address_traces(runner: Runner, channel: str, address: str, now: datetime) -> None:
    """Stored bodies, update keys and withdrawals that carry their address."""
    caps = capabilities(channel)
    if caps.address_is_phone and address:
        # Webhook bodies received until now (this erasure's own included): a body from or about
        # the number holds it, the name and the text. Later ones are still to be handled.
        await runner.run(_BODIES, needle=address.encode(), now=now)
    if caps.address_is_key:  # the address is in the keys of the updates handled
        prefix = f"{channel}:{address}:"
        await runner.run(_KEYS, channel=channel, n=len(prefix), prefix=prefix)
    if caps.can_delete:  # the messages it may still take back (circle withdrawals)
        prefix = f"tg:{address}:"
        await runner.run(_WITHDRAWALS, n=len(prefix), prefix=prefix)
