"""Signed addresses of course media, so a course for a teacher's classes stays closed over HTTP.

A lesson's image or recording is served at `/media/<course>/<file>`. For a course published
for "my classes" (`Library.restricted`), the server answers only an address that carries a
signature it made itself (`?k=`): the chat signs the addresses it hands to the person it has
just let into the lesson (the web page loads them, WhatsApp's servers fetch them), and anyone
else guessing or reusing a bare address gets a 404, as for a file that does not exist.

The key is derived from the deployment's secret (PSEUDONYM_SECRET), so every worker signs and
checks alike. A signed address does not expire: it opens one file of one course, as a copy of
that file forwarded by the student would.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
from collections.abc import Collection, Sequence
from typing import TypeVar
from urllib.parse import quote

from bot.tokens import same_secret
from dialogs.messages import Show

PREFIX = "/media/"
PARAM = "k"

T = TypeVar("T")


def _key(secret: bytes) -> bytes:
    return hmac.new(secret, b"imaginecole media links", hashlib.sha256).digest()


def signature(secret: bytes, course_id: str, path: str) -> str:
    """The signature of one file of one course."""
    message = f"{course_id}\n{path}".encode("utf-8", "surrogatepass")
    return hmac.new(_key(secret), message, hashlib.sha256).hexdigest()[:32]


def signed(secret: bytes, url_path: str) -> str:
    """A `/media/<course>/<file>` address with its signature (other addresses unchanged)."""
    if not url_path.startswith(PREFIX) or "?" in url_path:
        return url_path
    course_id, _, path = url_path.removeprefix(PREFIX).partition("/")
    return f"{url_path}?{PARAM}={quote(signature(secret, course_id, path))}"


def valid(secret: bytes, course_id: str, path: str, given: str) -> bool:
    """Whether `given` is the signature of this file of this course."""
    return bool(given) and same_secret(given, signature(secret, course_id, path))


def sign_media(messages: Sequence[T], secret: bytes, restricted: Collection[str]) -> list[T]:
    """The messages with the media addresses of restricted courses signed (the others are
    open to all and keep their plain, cacheable address)."""
    return [
        dataclasses.replace(m, url_path=signed(secret, m.url_path))
        if isinstance(m, Show) and _course_of(m.url_path) in restricted
        else m
        for m in messages
    ]


def _course_of(url_path: str) -> str | None:
    """The course of a media address, None for any other address."""
    if not url_path.startswith(PREFIX):
        return None
    return url_path.removeprefix(PREFIX).partition("/")[0]


# --- the web chat's files: signed and expiring ----------------------------------------------
# A file the bot sent a web learner (bot/storage/web_files.py) is served at
# `/files/<token>/<name>?e=<expiry>&k=<signature>`: the signature covers the token and the
# expiry, so a link stops opening at its time on every worker, and one changed by hand opens
# nothing. Unlike a course's media, the file is one person's: the link expires.

FILES_PREFIX = "/files/"


def _file_key(secret: bytes) -> bytes:
    return hmac.new(secret, b"imaginecole web files", hashlib.sha256).digest()


def file_signature(secret: bytes, token: str, expires: int) -> str:
    """The signature of one file's link until `expires` (Unix seconds)."""
    message = f"{token}\n{expires}".encode()
    return hmac.new(_file_key(secret), message, hashlib.sha256).hexdigest()[:32]


def file_link(secret: bytes, token: str, filename: str, expires: int) -> str:
    """The signed address of a file (the name is for people and downloads; not signed)."""
    name = quote(filename, safe="") or "file"
    sig = file_signature(secret, token, expires)
    return f"{FILES_PREFIX}{token}/{name}?e={expires}&{PARAM}={sig}"


def file_link_valid(secret: bytes, token: str, expires: str, given: str, now: float) -> bool:
    """Whether a file link is genuine and not yet expired."""
    if not expires.isdigit() or int(expires) <= now or len(expires) > 12:
        return False
    return bool(given) and same_secret(given, file_signature(secret, token, int(expires)))
