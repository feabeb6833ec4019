"""Several learners on one phone: the profiles of a chat account, in its turn's transaction.

A profile is a `users` row of its own (so every table that refers to a learner refers to the
profile), whose `external_id` is synthetic ("<address>#p<n>", never used to reach anyone:
platforms' ids hold no "#"). `learner_profiles` links the profiles to their account, the row
the platform address belongs to, and the account's row there says which profile is in use.
A turn loads that profile (bot/storage/statements.py); what is sent to a profile goes to the
account's address (bot/storage/outbox.py).

Nothing of this exists for an account with one learner: its first profile is created with
the first row here. PINs are kept as salted scrypt hashes, never as digits.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import secrets
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import (
    Integer,
    bindparam,
    case,
    delete,
    exists,
    func,
    insert,
    literal_column,
    null,
    select,
    true,
)
from sqlalchemy import update as update_

from bot.storage import authored_files
from bot.storage.erasure import forget_person
from bot.storage.models import dead_letters, learner_profiles, users
from bot.storage.sql import Row, Runner, both, utc
from dialogs.profile_ports import (
    MAX_PROFILES,
    PIN_LOCK,
    PIN_TRIES,
    UNLOCK_STEP,
    LearnerProfile,
    PinCheck,
)

if TYPE_CHECKING:
    from bot.storage.store import SqlTurn

_SCRYPT = {"n": 2**14, "r": 8, "p": 1}

lp = learner_profiles.c
_acc = learner_profiles.alias("acc")
_a = users.alias("a")
_u = users.alias("u")
_PROFILES = (
    select(
        lp.user_id,
        lp.first_name,
        lp.pin_hash.is_not(None),
        users.c.consented_at,
        users.c.level,
        lp.locked_until,
    )
    .join_from(learner_profiles, users, users.c.id == lp.user_id)
    .where(lp.account_id == bindparam("acc"))
    .order_by(lp.user_id)
)
_FIRST_ROW = both(
    lambda ins: (
        ins(learner_profiles)
        .values(
            user_id=bindparam("acc"),
            account_id=bindparam("acc"),
            active_id=bindparam("acc"),
            pin_failures=0,
            created_at=bindparam("now"),
        )
        .on_conflict_do_nothing(index_elements=[lp.user_id])
    )
)
_ADD = insert(learner_profiles).values(
    user_id=bindparam("uid"),
    account_id=bindparam("acc"),
    first_name=bindparam("name"),
    pin_failures=0,
    created_at=bindparam("now"),
)
_ADDRESS_AND_LANGUAGE = (  # the account's address, the current profile's language
    select(_a.c.channel, _a.c.external_id, _u.c.locale, _u.c.country)
    .join_from(_a, _u, true())
    .where(_a.c.id == bindparam("acc"), _u.c.id == bindparam("uid"))
)
_NEW_ROW = both(
    lambda ins: (
        ins(users)
        .values(
            channel=bindparam("ch"),
            external_id=bindparam("ext"),
            locale=bindparam("p_locale"),
            country=bindparam("p_country"),
            state_step="welcome",
            state_data=bindparam("data"),
            state_prompt=bindparam("prompt"),
            created_at=bindparam("now"),
            last_seen_at=bindparam("now"),
        )
        .on_conflict_do_nothing(index_elements=[users.c.channel, users.c.external_id])
        .returning(users.c.id)
    )
)
_ACTIVATE = (
    update_(learner_profiles)
    .where(lp.user_id == bindparam("acc"))
    .values(active_id=bindparam("pid"))
)
_NAME = (
    update_(learner_profiles)
    .where(lp.user_id == bindparam("uid"))
    .values(first_name=bindparam("name"))
)
_OF_ACCOUNT = select(lp.pin_hash, lp.pin_failures, lp.locked_until).where(
    lp.user_id == bindparam("pid"), lp.account_id == bindparam("acc")
)
# Prompts numbered after every one shown so far (`prompt`).
_PROMPT = bindparam("prompt", type_=Integer)
_ONE = literal_column("1", Integer)  # written in the statement, as the old SQL did
_AFTER = case((users.c.state_prompt > _PROMPT, users.c.state_prompt + _ONE), else_=_PROMPT + _ONE)
_SWITCH = (
    update_(users)
    .where(users.c.id == bindparam("pid"))
    .values(
        state_prompt=_AFTER,
        state_step=case(
            (users.c.state_step == bindparam("unlock"), "menu"), else_=users.c.state_step
        ),
    )
)
_PIN_STATE = (
    update_(learner_profiles)
    .where(lp.user_id == bindparam("pid"))
    .values(pin_failures=bindparam("failures"), locked_until=bindparam("locked"))
)
_SET_PIN = (
    update_(learner_profiles)
    .where(lp.user_id == bindparam("uid"))
    .values(pin_hash=bindparam("pin"), pin_failures=0, locked_until=null())
)
_RESET_PIN = (
    update_(learner_profiles)
    .where(lp.user_id == bindparam("pid"))
    .values(pin_hash=null(), pin_failures=0, locked_until=null())
)
_ACCOUNT_OF = (
    select(lp.account_id, _acc.c.active_id)
    .join_from(learner_profiles, _acc, _acc.c.user_id == lp.account_id)
    .where(lp.user_id == bindparam("uid"))
)
_DELETE_USER = delete(users).where(users.c.id == bindparam("uid"))
_HEIR = select(func.min(lp.user_id)).where(
    lp.account_id == bindparam("acc"), lp.user_id != bindparam("acc")
)
_ADDRESS_OF = select(users.c.external_id).where(users.c.id == bindparam("acc"))
_HAND_OVER = (
    update_(learner_profiles)
    .where(lp.account_id == bindparam("acc"), lp.user_id != bindparam("acc"))
    .values(account_id=bindparam("heir"))
)
_SET_ADDRESS = (
    update_(users).where(users.c.id == bindparam("heir")).values(external_id=bindparam("ext"))
)
_GATE = (  # the profile now in use (`active`): its PIN asked first
    update_(users)
    .where(users.c.id == bindparam("active"))
    .values(
        state_prompt=_AFTER,
        state_step=case(
            (
                exists().where(lp.user_id == bindparam("active"), lp.pin_hash.is_not(None)),
                bindparam("unlock"),
            ),
            else_=users.c.state_step,
        ),
    )
)


def hash_pin(pin: str) -> str:
    """A PIN as stored: scrypt with a random salt, in one text."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(pin.encode(), salt=salt, dklen=32, **_SCRYPT)
    return f"scrypt${salt.hex()}${digest.hex()}"


def pin_matches(pin: str, stored: str) -> bool:
    """Whether `pin` is the PIN that `stored` (from `hash_pin`) was made from."""
    kind, salt, digest = stored.split("$")
    if kind != "scrypt":
        return False
    tried = hashlib.scrypt(pin.encode(), salt=bytes.fromhex(salt), dklen=32, **_SCRYPT)
    return hmac.compare_digest(tried.hex(), digest)


class SqlProfileDesk:
    """ProfileDesk on the turn's connection; switching sets the turn's `follow_up`."""

    def __init__(self, turn: SqlTurn) -> None:
        self._turn = turn
        self._run = turn.runner.run

    @property
    def _uid(self) -> int:
        return self._turn.user_id

    @property
    def _account(self) -> int:
        return self._turn.account_id

    async def profiles(self) -> list[LearnerProfile]:
        """Every profile of the account, the main one first."""
        rows = await self._run(_PROFILES, acc=self._account)
        if not rows:
            return [LearnerProfile(self._uid, None, False, True, True, True)]
        found = [self._profile(row) for row in rows]
        return sorted(found, key=lambda p: not p.main)

    def _profile(self, row: Row) -> LearnerProfile:
        """A profile from a row of `profiles`."""
        uid, name, has_pin, consented_at, level, locked = row
        complete = consented_at is not None and level is not None
        main, current = uid == self._account, uid == self._uid
        return LearnerProfile(uid, name, bool(has_pin), main, current, complete, utc(locked))

    async def _ensure_rows(self) -> None:
        """Give a single-learner account its first profile row (the main one, in use)."""
        await self._run(_FIRST_ROW, acc=self._account, now=datetime.now(UTC))

    async def add(self, first_name: str, prompt: int) -> bool:
        """Create a profile (language and country of the current one) and put it in use."""
        if len(await self.profiles()) >= MAX_PROFILES:
            return False
        await self._ensure_rows()
        new_id = await self._new_row(prompt)
        await self._run(
            _ADD,
            uid=new_id,
            acc=self._account,
            name=first_name,
            now=datetime.now(UTC),
        )
        await self._activate(new_id)
        return True

    async def _new_row(self, prompt: int) -> int:
        """The new profile's users row, under the first free synthetic id."""
        rows = await self._run(_ADDRESS_AND_LANGUAGE, acc=self._account, uid=self._uid)
        channel, address, locale, country = rows[0]
        now = datetime.now(UTC)
        for n in range(1, 1000):
            created = await self._run(
                _NEW_ROW,
                ch=channel,
                ext=f"{address}#p{n}",
                p_locale=locale,
                p_country=country,
                data={"country_known": True} if country else {},
                prompt=prompt + 1,
                now=now,
            )
            if created:
                return int(created[0][0])
        raise RuntimeError("no free profile id")  # pragma: no cover - MAX_PROFILES is 6

    async def _activate(self, profile_id: int) -> None:
        """Put a profile in use; the phone sees its prompt next (Conversations follows up)."""
        await self._run(_ACTIVATE, pid=profile_id, acc=self._account)
        self._turn.follow_up = True

    async def name_current(self, first_name: str) -> None:
        """Give the current profile a first name."""
        await self._ensure_rows()
        await self._run(_NAME, name=first_name, uid=self._uid)

    async def _of_account(self, profile_id: int) -> Row | None:
        """A profile's PIN state, if it belongs to this account."""
        rows = await self._run(_OF_ACCOUNT, pid=profile_id, acc=self._account)
        return rows[0] if rows else None

    async def switch(self, profile_id: int, prompt: int) -> bool:
        """Put another profile in use, its prompts numbered after every one shown so far."""
        if profile_id == self._uid or await self._of_account(profile_id) is None:
            return False
        await self._run(
            _SWITCH,
            prompt=prompt,
            unlock=UNLOCK_STEP,
            pid=profile_id,
        )
        await self._activate(profile_id)
        return True

    async def check_pin(self, profile_id: int, pin: str, now: datetime) -> PinCheck:
        """Check a PIN; PIN_TRIES wrong ones in a row lock the profile for PIN_LOCK."""
        found = await self._of_account(profile_id)
        if found is None or found[0] is None:
            return PinCheck(ok=found is not None)
        stored, failures, locked = str(found[0]), int(found[1]), utc(found[2])
        if locked is not None and locked > now:
            return PinCheck(ok=False, locked_until=locked)
        if locked is not None:
            failures = 0  # the lock is over: a fresh set of tries
        if await asyncio.to_thread(pin_matches, pin, stored):
            await self._pin_state(profile_id, 0, None)
            return PinCheck(ok=True)
        failures += 1
        if failures >= PIN_TRIES:
            await self._pin_state(profile_id, 0, now + PIN_LOCK)
            return PinCheck(ok=False, locked_until=now + PIN_LOCK)
        await self._pin_state(profile_id, failures, None)
        return PinCheck(ok=False, tries_left=PIN_TRIES - failures)

    async def _pin_state(self, profile_id: int, failures: int, locked: datetime | None) -> None:
        """Write a profile's count of wrong PINs and its lock."""
        await self._run(
            _PIN_STATE,
            failures=failures,
            locked=locked,
            pid=profile_id,
        )

    async def set_pin(self, pin: str | None) -> None:
        """Set or remove the current profile's PIN (hashed in a worker thread)."""
        await self._ensure_rows()
        stored = None if pin is None else await asyncio.to_thread(hash_pin, pin)
        await self._run(_SET_PIN, pin=stored, uid=self._uid)

    async def reset_pin(self, profile_id: int) -> bool:
        """Remove another profile's PIN: only the main profile may."""
        if self._uid != self._account or await self._of_account(profile_id) is None:
            return False
        await self._run(_RESET_PIN, pid=profile_id)
        return True

    async def erase(self, profile_id: int) -> bool:
        """Erase another profile of the account (the main one hands the address on)."""
        if profile_id == self._uid or await self._of_account(profile_id) is None:
            return False
        turn = self._turn
        account = await erase_profile(turn.runner, profile_id, turn.state.prompt, turn.authored_dir)
        if account is not None:
            self._turn.account_id = account
        return True


async def erase_profile(
    runner: Runner, uid: int, prompt: int, authored_dir: Path | None = None
) -> int | None:
    """Delete a learner row and everything about it, keeping its siblings on the phone.

    Returns the account's row afterwards (None when nobody is left). Erasing the main profile
    of a shared phone hands the address to the oldest other profile, which becomes the main
    one; the profile in use after an erasure shows its PIN prompt first when it has a PIN.
    What the person left outside their rows goes first (bot/storage/erasure.py).
    """
    courses = await forget_person(runner, uid, datetime.now(UTC))
    if authored_dir is not None:  # their course files (a rollback rewrites published ones)
        for course_id in courses:
            shutil.rmtree(authored_files.course_folder(authored_dir, course_id), True)
    await erase_dead_letters(runner, uid)
    rows = await runner.run(_ACCOUNT_OF, uid=uid)
    if not rows:
        await runner.run(_DELETE_USER, uid=uid)
        return None
    account, active = int(rows[0][0]), rows[0][1]
    active = account if active is None else int(active)
    was_active = active == uid
    if uid == account:
        heir = await _hand_over(runner, account)
        if heir is None:
            return None
        account, active = heir, heir if was_active else active
    else:
        await runner.run(_DELETE_USER, uid=uid)
        active = account if was_active else active
    await runner.run(_ACTIVATE, pid=active, acc=account)
    if was_active:
        await _gate(runner, active, prompt)
    return account


# Parked inbound items (bot/storage/dead_letters.py) carry the texts a phone sent: they go
# with any learner of that address (the phone's account on a shared phone).
_PHONE = func.coalesce(
    select(lp.account_id).where(lp.user_id == bindparam("uid")).scalar_subquery(),
    bindparam("uid"),
)
ERASE_DEAD_LETTERS = delete(dead_letters).where(
    exists().where(
        _u.c.id == _PHONE,
        _u.c.channel == dead_letters.c.channel,
        _u.c.external_id == dead_letters.c.address,
    )
)
ERASE_ADDRESS_DEAD_LETTERS = delete(dead_letters).where(
    dead_letters.c.channel == bindparam("ch"), dead_letters.c.address == bindparam("ext")
)


async def erase_dead_letters(runner: Runner, uid: int) -> None:
    """Delete what was parked from the address of learner row `uid`."""
    await runner.run(ERASE_DEAD_LETTERS, uid=uid)


async def _hand_over(runner: Runner, account: int) -> int | None:
    """Delete the main profile, giving its address to the oldest other profile (or None)."""
    rows = await runner.run(_HEIR, acc=account)
    heir = rows[0][0]
    if heir is None:
        await runner.run(_DELETE_USER, uid=account)
        return None
    heir = int(heir)
    address = await runner.run(_ADDRESS_OF, acc=account)
    await runner.run(_HAND_OVER, heir=heir, acc=account)
    await runner.run(_DELETE_USER, uid=account)
    await runner.run(_SET_ADDRESS, ext=address[0][0], heir=heir)
    return heir


async def _gate(runner: Runner, active: int, prompt: int) -> None:
    """The profile now in use: prompts after the erased one's, its PIN asked first."""
    await runner.run(
        _GATE,
        prompt=prompt + 1,
        active=active,
        unlock=UNLOCK_STEP,
    )
