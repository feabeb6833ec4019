"""Open HTTP connections, bounded: how many in all, how many per address, and how long
a request's headers may take.

aiohttp reads a request's headers for as long as the client keeps the connection open, and
accepts every connection the kernel hands it: a thousand idle sockets, or a thousand
clients sending one header byte every few seconds ("slowloris"), used up the process's
file descriptors, and `/healthz` and the Telegram webhook stopped answering. Here:

- a connection beyond `max_total` open ones, or beyond `max_per_address` from one address,
  is closed at once, before anything is read (an attacker's idle sockets leave room for
  everyone else; 0 means no cap; a trusted reverse proxy's connections, TRUSTED_PROXIES,
  count only in the total: bot/addresses.py);
- a request's headers must be complete `header_timeout` seconds after their first byte (the
  first request's: after the connection opened), or the connection is closed; the body
  and a WebSocket, once upgraded, are not concerned (the body limits are bot/limits.py's);
- an idle keep-alive connection is closed after the runner's `keepalive_timeout`.

Refusals are counted (`/metrics`, channel "http") and logged without the address.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, cast

from aiohttp import web
from aiohttp.web_protocol import RequestHandler

from bot import metrics
from bot.addresses import TrustedProxies, holder
from bot.config import Settings
from bot.flood import FloodLimit
from bot.web.chat import WebLimits

log = logging.getLogger("imaginecole.connections")


@dataclass(frozen=True)
class ConnectionLimits:
    """The caps and the header deadline (0 turns a cap or the deadline off)."""

    max_total: int = 4096
    max_per_address: int = 256
    header_timeout: float = 10.0
    trusted: TrustedProxies = field(default_factory=TrustedProxies)  # capped in the total only


class ConnectionGuard:
    """Counts the open connections, in all and per address."""

    def __init__(self, limits: ConnectionLimits) -> None:
        self.limits = limits
        self.total = 0
        self.by_address: Counter[str] = Counter()
        self.refused = 0

    def admit(self, address: str, proxy: bool = False) -> bool:
        """Take a place for a new connection from `address` (a trusted `proxy`'s count only in
        the total), or refuse it."""
        limits = self.limits
        if limits.max_total and self.total >= limits.max_total:
            return self._refuse("total")
        per_address = limits.max_per_address and not proxy
        if per_address and self.by_address[address] >= limits.max_per_address:
            return self._refuse("address")
        self.total += 1
        self.by_address[address] += 1
        return True

    def release(self, address: str) -> None:
        """Give back the place of a connection that closed."""
        self.total -= 1
        self.by_address[address] -= 1
        if self.by_address[address] <= 0:
            del self.by_address[address]

    def _refuse(self, cap: str) -> bool:
        self.refused += 1
        metrics.rejected("http", f"connections_{cap}")
        log.warning("connection refused: too many open (%s cap) open=%d", cap, self.total)
        return False


class GuardedHandler(RequestHandler):
    """aiohttp's connection handler, admitted by the guard and held to the header deadline."""

    def __init__(self, manager: web.Server, guard: ConnectionGuard, **kwargs: Any) -> None:
        super().__init__(manager, **kwargs)
        self._guard = guard
        self._address: str | None = None  # set once admitted
        self._deadline: asyncio.TimerHandle | None = None
        self._counted = 0  # requests whose headers were complete when the deadline started

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        """Refuse beyond the caps (closed at once), else serve with the header deadline."""
        peer = transport.get_extra_info("peername")
        ip = str(peer[0]) if isinstance(peer, tuple) and peer else "?"
        address = holder(ip)
        if not self._guard.admit(address, proxy=ip in self._guard.limits.trusted):
            cast(asyncio.Transport, transport).abort()
            return
        self._address = address
        super().connection_made(transport)
        self._start_deadline()

    def connection_lost(self, exc: BaseException | None) -> None:
        """Give the place back (a refused connection never took one)."""
        if self._address is None:
            return
        self._guard.release(self._address)
        self._address = None
        self._stop_deadline()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        """Feed the parser; headers completed stop the deadline, a new request starts it."""
        if self._address is None:
            return
        idle = not self._request_in_progress and not self._messages and not self._upgraded
        if self._deadline is None and idle:
            self._start_deadline()  # the first byte of the next request's headers
        super().data_received(data)
        if self._request_count != self._counted or self._upgraded:
            self._stop_deadline()

    def _start_deadline(self) -> None:
        timeout = self._guard.limits.header_timeout
        if timeout > 0:
            self._counted = self._request_count
            self._deadline = self._loop.call_later(timeout, self._headers_late)

    def _stop_deadline(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _headers_late(self) -> None:
        """The deadline passed: close unless the headers came meanwhile."""
        self._deadline = None
        if self._request_count != self._counted or self._request_in_progress or self._upgraded:
            return
        metrics.rejected("http", "header_timeout")
        log.info("connection closed: request headers not complete in time")
        self.force_close()
        if self.transport is not None:
            self.transport.abort()


class GuardedSite(web.TCPSite):
    """A TCP site whose connections go through a `ConnectionGuard`."""

    def __init__(self, runner: web.BaseRunner, guard: ConnectionGuard, *args: Any, **kw: Any):
        super().__init__(runner, *args, **kw)
        self.guard = guard

    async def start(self) -> None:
        """Listen like `web.TCPSite.start`, with guarded handlers as the protocol factory."""
        await web.BaseSite.start(self)  # registers the site with its runner
        server = self._runner.server
        assert server is not None
        guard = self.guard
        kwargs = dict(server._kwargs)  # the runner's handler arguments (keepalive_timeout...)

        def guarded() -> RequestHandler:
            return GuardedHandler(server, guard, loop=server._loop, **kwargs)

        self._server = await asyncio.get_running_loop().create_server(
            guarded,
            self._host,
            self._port,
            ssl=self._ssl_context,
            backlog=self._backlog,
            reuse_address=self._reuse_address,
            reuse_port=self._reuse_port,
        )
        sockets = self._server.sockets
        self._bound_port = sockets[0].getsockname()[1] if sockets else self._port


# Descriptors kept for the database, files, outgoing HTTP, logs, and the burst the event loop
# accepts (up to its listen backlog, 128) before the connection guard closes the extras.
DESCRIPTOR_RESERVE = 320


def raise_descriptor_limit() -> int:
    """Raise this process's open-file limit to what the system allows; the limit now.

    The usual soft limit (1,024) is what the attack exhausted; the hard limit is often far
    above. When it cannot be raised, the connection caps are lowered to fit under it.
    """
    try:
        import resource
    except ImportError:  # pragma: no cover - not on POSIX
        return 0
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY:
        return 0
    wanted = max(soft, hard if hard != resource.RLIM_INFINITY else 65536)
    if wanted <= soft:  # the hard limit is the soft one: say what it allows
        log.log(
            logging.WARNING if soft < 4096 + DESCRIPTOR_RESERVE else logging.INFO,
            "open-file limit is %d and cannot be raised (its hard limit): at most %d"
            " connections (raise it with `ulimit -n` or LimitNOFILE= to serve more)",
            soft,
            max(soft - DESCRIPTOR_RESERVE, 0),
        )
        return int(soft)
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
    except (ValueError, OSError) as error:
        log.warning("open-file limit stays at %d (could not raise it: %s)", soft, error)
        return int(soft)
    log.info("open-file limit raised from %d to %d", soft, wanted)
    return int(wanted)


def connection_limits(settings: Settings, descriptors: int) -> ConnectionLimits:
    """The settings' caps, the total kept under the descriptor limit (0: unknown)."""
    total = settings.max_connections
    if descriptors > DESCRIPTOR_RESERVE:
        room = descriptors - DESCRIPTOR_RESERVE
        if total > room:
            log.warning("connection cap lowered to %d to fit the open-file limit", room)
            total = room
        elif total == 0:  # no cap set: the descriptors are the cap
            log.info("connections capped at %d by the open-file limit", room)
            total = room
    return ConnectionLimits(
        total,
        settings.max_connections_per_address,
        settings.header_timeout,
        TrustedProxies(settings.trusted_proxies),
    )


def web_limits(settings: Settings) -> WebLimits:
    """The web chat's limits from the settings."""
    return WebLimits(
        hello_timeout=settings.web_hello_timeout,
        sockets_per_address=settings.web_sockets_per_address,
        per_connection=FloodLimit.parse(settings.flood_limit),
        per_address=FloodLimit.parse(settings.web_address_flood_limit),
        trusted=TrustedProxies(settings.trusted_proxies),
        file_hours=settings.web_file_hours,
    )
