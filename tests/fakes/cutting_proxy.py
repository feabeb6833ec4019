"""A TCP proxy on a local port that forwards to another and cuts connections on demand: the
school's intermittent link (a phone's hotspot that comes and goes) in tests.

Each new connection takes the next rule of `cuts`, then passes whole once they are used up:
- `Cut("request", n)`: forward `n` bytes from the client, then close both sides (the server
  never gets the request whole);
- `Cut("response", n)`: forward the request whole, and `n` bytes of the answer, then close
  (the server did its work, the client never learns it);
- `Cut("refuse")`: close at once (nothing reaches the server).
`down = True` refuses every connection until it is set back.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Cut:
    """How one connection is cut."""

    where: str  # "request", "response" or "refuse"
    after: int = 0  # bytes forwarded first


@dataclass
class CuttingProxy:
    """Forwards 127.0.0.1:<port> to 127.0.0.1:<target>, cutting as told."""

    target: int
    cuts: list[Cut] = field(default_factory=list)
    down: bool = False
    port: int = 0
    connections: int = 0  # connections accepted
    cut: int = 0  # connections cut
    _server: asyncio.Server | None = None
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._connection, "127.0.0.1", 0)
        self.port = int(self._server.sockets[0].getsockname()[1])

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
        for task in list(self._tasks):
            task.cancel()
        for task in list(self._tasks):
            with suppress(asyncio.CancelledError, Exception):
                await task

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        self.connections += 1
        rule = Cut("refuse") if self.down else (self.cuts.pop(0) if self.cuts else None)
        try:
            if rule is not None and rule.where == "refuse":
                self.cut += 1
                return
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target)
            try:
                request = rule.after if rule is not None and rule.where == "request" else None
                response = rule.after if rule is not None and rule.where == "response" else None
                pumps = [
                    asyncio.create_task(self._pump(reader, up_writer, request)),
                    asyncio.create_task(self._pump(up_reader, writer, response)),
                ]
                _, pending = await asyncio.wait(pumps, return_when=asyncio.FIRST_COMPLETED)
                if rule is not None:
                    self.cut += 1
                for pump in pending:
                    pump.cancel()
            finally:
                up_writer.close()
        finally:
            writer.close()
            self._tasks.discard(task)

    async def _pump(
        self, source: asyncio.StreamReader, sink: asyncio.StreamWriter, limit: int | None
    ) -> None:
        """Copy until the source ends, or `limit` bytes."""
        sent = 0
        while limit is None or sent < limit:
            chunk = await source.read(65536 if limit is None else min(65536, limit - sent))
            if not chunk:
                return
            sink.write(chunk)
            await sink.drain()
            sent += len(chunk)


@asynccontextmanager
async def cutting_proxy(target: int, *cuts: Cut) -> AsyncIterator[CuttingProxy]:
    """A running proxy to `target`, stopped afterwards."""
    proxy = CuttingProxy(target, list(cuts))
    await proxy.start()
    try:
        yield proxy
    finally:
        await proxy.stop()
