"""The web chat's WebSocket: frames in, events through the conversations, frames out."""

from __future__ import annotations

import asyncio
import functools
import itertools
import logging
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from typing import Any

from aiohttp import WSCloseCode, WSMsgType, web

from bot import metrics, safe_json
from bot.addresses import TrustedProxies, origin, set_page_origin
from bot.conversations import Conversations, Outcome
from bot.dead_letters import Parking
from bot.flood import FloodGuard, FloodLimit, Verdict, notice_text
from bot.limits import WEB_FRAME
from bot.storage.channels import ChannelStore
from bot.web.files import FileLinks
from bot.web.frames import to_frames
from dialogs.events import Incoming, OptionChosen, OptionsChosen, Resumed, TextReceived, UserRef
from dialogs.messages import Out, Say

log = logging.getLogger("imaginecole.web")

UID = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
MESSAGE_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")
MAX_FRAME = WEB_FRAME  # a bigger frame closes the socket with 1009 (message too big)
ENDED = (WSMsgType.CLOSE, WSMsgType.CLOSING, WSMsgType.CLOSED, WSMsgType.ERROR)


@dataclass(frozen=True)
class WebLimits:
    """What one socket and one address may use (0 or None: no limit).

    A socket must say hello within `hello_timeout` seconds or is closed; an address keeps at
    most `sockets_per_address` sockets open (more are answered 429); the frames of one socket
    go through `per_connection` (a tab is one person: the FLOOD_LIMIT) and those of one
    address through `per_address`, whatever uid they claim, so a script inventing a uid per
    connection is held back all the same.
    """

    hello_timeout: float = 10.0
    sockets_per_address: int = 64
    per_connection: FloodLimit | None = None
    per_address: FloodLimit | None = None
    trusted: TrustedProxies = field(default_factory=TrustedProxies)  # whose X-Forwarded-For
    file_hours: float = 48.0  # how long the links to the files sent keep opening


class WebChat:
    """Serves learners connected through the web page; several tabs of one learner share it."""

    # The time budget and attempts of a frame (bot/dead_letters.py); None: no budget.
    parking: Parking | None = None

    def __init__(self, conversations: Conversations, limits: WebLimits | None = None) -> None:
        self.conversations = conversations
        self.limits = limits or WebLimits()
        self.sockets: dict[str, set[web.WebSocketResponse]] = defaultdict(set)
        self.open_by_address: Counter[str] = Counter()
        self._per_connection = _guard(self.limits.per_connection)
        self._per_address = _guard(self.limits.per_address)
        self._numbers = itertools.count(1)

    @functools.cached_property
    def files(self) -> FileLinks:
        """Documents go as signed, expiring links to the files kept (bot/web/files.py)."""
        conversations = self.conversations
        return FileLinks(conversations.store, conversations.secret, self.limits.file_hours)

    async def file(self, request: web.Request) -> web.StreamResponse:
        """One file the bot sent, behind its signed link (`/files/...`)."""
        return await self.files.serve(request)

    async def websocket(self, request: web.Request) -> web.StreamResponse:
        """One browser tab's connection."""
        address = self.limits.trusted.client(request.remote or "?", request.headers)
        # Links sent to this tab use the address it opened the page with (no PUBLIC_URL).
        peer, trusted = request.remote or "?", self.limits.trusted
        set_page_origin(origin(trusted, peer, request.headers, request.scheme, request.host))
        cap = self.limits.sockets_per_address
        if cap and self.open_by_address[address] >= cap:
            metrics.rejected("web", "sockets")
            log.warning("web chat socket refused: too many open from one address")
            raise web.HTTPTooManyRequests()
        ws = web.WebSocketResponse(heartbeat=30, max_msg_size=MAX_FRAME)
        await ws.prepare(request)
        self.open_by_address[address] += 1
        uid: str | None = None
        socket = _Socket(ws, address, next(self._numbers))
        try:
            uid = await self._serve(socket)
        except ConnectionResetError:  # the tab went away while we answered it
            log.info("web chat tab closed while answering")
        finally:
            self.open_by_address[address] -= 1
            if self.open_by_address[address] <= 0:
                del self.open_by_address[address]
            known = uid or socket.uid
            if known is not None:
                self._forget(known, ws)
        return ws

    def _forget(self, uid: str, ws: web.WebSocketResponse) -> None:
        """The tab no longer reads for this learner."""
        tabs = self.sockets.get(uid)
        if tabs is not None:
            tabs.discard(ws)
            if not tabs:
                del self.sockets[uid]

    async def _serve(self, socket: _Socket) -> str | None:
        """Read frames until the tab goes; a socket silent past the hello deadline is closed."""
        ws = socket.ws
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.limits.hello_timeout if self.limits.hello_timeout else None
        while True:
            waiting = None if socket.uid or deadline is None else deadline - loop.time()
            try:
                message = await ws.receive(None if waiting is None else max(waiting, 0.001))
            except TimeoutError:
                metrics.rejected("web", "no_hello")
                log.info("web chat socket closed: no hello in time")
                await ws.close(code=WSCloseCode.POLICY_VIOLATION, message=b"hello expected")
                return socket.uid
            if message.type in ENDED:
                return socket.uid
            if message.type is WSMsgType.TEXT and await self._admitted(socket):
                socket.uid = await self._on_frame(ws, socket.uid, message.data)

    async def _admitted(self, socket: _Socket) -> bool:
        """Whether the socket's and the address's frame limits let this frame through."""
        verdicts = [
            guard.check(UserRef("web", key))
            for guard, key in (
                (self._per_connection, f"socket:{socket.number}"),
                (self._per_address, f"address:{socket.address}"),
            )
            if guard is not None
        ]
        if all(verdict is Verdict.ADMIT for verdict in verdicts):
            return True
        if not socket.warned:  # once per socket: the notice itself must not flood
            socket.warned = True
            metrics.rejected("web", "flood")
            log.info("web chat frames dropped: flood limit of a socket or an address")
            t = self.conversations.i18n.translator(None)
            await socket.ws.send_json(
                {"type": "error", "code": "flood", "text": notice_text(t.gettext)}
            )
        return False

    async def _on_frame(self, ws: web.WebSocketResponse, uid: str | None, raw: str) -> str | None:
        """Handle one frame; returns the learner's id once they said hello."""
        try:
            frame = safe_json.loads(raw)
        except safe_json.TooDeep:
            await ws.send_json({"type": "error", "code": "nested", "text": "bad frame: too deep"})
            return uid
        except ValueError:
            frame = None
        if not isinstance(frame, dict):
            await ws.send_json({"type": "error", "text": "bad frame"})
            return uid
        if frame.get("type") == "hello" and UID.match(str(frame.get("uid", ""))):
            if uid is not None and uid != frame["uid"]:
                self._forget(uid, ws)  # the tab speaks for another learner now
            uid = str(frame["uid"])
            self.sockets[uid].add(ws)
            hello = Resumed(UserRef("web", uid), "hello")
            await self.conversations.handle(hello, None, self._with_held)
            return uid
        event = _event(uid, frame) if uid else None
        if event is None:
            await ws.send_json({"type": "error", "text": "bad frame"})
            return uid
        if not await self._handled(event, f"web:{uid}:{event.message_id}", raw):
            return uid  # not acknowledged: the page sends it again once it reconnects
        await ws.send_json({"type": "ack", "id": event.message_id})  # handled (or a duplicate)
        return uid

    async def _handled(self, event: Incoming, key: str, raw: str) -> bool:
        """Handle a learner's frame within its budget: whether to acknowledge it (handled, or
        parked once its attempts are spent, so the page stops sending it again)."""
        if self.parking is None:
            await self.conversations.handle(event, key, self.send)
            return True
        try:
            await self.parking.budget.run(self.conversations.handle(event, key, self.send))
        except Exception as error:
            return await self.parking.failed("web", key, event.user.external_id, raw, error)
        return True

    async def send(self, outcome: Outcome) -> None:
        """Push a reply to every open tab of the learner."""
        frames = to_frames(outcome.messages, outcome.lang, outcome.rtl)
        frames = await self.files.linked(outcome, frames)  # documents: links, not bytes
        for ws in list(self.sockets.get(outcome.user.external_id, ())):
            if ws.closed:
                continue
            try:
                for frame in frames:
                    await ws.send_json(frame)
            except ConnectionResetError:  # a tab closing: the learner's other tabs still read
                log.info("web chat tab closed while sending")

    async def _with_held(self, outcome: Outcome) -> None:
        """The reply to a hello, led by what waited for the learner (teachers' circles);
        what waited is forgotten once pushed (a crash meanwhile keeps it)."""
        if outcome.user_id is None:
            await self.send(outcome)
            return
        channels = ChannelStore(self.conversations.store)
        held = await channels.held(outcome.user_id)
        texts = [str((payload.get("text") or {}).get("body", "")) for _, payload in held]
        said: list[Out] = [Say(text) for text in texts if text]
        await self.send(replace(outcome, messages=said + outcome.messages))
        await channels.forget_held([held_id for held_id, _ in held])


@dataclass
class _Socket:
    """One open tab: its socket, address, number (its flood key) and learner once known."""

    ws: web.WebSocketResponse
    address: str
    number: int
    uid: str | None = None
    warned: bool = False


def _guard(limit: FloodLimit | None) -> FloodGuard | None:
    """A flood guard for the limit, None when there is none."""
    return FloodGuard(limit) if limit is not None else None


def _event(uid: str, frame: dict[str, Any]) -> Incoming | None:
    """A learner's frame as an event, or None when it is malformed."""
    message_id = str(frame.get("id", ""))
    if not MESSAGE_ID.match(message_id):
        return None
    user = UserRef("web", uid)
    kind = frame.get("type")
    if kind == "text" and isinstance(frame.get("text"), str):
        return TextReceived(user, message_id, frame["text"])
    prompt = frame.get("prompt")
    if not isinstance(prompt, int):
        return None
    if kind == "option" and isinstance(frame.get("option"), str):
        return OptionChosen(user, message_id, prompt, frame["option"][:32])
    options = frame.get("options")
    if kind == "options" and isinstance(options, list) and len(options) <= 20:
        return OptionsChosen(user, message_id, prompt, tuple(str(o)[:32] for o in options))
    return None
