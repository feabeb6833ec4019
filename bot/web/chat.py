"""The web chat's WebSocket: frames in, events through the conversations, frames out."""

from __future__ import annotations

import asyncio
import itertools
import logging
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import unquote

from aiohttp import WSCloseCode, WSMsgType, web

from bot import metrics, safe_json
from bot.addresses import TrustedProxies
from bot.conversations import Conversations, Outcome
from bot.dead_letters import Parking
from bot.flood import FloodGuard, FloodLimit, Verdict, notice_text
from bot.inbound_files import STEP_FILE_LIMIT, Fetch
from bot.limits import WEB_FRAME, accepts_body, read_bounded
from bot.storage.channels import ChannelStore
from bot.web.frames import to_frames
from bot.web.remux import NotOpusWebm, is_webm, webm_to_ogg
from bot.web.uploads import KINDS, Uploads, clean_name, content_refused, limit_of, type_refused
from dialogs.engine import MAX_TEXT
from dialogs.events import (
    Incoming,
    MediaReceived,
    OptionChosen,
    OptionsChosen,
    Resumed,
    TextReceived,
    UserRef,
)
from dialogs.flows.authoring_files import TAKES_FILES
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
        self.uploads = Uploads()  # files sent from the page, waiting for their frame
        self.tokens: dict[str, _Socket] = {}  # a tab's upload token -> its socket

    async def websocket(self, request: web.Request) -> web.StreamResponse:
        """One browser tab's connection."""
        address = self.limits.trusted.client(request.remote or "?", request.headers)
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
            if socket.token is not None and self.tokens.get(socket.token) is socket:
                del self.tokens[socket.token]
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
                socket.uid = await self._on_frame(ws, socket.uid, message.data, socket)

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

    async def _on_frame(
        self, ws: web.WebSocketResponse, uid: str | None, raw: str, socket: _Socket | None = None
    ) -> str | None:
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
            if socket is not None:
                self._take_token(socket, uid, frame.get("token"))
            hello = Resumed(UserRef("web", uid), "hello")
            await self.conversations.handle(hello, None, self._with_held)
            return uid
        if uid and _too_long(frame):
            await self._refuse_long(ws, uid, frame)
            return uid
        event = _event(uid, frame) if uid else None
        if event is None or uid is None:
            await ws.send_json({"type": "error", "text": "bad frame"})
            return uid
        fetch = self._fetch_for(uid) if isinstance(event, MediaReceived) else None
        if not await self._handled(event, f"web:{uid}:{event.message_id}", raw, fetch):
            return uid  # not acknowledged: the page sends it again once it reconnects
        await ws.send_json({"type": "ack", "id": event.message_id})  # handled (or a duplicate)
        return uid

    async def _handled(
        self, event: Incoming, key: str, raw: str, fetch: Fetch | None = None
    ) -> bool:
        """Handle a learner's frame within its budget: whether to acknowledge it (handled, or
        parked once its attempts are spent, so the page stops sending it again)."""
        if self.parking is None:
            await self.conversations.handle(event, key, self.send, fetch)
            return True
        try:
            await self.parking.budget.run(self.conversations.handle(event, key, self.send, fetch))
        except Exception as error:
            return await self.parking.failed("web", key, event.user.external_id, raw, error)
        return True

    async def send(self, outcome: Outcome) -> None:
        """Push a reply to every open tab of the learner."""
        frames = to_frames(outcome.messages, outcome.lang, outcome.rtl)
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

    # ---------- files and long texts sent from the page (bot/web/uploads.py) ----------

    def _take_token(self, socket: _Socket, uid: str, token: object) -> None:
        """Bind the tab's upload token (from its hello) to this socket and learner."""
        if socket.token is not None and self.tokens.get(socket.token) is socket:
            del self.tokens[socket.token]
        socket.token = None
        if isinstance(token, str) and UID.match(token) and token not in self.tokens:
            socket.token = token
            self.tokens[token] = socket
        socket.uid = uid

    async def upload_check(self, request: web.Request) -> web.StreamResponse:
        """GET /upload?kind=&type=&name=&size=: whether that file would be taken, before the
        page spends the learner's data sending it (the same checks as the POST's)."""
        size = request.query.get("size", "")
        checked = await self._checked(
            request,
            request.query.get("type", ""),
            request.query.get("name", ""),
            int(size) if size.isdecimal() and len(size) < 16 else 0,
        )
        if isinstance(checked, web.Response):
            return checked
        return web.json_response({"limit": checked[2]})

    @accepts_body(STEP_FILE_LIMIT)
    async def upload(self, request: web.Request) -> web.StreamResponse:
        """POST /upload: a file from the page, kept until its frame names it (or refused)."""
        mime = request.content_type
        name = _header_name(request.headers.get("X-File-Name", ""))
        checked = await self._checked(request, mime, name, request.content_length or 0)
        if isinstance(checked, web.Response):
            return checked
        uid, name, limit = checked
        kind = request.query.get("kind", "")
        try:
            data = await read_bounded(request, limit)
        except web.HTTPRequestEntityTooLarge:
            return _refused("web_upload_size", 413, "too_large", limit=limit)
        if content_refused(kind, data):
            return _refused("web_upload_type", 415, "type")
        if kind == "voice" and is_webm(data):  # older Chromium records nothing else
            try:
                data = await asyncio.to_thread(webm_to_ogg, data)
            except NotOpusWebm:
                return _refused("web_upload_type", 415, "type")
            name, mime = f"{PurePosixPath(name).stem}.ogg", "audio/ogg"
        key = self.uploads.put(uid, kind, name, mime, data)
        log.info("web chat file received kind=%s bytes=%d", kind, len(data))
        return web.json_response({"file": key, "size": len(data), "name": name, "mime": mime})

    async def _checked(
        self, request: web.Request, mime: str, raw_name: str, size: int
    ) -> web.Response | tuple[str, str, int]:
        """(uid, file name, limit) of an upload the learner's tab, step, kind, type and
        announced size allow; else the refusal. Nothing of the body is read here."""
        uid = request.headers.get("X-Imaginecole-Uid", "")
        socket = self.tokens.get(request.headers.get("X-Imaginecole-Token", ""))
        if socket is None or socket.uid != uid or socket.ws.closed:
            return _refused("web_upload_unknown", 403, "unknown")
        if not await self._admitted(socket):
            return _refused("web_upload_flood", 429, "flood")
        kind = request.query.get("kind", "")
        if type_refused(kind, mime):
            return _refused("web_upload_type", 415, "type")
        if await self.conversations.store.step_of(UserRef("web", uid)) not in TAKES_FILES:
            return _refused("web_upload_step", 409, "not_here")
        name = clean_name(raw_name, kind, mime)
        limit = limit_of(kind, name)
        if size > limit:
            return _refused("web_upload_size", 413, "too_large", limit=limit)
        return uid, name, limit

    def _fetch_for(self, uid: str) -> Fetch:
        """How the conversation fetches this learner's uploads (bot/inbound_files.py)."""

        async def fetch(key: str, limit: int) -> tuple[bytes, str, str]:
            return self.uploads.take(uid, key, limit)

        return fetch

    async def _refuse_long(
        self, ws: web.WebSocketResponse, uid: str, frame: dict[str, Any]
    ) -> None:
        """A text over the limit: not handled, not cut; the page is told (and may stop
        sending it again)."""
        metrics.rejected("web", "too_long")
        lang, country = await self.conversations.store.language_of(UserRef("web", uid))
        t = self.conversations.i18n.translator(lang, country)
        text = t.gettext(
            "Ce message est trop long (%(n)s caractères, %(max)s au plus) : il n'a pas été "
            "envoyé. Raccourcissez-le ou envoyez-le en plusieurs fois."
        ) % {"n": t.number(len(frame["text"])), "max": t.number(MAX_TEXT)}
        await ws.send_json({"type": "error", "code": "too_long", "text": text})
        message_id = str(frame.get("id", ""))
        if MESSAGE_ID.match(message_id):
            await ws.send_json({"type": "ack", "id": message_id})


def _too_long(frame: dict[str, Any]) -> bool:
    """A text frame longer than a message may be (dialogs/engine.py MAX_TEXT)."""
    text = frame.get("text")
    return frame.get("type") == "text" and isinstance(text, str) and len(text) > MAX_TEXT


def _refused(reason: str, status: int, code: str, **extra: int) -> web.Response:
    """An upload's refusal: counted, and a code the page turns into words."""
    metrics.rejected("web", reason)
    return web.json_response({"code": code, **extra}, status=status)


def _header_name(raw: str) -> str:
    """A file name sent percent-encoded in a header (headers are Latin-1)."""
    try:
        return unquote(raw, errors="strict")
    except UnicodeDecodeError:
        return ""


@dataclass
class _Socket:
    """One open tab: its socket, address, number (its flood key) and learner once known."""

    ws: web.WebSocketResponse
    address: str
    number: int
    uid: str | None = None
    warned: bool = False
    token: str | None = None  # what its uploads name it by (bot/web/uploads.py)


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
    if kind == "file":
        return _media(user, message_id, frame)
    prompt = frame.get("prompt")
    if not isinstance(prompt, int):
        return None
    if kind == "option" and isinstance(frame.get("option"), str):
        return OptionChosen(user, message_id, prompt, frame["option"][:32])
    options = frame.get("options")
    if kind == "options" and isinstance(options, list) and len(options) <= 20:
        return OptionsChosen(user, message_id, prompt, tuple(str(o)[:32] for o in options))
    return None


def _media(user: UserRef, message_id: str, frame: dict[str, Any]) -> MediaReceived:
    """A file frame: the upload it names (none when the upload was refused: the step then
    answers as on any channel, "too large" or "not here"), its kind, name, type and size."""
    kind = str(frame.get("kind", ""))
    size = frame.get("size")
    file_id = frame.get("file")
    return MediaReceived(
        user,
        message_id,
        kind if kind in KINDS else "other",
        file_id=file_id if isinstance(file_id, str) and len(file_id) <= 64 else "",
        filename=clean_name(str(frame.get("name", ""))[:200], kind, ""),
        mime=str(frame.get("mime", ""))[:100],
        size=size if isinstance(size, int) and 0 <= size < 2**40 else 0,
    )
