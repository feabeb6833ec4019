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
- their id inside JSON lists (a Creathon's jury and reviewers), where a later person given
  the same id (SQLite reuses the highest) would inherit it.

tests/integration/test_erasure.py makes a person use every feature, erases them, then reads
every table and every file of the data folder for any of their identifiers and texts: a new
table that keeps something about a person fails it until it is handled here.
"""

from __future__ import annotations

from datetime import datetime

from bot.channels import capabilities
from bot.storage.circles import PAIR
from bot.storage.sql import Runner, SqliteRunner, as_json
from bot.storage.xapi import void_sent


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
    rows = await runner.run(
        "SELECT a.channel, a.external_id FROM users u LEFT JOIN learner_profiles lp"
        " ON lp.user_id = u.id JOIN users a ON a.id = COALESCE(lp.account_id, u.id)"
        " WHERE u.id = :uid",
        uid=uid,
    )
    return (str(rows[0][0]), str(rows[0][1])) if rows else None


async def _their_writings(runner: Runner, uid: int) -> None:
    """Their circle messages and every copy, their broadcasts, reports and events."""
    await runner.run(
        "DELETE FROM broadcasts WHERE id IN (SELECT r.broadcast_id FROM circle_relays r"
        " JOIN circle_messages m ON m.id = r.message_id WHERE m.author_id = :uid)",
        uid=uid,
    )
    await runner.run("DELETE FROM broadcasts WHERE author_id = :uid", uid=uid)
    # A circle's daily digest quotes every post of the day, theirs too: it goes (the others'
    # posts stay readable in the circle, and the next post schedules a new digest).
    await runner.run(
        "DELETE FROM broadcasts WHERE id IN (SELECT d.broadcast_id FROM circle_digests d"
        " WHERE d.circle_id IN (SELECT m.circle_id FROM circle_messages m"
        " WHERE m.author_id = :uid))",
        uid=uid,
    )
    # A one-to-one exchange is named after its two members: it goes with either.
    await runner.run(
        "DELETE FROM circles WHERE level_group = :pair AND id IN"
        " (SELECT circle_id FROM circle_members WHERE user_id = :uid)",
        pair=PAIR,
        uid=uid,
    )
    # copies waiting in web inboxes go with their broadcast (web_inbox.broadcast_id)
    await runner.run("DELETE FROM circle_messages WHERE author_id = :uid", uid=uid)
    await runner.run("DELETE FROM circle_reports WHERE reporter_id = :uid", uid=uid)
    await runner.run("DELETE FROM circle_events WHERE created_by = :uid", uid=uid)


async def _notices_to(runner: Runner, uid: int) -> None:
    """Personal notices addressed to them alone (a grade, an answer quoting their question)."""
    rows = await runner.run(
        "SELECT b.id, b.audience FROM broadcasts b WHERE b.status = 'scheduled'"
        " OR EXISTS (SELECT 1 FROM outbox o WHERE o.broadcast_id = b.id AND o.user_id = :uid)",
        uid=uid,
    )
    for broadcast_id, audience in rows:
        found = as_json(audience) or {}
        if found.get("personal") and list(found.get("user_ids") or []) == [uid]:
            await runner.run("DELETE FROM broadcasts WHERE id = :id", id=int(broadcast_id))


async def _from_lists(runner: Runner, uid: int) -> None:
    """Their id out of the Creathon's jury and reviewer lists."""
    rows = await runner.run("SELECT id, jury, reviewers FROM creathon_contests")
    for contest_id, jury, reviewers in rows:
        before = (list(as_json(jury) or []), list(as_json(reviewers) or []))
        after = ([j for j in before[0] if j != uid], [r for r in before[1] if r != uid])
        if after != before:
            await runner.run(
                "UPDATE creathon_contests SET jury = :jury, reviewers = :reviewers WHERE id = :id",
                jury=after[0],
                reviewers=after[1],
                id=int(contest_id),
            )


async def _their_courses(runner: Runner, uid: int) -> list[str]:
    """The courses they wrote, with their files; the ids."""
    rows = await runner.run(
        "SELECT course_id FROM authored_courses WHERE author_id = :uid", uid=uid
    )
    courses = [str(row[0]) for row in rows]
    for course_id in courses:
        await runner.run("DELETE FROM authored_media WHERE course_id = :cid", cid=course_id)
        await runner.run("DELETE FROM authored_courses WHERE course_id = :cid", cid=course_id)
    return courses


async def _address_traces(runner: Runner, channel: str, address: str, now: datetime) -> None:
    """Stored bodies, update keys and withdrawals that carry their address."""
    caps = capabilities(channel)
    if caps.address_is_phone and address:
        # Webhook bodies received until now (this erasure's own included): a body from or about
        # the number holds it, the name and the text. Later ones are still to be handled.
        needle = address.encode()
        match = (
            "instr(body, :needle) > 0"
            if isinstance(runner, SqliteRunner)
            else ("position(:needle in body) > 0")
        )
        await runner.run(
            f"DELETE FROM whatsapp_inbox WHERE {match} AND received_at <= :now",
            needle=needle,
            now=now,
        )
    if caps.address_is_key:  # the address is in the keys of the updates handled
        prefix = f"{channel}:{address}:"
        await runner.run(
            "DELETE FROM processed_updates WHERE channel = :channel"
            " AND substr(key, 1, :n) = :prefix",
            channel=channel,
            n=len(prefix),
            prefix=prefix,
        )
    if caps.can_delete:  # the messages it may still take back (circle withdrawals)
        prefix = f"tg:{address}:"
        await runner.run(
            "DELETE FROM withdrawals WHERE substr(platform_id, 1, :n) = :prefix",
            n=len(prefix),
            prefix=prefix,
        )
