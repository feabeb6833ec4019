"""How much the HTTP server reads: request bodies refused before they are read whole.

Every route has a body limit: the webhooks theirs (sized to the platform's largest legitimate
body, with room to spare), every other route a small one (none of them takes a body). A
body announced larger than its route's limit (Content-Length) is answered 413 before the
handler runs; a body without Content-Length (chunked) is read in pieces only as far as the
limit, then refused with 413. Nothing is parsed, checked or stored in either case.

The sizes:
- a Telegram update is one message (4,096 characters of text, or a 1,024-character caption)
  with its entities, possibly quoting the message it replies to: about 120 KB of JSON at the
  very worst (every character an escaped emoji). 1 MiB leaves eight times that.
- Meta batches WhatsApp notifications (up to 1,000 changes per POST for busy numbers:
  statuses of a broadcast are about 1 KB each, a message up to about 25 KB). 3 MiB holds a
  full batch of statuses three times over; a refused body is retried by Meta, so the limit
  errs on the large side.
- a body must arrive whole within 30 seconds of its headers (408 otherwise): the webhooks'
  senders are servers, and a body trickled in would hold a connection for as long as its
  sender likes (the headers have their own deadline, bot/connections.py).
- web chat frames: 64 KiB (a learner's message is a few hundred bytes); a bigger frame
  closes the WebSocket with 1009 (aiohttp's `max_msg_size`). A file from the page (up to
  5 MiB, bot/inbound_files.py) comes announced, then in binary frames of 32 KiB, taken only
  up to the announced size (bot/web/uploads.py): the frame limit stays what it is.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

from aiohttp import web

from bot import metrics
from bot.channels import NAMES

KIB = 1024
MIB = 1024 * KIB
TELEGRAM_BODY = 1 * MIB
WHATSAPP_BODY = 3 * MIB
WEB_FRAME = 64 * KIB
DEFAULT_BODY = 64 * KIB  # routes that take no body (pages, API GETs, health checks)
# Seconds a body may take after its headers: the bodies come from Telegram's and Meta's
# servers, a few megabytes at most; a client trickling one in only holds a connection.
BODY_TIMEOUT = 30.0

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
H = TypeVar("H")


def accepts_body(limit: int) -> Callable[[H], H]:
    """Mark a handler as taking a body of up to `limit` bytes (read with `read_bounded`)."""

    def mark(handler: H) -> H:
        setattr(handler, "body_limit", limit)  # noqa: B010 - an attribute on a function
        return handler

    return mark


def body_limit(handler: object) -> int:
    """The body limit of a route's handler (bound methods see their function's mark)."""
    limit = getattr(handler, "body_limit", DEFAULT_BODY)
    return limit if isinstance(limit, int) else DEFAULT_BODY


def too_large(limit: int, actual: int = 0) -> web.HTTPRequestEntityTooLarge:
    """The 413 answer (aiohttp then discards what the client still sends, for a while)."""
    return web.HTTPRequestEntityTooLarge(max_size=limit, actual_size=actual)


async def read_bounded(request: web.Request, limit: int, within: float = BODY_TIMEOUT) -> bytes:
    """The body, read in pieces and refused (413) as soon as it grows past `limit`, or
    (408) when it has not come whole `within` seconds after the headers."""
    announced = request.content_length
    if announced is not None and announced > limit:
        raise too_large(limit, announced)
    body = bytearray()
    try:
        async with asyncio.timeout(within):
            async for chunk in request.content.iter_any():
                body += chunk
                if len(body) > limit:
                    raise too_large(limit, len(body))
    except TimeoutError:
        raise web.HTTPRequestTimeout() from None
    return bytes(body)


@web.middleware
async def refuse_oversized(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Answer 413 to a body announced larger than its route takes, before the route runs."""
    route_handler = request.match_info.handler
    limit = body_limit(route_handler)
    announced = request.content_length
    if announced is not None and announced > limit:
        channel = next((c for c in NAMES if c in request.path), "http")  # its webhook's path
        metrics.rejected(channel, "oversized")
        raise too_large(limit, announced)
    return await handler(request)
