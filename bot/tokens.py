"""Comparing a secret someone sent with the one expected, whatever bytes they sent.

`hmac.compare_digest` refuses a `str` with non-ASCII characters (TypeError), and `str.encode()`
refuses the lone surrogates aiohttp makes of header bytes that are not UTF-8: both turned a
forged header into a 500 with a traceback. Both sides are compared as bytes, encoded so that
no string can fail (`surrogatepass`); a wrong value is simply not the same.
"""

from __future__ import annotations

import hmac


def as_bytes(value: str | bytes) -> bytes:
    """The bytes of a header value or a secret; never raises."""
    if isinstance(value, bytes):
        return value
    return value.encode("utf-8", "surrogatepass")


def same_secret(given: str | bytes, expected: str | bytes) -> bool:
    """Whether `given` is `expected`, in constant time; an empty secret matches nothing."""
    wanted = as_bytes(expected)
    return bool(wanted) and hmac.compare_digest(as_bytes(given), wanted)
