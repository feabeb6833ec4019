"""The sync by file, where no connection ever comes (docs/sync.md): `sync export` writes a
signed bundle (to a USB stick), `sync import` on the other side checks its Ed25519 signature
and applies it. The same bundle imported twice changes nothing: records are kept once by
their ids, a course is replaced only by a newer version.

A bundle is one JSON object: its kind ("records" from a school, "courses" from the national
instance), who wrote it, the gzipped payload (base64) and the signature, by the writer's
certificate key (bot/certificates/signing.py), of the kind, the writer and the payload
together: none of them can be changed or swapped without the signature failing.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy import select

from bot.certificates import signing
from bot.storage import sync as db
from bot.storage.models import xapi_statements
from bot.storage.store import SqlStore
from bot.storage.xapi import PRUNED
from bot.sync import course_from_json, course_json, pack, unpack

MAGIC = "imaginecole-sync-bundle/1"
RECORDS = "records"
COURSES = "courses"
NATIONAL = "national"  # the writer of a courses bundle
MAX_BUNDLE = 512 * 1024 * 1024  # a bundle's file; its payload unzipped is bounded the same


class BundleError(Exception):
    """A bundle that is not applied: unreadable, unsigned, tampered or from a stranger."""


def _signed(kind: str, writer: str, payload: bytes) -> bytes:
    return f"{MAGIC}\n{kind}\n{writer}\n".encode() + payload


def write(path: Path, kind: str, writer: str, content: Any, key: Ed25519PrivateKey) -> int:
    """Write a signed bundle (a file written whole, then renamed: a stick pulled out in the
    middle leaves no half bundle under its name); its size in bytes."""
    payload = pack(content)
    signature = key.sign(_signed(kind, writer, payload))
    bundle = {
        "bundle": MAGIC,
        "kind": kind,
        "from": writer,
        "written_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "payload": base64.b64encode(payload).decode(),
        "signature": base64.b64encode(signature).decode(),
    }
    data = json.dumps(bundle).encode()
    partial = path.with_name(path.name + ".part")
    partial.write_bytes(data)
    partial.replace(path)
    return len(data)


@dataclass(frozen=True)
class Bundle:
    """A bundle whose signature held."""

    kind: str
    writer: str
    content: Any


def read(path: Path, keys: dict[str, Ed25519PublicKey]) -> Bundle:
    """Read and check a bundle against the keys of the writers this side trusts."""
    try:
        if path.stat().st_size > MAX_BUNDLE:
            raise BundleError(f"{path}: larger than {MAX_BUNDLE} bytes")
        bundle = json.loads(path.read_bytes())
    except (OSError, ValueError) as error:
        raise BundleError(f"{path}: not a bundle ({type(error).__name__})") from None
    if not isinstance(bundle, dict) or bundle.get("bundle") != MAGIC:
        raise BundleError(f"{path}: not an Imaginecole sync bundle")
    kind, writer = str(bundle.get("kind", "")), str(bundle.get("from", ""))
    key = keys.get(writer)
    if key is None:
        raise BundleError(f"{path}: written by {writer!r}, whose key this side does not know")
    try:
        payload = base64.b64decode(str(bundle.get("payload", "")), validate=True)
        signature = base64.b64decode(str(bundle.get("signature", "")), validate=True)
        key.verify(signature, _signed(kind, writer, payload))
    except (binascii.Error, InvalidSignature):
        refused = f"{path}: the signature does not match: refused, nothing applied"
        raise BundleError(refused) from None
    try:
        return Bundle(kind, writer, unpack(payload, MAX_BUNDLE))
    except ValueError as error:
        raise BundleError(f"{path}: signed but unreadable ({error})") from None


def public_keys(setting: str) -> dict[str, Ed25519PublicKey]:
    """`name:base64key,name:base64key` (SYNC_SCHOOL_KEYS) as keys by name."""
    found = {}
    for item in setting.split(","):
        name, _, key = item.strip().partition(":")
        if name.strip() and key.strip():
            found[name.strip()] = public_key(key, name.strip())
    return found


def public_key(text: str, whose: str) -> Ed25519PublicKey:
    """A configured public key, or a BundleError that says whose is wrong."""
    try:
        return signing.public_from_text(text.strip())
    except (binascii.Error, ValueError):
        raise BundleError(f"the public key of {whose} is not a base64 Ed25519 key") from None


async def export_records(
    store: SqlStore, path: Path, school: str, key: Ed25519PrivateKey, every: bool = False
) -> int:
    """The records not pushed yet (every record with `every`), marked as pushed: the stick
    is the link. How many."""
    rows = await db.waiting(store, 10**9) if not every else await _every(store)
    figures = await db.school_figures(store)
    content = {
        "learners": figures.learners,
        "pending": max(0, figures.pending - len(rows)),
        "statements": [json.loads(body) for _, body in rows],
    }
    write(path, RECORDS, school, content, key)  # then marked: a failed write marks nothing
    await db.mark_synced(store, [row_id for row_id, _ in rows], datetime.now(UTC))
    return len(rows)


_EVERY = (
    select(xapi_statements.c.id, xapi_statements.c.statement)
    .where(~xapi_statements.c.statement.startswith(PRUNED, autoescape=True))
    .order_by(xapi_statements.c.id)
)


async def _every(store: SqlStore) -> list[tuple[int, str]]:
    """Every record still whole (a pruned one, the national side had already)."""
    return [(int(row_id), str(body)) for row_id, body in await store.statement(_EVERY)]


async def export_courses(store: SqlStore, path: Path, key: Ed25519PrivateKey) -> int:
    """Every course a school may have, with its files, and the announcements for schools of
    the last ANNOUNCEMENT_AGE (each school takes those for its country). How many courses."""
    courses = await db.courses_after(store, "", 10**6)
    announcements, _, _ = await db.announcements_after(store, "", 10**6, datetime.now(UTC))
    content = {
        "courses": [course_json(c) for c in courses],
        "announcements": [db.announcement_json(a) for a in announcements],
    }
    write(path, COURSES, NATIONAL, content, key)
    return len(courses)


@dataclass(frozen=True)
class Imported:
    """What a national bundle changed at a school."""

    courses: db.Applied
    announcements: db.Announced


async def import_records(store: SqlStore, bundle: Bundle) -> db.Taken:
    """A school's records bundle, kept as a push would keep it."""
    if bundle.kind != RECORDS:
        raise BundleError(f"a bundle of {bundle.kind}, not of records")
    content = bundle.content
    statements = content.get("statements") if isinstance(content, dict) else None
    if not isinstance(statements, list) or not all(
        isinstance(s, dict) and isinstance(s.get("id"), str) for s in statements
    ):
        raise BundleError("the bundle's records are not a list of statements")
    figures = db.SchoolFigures(int(content.get("learners", 0)), int(content.get("pending", 0)))
    return await db.take_statements(store, bundle.writer, statements, figures, datetime.now(UTC))


async def import_courses(store: SqlStore, bundle: Bundle, country: str = "") -> Imported:
    """The national bundle, applied as a pull would (the pull's cursors unchanged): its
    courses, and its announcements for the school's `country` or every country (each
    queued once, whether it came by bundle, by network or both)."""
    if bundle.kind != COURSES:
        raise BundleError(f"a bundle of {bundle.kind}, not of courses")
    try:
        courses = [course_from_json(item) for item in bundle.content["courses"]]
        announcements = [
            db.announcement_from_json(item) for item in bundle.content.get("announcements", [])
        ]
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise BundleError(f"the bundle's courses are unreadable ({error})") from None
    now = datetime.now(UTC)
    applied = await db.apply_courses(store, courses, None, now)
    mine = [a for a in announcements if a.reaches(country)]
    return Imported(applied, await db.apply_announcements(store, mine, None, now))
