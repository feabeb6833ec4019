"""USSD callback latency at N concurrent sessions: the real bot against a bare aiohttp handler.

    python bench/ussd_callbacks.py [--sessions 200] [--seconds 20] [--warmup 5]

Each variant is served by its own process (this script with `--serve VARIANT`), on
127.0.0.1, and loaded by N phones from this process, each a closed loop: dial, then press a
key as soon as the screen comes ("0" where a page follows, else "1": onboarding, the menu,
a course, a lesson's pages, a quiz's answers...), and every 15 presses the session "times
out" and the phone dials again (the resume offer). Only callbacks completed in the measured
window count.

* `full`: the real `BotApp` with USSD on, on a fresh SQLite file (the embedded default).
* `bare`: an aiohttp handler on the same route that parses the form and answers `CON`:
  the floor of HTTP and form parsing on this machine, measured in the same run.

Prints, per variant, callbacks per second, p50 and p99 (ms) and errors, then the ratio of the
full bot's p99 to the bare handler's.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

# Run as a script, this folder comes first on sys.path (bench/content.py would shadow the
# real `content`): drop it.
if sys.path and Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
    sys.path.pop(0)
if str(Path(__file__).resolve().parent.parent) not in sys.path:  # bench.processes
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import aiohttp
from aiohttp import web

from bench.processes import serve_until_stopped, started

SECRET = "bench-ussd-token"
CODE = "*384*1#"
PRESSES = 15  # key presses before the session times out and the phone dials again


async def serve(variant: str, workdir: Path) -> None:
    """Serve one variant until stdin closes; print READY <port>."""
    if variant == "full":
        from bot.app import BotApp
        from bot.config import Settings

        app = BotApp(
            Settings(
                database_url=f"sqlite:///{workdir / 'bench.db'}",
                web_host="127.0.0.1",
                web_port=0,
                pseudonym_secret=b"bench",
                ussd_secret=SECRET,
                max_connections_per_address=0,
                flood_limit="off",
            )
        )
        await app.start()
        port, stop = app.port, app.stop
    else:

        async def callback(request: web.Request) -> web.Response:
            form = await request.post()
            if request.match_info["token"] != SECRET or "sessionId" not in form:
                raise web.HTTPForbidden()
            return web.Response(text="CON Bonjour\n1. Suite", content_type="text/plain")

        bare = web.Application()
        bare.router.add_post("/ussd/{token}", callback)
        runner = web.AppRunner(bare, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port, stop = site._server.sockets[0].getsockname()[1], runner.cleanup  # type: ignore[union-attr]
    await serve_until_stopped(str(port), stop)


class Phone:
    def __init__(self, number: int) -> None:
        self.number = f"+22177{number:07d}"
        self.dials = 0
        self.session = ""
        self.inputs: list[str] = []
        self.screen = ""

    def next_text(self) -> str:
        if not self.session or len(self.inputs) >= PRESSES:
            self.dials += 1
            self.session = f"{self.number}-{self.dials}"
            self.inputs = []
            return ""
        self.inputs.append("0" if "\n0. " in self.screen else "1")
        return "*".join(self.inputs)


async def load(port: int, sessions: int, warmup: float, seconds: float) -> tuple[list[float], int]:
    url = f"http://127.0.0.1:{port}/ussd/{SECRET}"
    latencies: list[float] = []
    errors = 0
    start = time.perf_counter()
    window = (start + warmup, start + warmup + seconds)

    async def phone_loop(phone: Phone, http: aiohttp.ClientSession) -> None:
        nonlocal errors
        while time.perf_counter() < window[1]:
            form = {"sessionId": phone.session, "serviceCode": CODE, "phoneNumber": phone.number}
            form["text"] = phone.next_text()
            form["sessionId"] = phone.session
            sent = time.perf_counter()
            try:
                async with http.post(url, data=form) as response:
                    body = await response.text()
                    ok = response.status == 200 and body.startswith(("CON ", "END "))
            except (aiohttp.ClientError, TimeoutError):
                ok, body = False, ""
            done = time.perf_counter()
            phone.screen = body[4:]
            if window[0] <= sent and done <= window[1]:
                latencies.append(done - sent)
                errors += not ok

    connector = aiohttp.TCPConnector(limit=0)
    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as http:
        await asyncio.gather(*(phone_loop(Phone(n), http) for n in range(sessions)))
    return latencies, errors


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else float("nan")


async def run(variant: str, args: argparse.Namespace) -> float:
    with tempfile.TemporaryDirectory() as workdir:
        command = (sys.executable, __file__, "--serve", variant, "--workdir", workdir)
        async with started(command, Path(workdir), stop_limit=20) as found:
            latencies, errors = await load(found.port, args.sessions, args.warmup, args.seconds)
    p50, p99 = percentile(latencies, 0.5) * 1000, percentile(latencies, 0.99) * 1000
    rate = len(latencies) / args.seconds
    print(
        f"{variant:5} {args.sessions} sessions  {rate:7.1f} callbacks/s  "
        f"p50 {p50:8.1f} ms  p99 {p99:8.1f} ms  errors {errors}",
        flush=True,
    )
    return p99


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sessions", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--warmup", type=float, default=5.0)
    parser.add_argument("--serve", choices=("full", "bare"))
    parser.add_argument("--workdir", type=Path, default=Path("."))
    args = parser.parse_args()
    if args.serve:
        await serve(args.serve, args.workdir)
        return
    bare = await run("bare", args)
    full = await run("full", args)
    print(f"p99 full / bare: {full / bare:.1f}x")


if __name__ == "__main__":
    asyncio.run(main())
