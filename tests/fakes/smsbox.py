"""A fake Kannel smsbox: a real aiohttp server on 127.0.0.1 answering `/cgi-bin/sendsms` as
smsbox does (202 "0: Accepted for delivery", 403 for a wrong user or password), recording
each text by recipient. Tests can make the next sends fail (`fail_next`).
"""

from __future__ import annotations

from collections import defaultdict
from types import TracebackType

from aiohttp import web

USER, PASSWORD = "bot", "sendsms-password"


class FakeSmsbox:
    """Records sendsms calls: `sent(to)` are the queries, `texts(to)` their texts."""

    def __init__(self) -> None:
        self.calls: dict[str, list[dict[str, str]]] = defaultdict(list)
        self.failures: list[int] = []  # HTTP statuses of the next sends
        self._runner: web.AppRunner | None = None
        self.url = ""

    async def __aenter__(self) -> FakeSmsbox:
        app = web.Application()
        app.router.add_get("/cgi-bin/sendsms", self._sendsms)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.url = f"http://127.0.0.1:{port}"
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def fail_next(self, *statuses: int) -> None:
        """The next sends are refused with these HTTP statuses, in order."""
        self.failures.extend(statuses)

    def sent(self, to: str) -> list[dict[str, str]]:
        """Every sendsms query to `to`, in order."""
        return self.calls[to]

    def texts(self, to: str) -> list[str]:
        """Every text sent to `to`, in order."""
        return [call["text"] for call in self.calls[to]]

    async def _sendsms(self, request: web.Request) -> web.Response:
        query = dict(request.query)
        if query.get("username") != USER or query.get("password") != PASSWORD:
            return web.Response(status=403, text="Authorization failed for sendsms")
        if self.failures:
            status = self.failures.pop(0)
            return web.Response(status=status, text="3: Queued for later delivery")
        if not query.get("to") or "text" not in query:
            return web.Response(status=400, text="Missing receiver number, rejected")
        self.calls[query["to"]].append(query)
        return web.Response(status=202, text="0: Accepted for delivery")
