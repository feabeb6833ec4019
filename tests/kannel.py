"""Real Kannel processes for the SMS tests and benchmark: bearerbox, smsbox and Kannel's own
fake SMSC (`fakesmsc`, package kannel-extras), configured in a folder of their own on free
ports. Learners' messages are typed into fakesmsc ("from to text ..." lines on its stdin);
what the SMSC receives is read from its output ("Got message N: <from to text ...>"), parts of
concatenated messages joined again, texts cut at their newlines (fakesmsc's line protocol)
put back together.

`require_kannel()` skips a test when Kannel is not installed (fails when
IMAGINECOLE_REQUIRE_CONFORMANCE=1, as in CI); `./scripts/test` installs it.
"""

from __future__ import annotations

import asyncio
import os
import re
import socket
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from urllib.parse import unquote_to_bytes

import pytest

from tests.conformance import REQUIRE_ENV

BEARERBOX = Path("/usr/sbin/bearerbox")
SMSBOX = Path("/usr/sbin/smsbox")
FAKESMSC = Path("/usr/lib/kannel/test/fakesmsc")
USER, PASSWORD = "imaginecole", "kannel-sendsms-password"
GOT = re.compile(r"Got message \d+: <(.*)>$")
HEADED = re.compile(r"^(\S+) (\S+) (text|data|ucs-2|udh) (.*)$", re.DOTALL)


def require_kannel() -> None:
    """Skip (or fail in CI) when Kannel's bearerbox, smsbox or fakesmsc is missing."""
    missing = [str(path) for path in (BEARERBOX, SMSBOX, FAKESMSC) if not path.exists()]
    if not missing:
        return
    reason = (
        f"Kannel is not installed ({', '.join(missing)} missing): "
        "apt-get install kannel kannel-extras (./scripts/test does)"
    )
    if os.environ.get(REQUIRE_ENV):
        pytest.fail(reason)
    pytest.skip(reason)


def free_port() -> int:
    """A TCP port nobody listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def listening(port: int, within: float = 15.0) -> None:
    """Wait until something accepts connections on the port."""
    deadline = time.monotonic() + within
    while True:
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            if time.monotonic() > deadline:
                raise TimeoutError(f"nothing listens on {port}") from None
            await asyncio.sleep(0.05)
            continue
        writer.close()
        return


def config(folder: Path, ports: dict[str, int], get_url: str, throughput: float = 0) -> str:
    """kannel.conf for bearerbox, its fake SMSC, smsbox, the bot's sendsms user and the
    get-url service (deploy/kannel.conf is the production sample)."""
    smsc_throughput = f"throughput = {throughput}\n" if throughput else ""
    return f"""group = core
admin-port = {ports["admin"]}
admin-password = kannel-admin
admin-allow-ip = "127.0.0.1"
smsbox-port = {ports["smsbox"]}
box-allow-ip = "127.0.0.1"
log-file = "{folder}/bearerbox.log"
log-level = 2
dlr-storage = internal

group = smsc
smsc = fake
smsc-id = fake
port = {ports["smsc"]}
connect-allow-ip = "127.0.0.1"
{smsc_throughput}
group = smsbox
bearerbox-host = 127.0.0.1
bearerbox-port = {ports["smsbox"]}
sendsms-port = {ports["sendsms"]}
sendsms-interface = 127.0.0.1
log-file = "{folder}/smsbox.log"
log-level = 2
mo-recode = true

group = sendsms-user
username = {USER}
password = {PASSWORD}
concatenation = true
max-messages = 3

group = sms-service
keyword = default
catch-all = true
get-url = "{get_url}"
max-messages = 0
concatenation = true
"""


class Kannel:
    """bearerbox + smsbox + fakesmsc, started in `folder`; the SMSC's messages by number."""

    def __init__(self, folder: Path, get_url: str, throughput: float = 0) -> None:
        self.folder = folder
        self.ports = {name: free_port() for name in ("admin", "smsbox", "smsc", "sendsms")}
        self.get_url = get_url
        self.throughput = throughput
        self.received: dict[str, list[str]] = defaultdict(list)  # MT texts by recipient
        self.count = 0  # MT messages (parts) the SMSC got
        self._parts: dict[tuple[str, int], dict[int, bytes]] = {}
        self._last: tuple[str, int] | None = None  # the text a line without header continues
        self._processes: list[asyncio.subprocess.Process] = []
        self._reader: asyncio.Task[None] | None = None
        self._smsc: asyncio.subprocess.Process | None = None

    @property
    def sendsms_url(self) -> str:
        return f"http://127.0.0.1:{self.ports['sendsms']}"

    async def start(self) -> None:
        """Start the three processes, each once the previous one listens."""
        conf = self.folder / "kannel.conf"
        conf.write_text(config(self.folder, self.ports, self.get_url, self.throughput))
        await self._run(BEARERBOX, str(conf))
        await listening(self.ports["smsc"])
        await listening(self.ports["smsbox"])
        await self._run(SMSBOX, str(conf))
        await listening(self.ports["sendsms"])
        self._smsc = await self._run(
            FAKESMSC, "-H", "127.0.0.1", "-r", str(self.ports["smsc"]), stdin=True
        )
        assert self._smsc.stdout is not None
        self._reader = asyncio.get_running_loop().create_task(self._read(self._smsc.stdout))
        await asyncio.sleep(0.3)  # fakesmsc connected to bearerbox

    async def _run(
        self, program: Path, *args: str, stdin: bool = False
    ) -> asyncio.subprocess.Process:
        log = (self.folder / f"{program.name}.out").open("wb")
        process = await asyncio.create_subprocess_exec(
            str(program),
            *args,
            stdin=asyncio.subprocess.PIPE if stdin else asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE if stdin else log,
            stderr=asyncio.subprocess.STDOUT if stdin else log,
            cwd=self.folder,
        )
        self._processes.append(process)
        return process

    async def stop(self) -> None:
        """Stop fakesmsc, smsbox, then bearerbox (each of ours, by its process)."""
        for process in reversed(self._processes):
            if process.returncode is None:
                process.terminate()
                try:
                    await asyncio.wait_for(process.wait(), 10)
                except TimeoutError:
                    process.kill()
                    await process.wait()
        if self._reader is not None:
            self._reader.cancel()

    async def mo(self, sender: str, receiver: str, text: str) -> None:
        """A learner's text reaches the SMSC (one line: no newline in it)."""
        assert self._smsc is not None and self._smsc.stdin is not None
        assert "\n" not in text
        self._smsc.stdin.write(f"{sender} {receiver} text {text}\n".encode())
        await self._smsc.stdin.drain()

    async def wait_for(
        self, to: str, done: Callable[[list[str]], bool], since: int = 0, within: float = 20
    ) -> list[str]:
        """The texts `to` got after the first `since`, once `done` says they are all there."""
        deadline = time.monotonic() + within
        while not done(self.received[to][since:]):
            if time.monotonic() > deadline:
                raise AssertionError(f"still waiting; got {self.received[to][since:]}")
            await asyncio.sleep(0.02)
        return self.received[to][since:]

    async def _read(self, stream: asyncio.StreamReader) -> None:
        while line := await stream.readline():
            found = GOT.search(line.decode("utf-8", "replace").rstrip("\n"))
            if found:
                self._got(found[1])

    def _got(self, message: str) -> None:
        """One message the SMSC got (or the continuation of a text's line)."""
        headed = HEADED.match(message)
        if headed is None:  # a text's next line
            if self._last is not None:
                to, index = self._last
                self.received[to][index] += "\n" + message
            return
        self.count += 1
        _, to, kind, rest = headed.groups()
        if kind == "text":
            self.received[to].append(rest)
            self._last = (to, len(self.received[to]) - 1)
            return
        self._last = None
        if kind == "ucs-2":
            self.received[to].append(_unquoted(rest).decode("utf-16-be"))
            return
        udh, _, data = rest.partition(" ")
        header = _unquoted(udh)
        ref, total, seq = header[3], header[4], header[5]
        _, _, payload = data.partition(" ")  # "data": GSM-7 as UTF-8, or UCS-2
        parts = self._parts.setdefault((to, ref), {})
        parts[seq] = _unquoted(payload)
        if len(parts) == total:
            del self._parts[(to, ref)]
            raw = b"".join(parts[i] for i in sorted(parts))
            self.received[to].append(_decoded(raw))


def _unquoted(data: str) -> bytes:
    """fakesmsc's url-encoded bytes ("+" is a space)."""
    return unquote_to_bytes(data.replace("+", " "))


def _decoded(raw: bytes) -> str:
    """A concatenated message's bytes as text: UTF-8 (what was GSM-7), or UTF-16 (UCS-2),
    which control characters betray."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("utf-16-be")
    if any(ord(c) < 32 and c not in "\n\r" for c in text):
        return raw.decode("utf-16-be")
    return text
