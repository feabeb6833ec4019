"""Pseudonyms for logs: a stable, keyed hash instead of a learner's raw platform id."""

from __future__ import annotations

import hashlib
import hmac

from dialogs.events import UserRef


def pseudonym(user: UserRef, secret: bytes) -> str:
    """12 hex characters of HMAC-SHA256(secret, channel NUL external_id)."""
    message = f"{user.channel}\x00{user.external_id}".encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()[:12]
