"""Hostile WebSocket frames against the real /ws endpoint of the real bot: text that is not
JSON, binary frames, JSON of the wrong shape or types, unknown kinds, huge strings, replayed
ids, taps on real and forged options. Every frame gets a reply, an "error" frame or (past the
size limit) a closed socket; nothing is logged at ERROR, and no state is corrupted."""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from hypothesis import given
from hypothesis import strategies as st

from bot.web.chat import MAX_FRAME
from tests.fuzz.strategies import JSON, pick
from tests.fuzz.support import LiveBot, fuzz, table_counts

_sentinels = itertools.count(1)
CLOSING = (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSING, aiohttp.WSMsgType.CLOSED)
KINDS = st.sampled_from(
    ["text", "option", "options", "hello", "ack", "say", "file", "upload", "", "TEXT", None]
)
IDS = st.one_of(
    st.sampled_from(["m1", "m2", "replayed", "a.b:c-d_e"]),  # replayed ids
    st.from_regex(r"\A[A-Za-z0-9_.:-]{1,64}\Z"),
    st.text(max_size=70),
    JSON,
)
UIDS = st.one_of(st.from_regex(r"\A[A-Za-z0-9_-]{16,64}\Z"), st.text(max_size=80), JSON)


@dataclass(repr=False)
class Socket:
    """A hostile tab: a WebSocket that remembers the last question it was asked."""

    bot: LiveBot
    uid: str
    ws: aiohttp.ClientWebSocketResponse | None = None
    asked: dict[str, Any] = field(default_factory=dict)

    def __repr__(self) -> str:
        return f"Socket({self.uid!r})"

    async def open(self) -> None:
        url = f"http://127.0.0.1:{self.bot.app.port}/ws"
        self.ws = await self.bot.http.ws_connect(url, max_msg_size=0)
        await self.ws.send_json({"type": "hello", "uid": self.uid})
        await self.settle()

    async def settle(self) -> list[dict[str, Any]] | None:
        """Send a frame that does nothing but be acknowledged (blank text), and read every
        frame up to its ack: the server handles one socket's frames in order, so all that the
        frames before it caused has arrived. None when the server closed the socket."""
        assert self.ws is not None
        sentinel = f"sentinel-{next(_sentinels)}"
        try:
            await self.ws.send_json({"type": "text", "text": " ", "id": sentinel})
        except ConnectionError:  # the server is closing the socket
            await self.close()
            return None
        frames: list[dict[str, Any]] = []
        while True:
            message = await self.ws.receive(timeout=10)
            if message.type in CLOSING:
                await self.close()
                return None
            assert message.type is aiohttp.WSMsgType.TEXT, message
            frame = json.loads(message.data)
            assert isinstance(frame, dict) and isinstance(frame.get("type"), str), frame
            if frame == {"type": "ack", "id": sentinel}:
                return frames
            if frame["type"] in ("ask", "quiz"):
                self.asked = frame
            frames.append(frame)

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()
            self.ws = None


@st.composite
def frames(draw: st.DrawFn, socket: Socket) -> str | bytes:
    """One frame as sent on the wire: text, bytes, or JSON of any shape."""
    shape = draw(
        st.sampled_from(["tap", "tap", "frame", "frame", "json", "text", "binary", "huge"])
    )
    if shape == "text":
        return draw(st.text(max_size=200))
    if shape == "binary":
        return draw(st.binary(max_size=200))
    if shape == "json":
        return json.dumps(draw(JSON))
    if shape == "huge":
        size = draw(st.sampled_from([2_001, 10_000, MAX_FRAME - 100, MAX_FRAME + 10]))
        return json.dumps({"type": "text", "id": draw(IDS), "text": "é" * (size // 2)})
    frame: dict[str, Any] = {}
    asked = socket.asked
    offered = [o["id"] for o in [*asked.get("options", []), *asked.get("extra", [])]]
    option = pick(draw, offered, "menu")
    several = [pick(draw, offered, "x") for _ in range(draw(st.integers(0, 4)))]
    if shape == "tap":
        frame = {"type": "option", "prompt": asked.get("prompt", 0), "option": option}
        if draw(st.booleans()):
            frame = {"type": "options", "prompt": asked.get("prompt", 0), "options": several}
        frame["id"] = draw(IDS)
        return json.dumps(frame)
    frame["type"] = draw(KINDS | JSON)
    for key, values in (
        ("id", IDS),
        ("text", st.text(max_size=100) | JSON),
        ("prompt", st.integers() | JSON),
        ("option", st.text(max_size=40) | JSON),
        ("options", st.lists(st.text(max_size=40) | JSON, max_size=25) | JSON),
        ("uid", UIDS),
        ("upload", IDS),
        ("file", st.text(max_size=80) | JSON),
        ("kind", st.sampled_from(["photo", "voice", "audio", "document", "video"]) | JSON),
        ("name", st.text(max_size=300) | JSON),
        ("mime", st.text(max_size=120) | JSON),
        ("size", st.integers() | JSON),
        (draw(st.text(max_size=8)), JSON),
    ):
        if draw(st.booleans()):
            frame[key] = draw(values)
    return json.dumps(frame)


def test_hostile_frames_are_answered_or_refused_cleanly(live: LiveBot) -> None:
    before = live.harness.run(table_counts(live.engine))
    sockets = [Socket(live, live.web.uid), Socket(live, "fuzz-web-learner-0001")]
    for socket in sockets:
        live.harness.run(socket.open())
    live.harness.defer(lambda: _close_all(sockets))

    @fuzz(live.harness.examples(60))
    @given(data=st.data())
    def example(data: st.DataObject) -> None:
        socket = sockets[data.draw(st.integers(0, len(sockets) - 1), label="socket")]
        if socket.ws is None:  # refused a huge frame earlier
            live.harness.run(socket.open())
        for _ in range(data.draw(st.integers(1, 3))):
            raw = data.draw(frames(socket))
            assert socket.ws is not None
            if isinstance(raw, bytes):
                live.harness.run(socket.ws.send_bytes(raw))
            else:
                live.harness.run(socket.ws.send_str(raw))
            if live.harness.run(socket.settle()) is None:  # only a frame past the limit
                assert len(raw.encode() if isinstance(raw, str) else raw) > MAX_FRAME
                break
        live.check(before)

    example()


async def _close_all(sockets: list[Socket]) -> None:
    for socket in sockets:
        await socket.close()
