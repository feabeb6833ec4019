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
