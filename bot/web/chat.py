"""The web chat's WebSocket: frames in, events through the conversations, frames out."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import itertools
import logging
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from aiohttp import WSCloseCode, WSMsgType, web

from bot import metrics, safe_json
from bot.addresses import TrustedProxies, origin, set_page_origin
from bot.attachments import Attachments, from_web
from bot.channel import Route
from bot.channels import WEB
from bot.conversations import Conversations, Outcome
from bot.dead_letters import Parking
from bot.flood import FloodGuard, FloodLimit, Verdict, notice_text
from bot.inbound_files import Fetch
from bot.limits import WEB_FRAME
from bot.sender import Deliver, Spawn
from bot.storage.web_files import WebFiles
from bot.storage.web_inbox import WebInbox
from bot.web.files import FileLinks
from bot.web.frames import Frame, to_frames
from bot.web.push import LivePush, files_route, web_deliverer
from bot.web.uploads import (
    CHUNK,
    KINDS,
    Receiving,
    Uploads,
    clean_name,
    limit_of,
    type_refused,
)
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
from dialogs.flows.authoring_files import KEEPS_FILES, TAKES_FILES

log = logging.getLogger("imaginecole.web")

UID = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
MESSAGE_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")
MAX_FRAME = WEB_FRAME  # a bigger frame closes the socket with 1009 (message too big)
ENDED = (WSMsgType.CLOSE, WSMsgType.CLOSING, WSMsgType.CLOSED, WSMsgType.ERROR)
CLOSE_WAIT = 2.0  # seconds a closing tab has to answer the close, at shutdown
WEB_PACE = 200.0  # web inbox rows written per second by the sender (a database write each)


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
    """Serves learners connected through the web page; several tabs of one learner share it.

    The web chat channel of bot/channel.py."""

    name = "web"
    capabilities = WEB
    pace = WEB_PACE
    # The time budget and attempts of a frame (bot/dead_letters.py); None: no budget.
    parking: Parking | None = None
    # Announcement files, fetched from the channel they were sent on (bot/attachments.py).
    announcement_files: Attachments | None = None
    spawn: Spawn | None = None  # how start() runs the inbox's push loop (the Supervisor)

    def __init__(self, conversations: Conversations, limits: WebLimits | None = None) -> None:
        self.conversations = conversations
        self.limits = limits or WebLimits()
        self.sockets: dict[str, set[web.WebSocketResponse]] = defaultdict(set)
        self.open_by_address: Counter[str] = Counter()
        self._per_connection = _guard(self.limits.per_connection)
        self._per_address = _guard(self.limits.per_address)
        self._numbers = itertools.count(1)
        # What the bot writes first (bot/web/push.py): the inbox, pushed to the open tabs.
        store: Any = getattr(conversations, "store", None)  # None: serving pages only (tests)
        self.inbox = WebInbox(store)
        self.live = LivePush(self.inbox)
        self.live.attach(self.push_frames)
        self.user_ids: dict[str, int] = {}  # web uid -> user id, of the tabs open here
        self.closing = False
        # Files sent from the page, waiting for their frame (in the database when there is one).
        self.uploads = Uploads(None if store is None else WebFiles(store, self.name))

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
        if self.closing:  # the server is stopping: the page comes back to the next one
            raise web.HTTPServiceUnavailable()
        ws = web.WebSocketResponse(heartbeat=30, max_msg_size=MAX_FRAME, timeout=CLOSE_WAIT)
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
            if socket.receiving is not None:
                self.uploads.abandon(socket.receiving)
        return ws

    def _forget(self, uid: str, ws: web.WebSocketResponse) -> None:
        """The tab no longer reads for this learner."""
        tabs = self.sockets.get(uid)
        if tabs is not None:
            tabs.discard(ws)
            if not tabs:
                del self.sockets[uid]
                self.user_ids.pop(uid, None)
                self.live.closed(uid)

    def routes(self) -> list[Route]:
        """The page's socket, the documents sent, the announcements' files."""
        routes: list[Route] = [
            ("GET", "/ws", self.websocket),
            ("GET", "/files/{token}/{name}", self.file),  # documents sent (web chat)
        ]
        if self.announcement_files is not None:
            store, secret = self.conversations.store, self.conversations.secret
            routes.append(files_route(store, self.announcement_files, secret))
        return routes

    async def start(self) -> None:
        """The web chat serves once the HTTP server listens; the inbox rows of the tabs open
        here are pushed by a loop of their own."""
        if self.spawn is not None:
            self.spawn("web_push", self.live.forever)

    async def leaving(self) -> None:
        """Tell the tabs first: they show "reconnecting" at once."""
        await self.close_all()

    async def stop(self) -> None:
        """The sockets were closed by `closing`."""

    def deliverer(self) -> Deliver:
        """Announcements go into the learner's inbox: a database write, no platform."""
        conversations = self.conversations
        return web_deliverer(self.inbox, conversations.i18n, conversations.secret, self.live.wake)

    async def fetch(self, file_id: str, limit: int) -> tuple[bytes, str, str]:
        """A file a page sent, kept in the database by whichever worker took it in (a web
        teacher's photo in a circle, a web admin's announcement file)."""
        return await from_web(WebFiles(self.conversations.store), file_id)

    async def close_all(self) -> None:
        """The server stops: tell every tab (it shows "reconnecting" and comes back to the
        next server, sending again what was not acknowledged), then close its socket as going
        away. What a tab sent and was not acknowledged is sent again by the page."""
        self.closing = True
        tabs = [ws for group in self.sockets.values() for ws in group if not ws.closed]
        for ws in tabs:
            with contextlib.suppress(ConnectionResetError, RuntimeError):
                await ws.send_json({"type": "bye"})
        await asyncio.gather(
            *(ws.close(code=WSCloseCode.GOING_AWAY, message=b"restarting") for ws in tabs),
            return_exceptions=True,
        )
        if tabs:
            log.info("web chat tabs told and closed: %d", len(tabs))

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
            elif message.type is WSMsgType.BINARY:
                await self._on_chunk(socket, message.data)

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
            lang, country = (None, None)
            if socket.uid is not None:  # in the learner's language once the tab is theirs
                lang, country = await self.conversations.store.language_of(
                    UserRef("web", socket.uid)
                )
            t = self.conversations.i18n.translator(lang, country)
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
            hello = Resumed(UserRef("web", uid), "hello")
            await self.conversations.handle(hello, None, self._with_waiting)
            return uid
        if frame.get("type") == "received" and uid is not None:
            await self._received(uid, frame.get("ids"))
            return uid
        if uid and _too_long(frame):
            await self._refuse_long(ws, uid, frame)
            return uid
        if uid and socket is not None and frame.get("type") == "upload":
            await self._announced(socket, uid, frame)
            return uid
        event = _event(uid, frame) if uid else None
        if event is None or uid is None:
            await ws.send_json({"type": "error", "text": "bad frame"})
            return uid
        fetch = None
        if isinstance(event, MediaReceived):
            fetch = self._fetch_for(uid)
            if event.file_id:  # the file this learner sent, as kept (else none)
                size = await self.uploads.kept_size(uid, event.file_id)
                kept = {"file_id": "", "size": event.size} if size is None else {"size": size}
                event = replace(event, **kept)
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
        except ConnectionResetError:  # the tab went away: its reply waits for its next visit
            raise
        except Exception as error:
            return await self.parking.failed("web", key, event.user.external_id, raw, error)
        return True

    async def send(self, outcome: Outcome) -> None:
        """Push a reply to every open tab of the learner."""
        frames = to_frames(outcome.messages, outcome.lang, outcome.rtl)
        frames = await self.files.linked(outcome, frames)  # documents: links, not bytes
        uid = outcome.user.external_id
        reader = _reader(outcome)
        if reader is not None and uid in self.sockets and self.user_ids.get(uid) != reader:
            # A newcomer just stored, or another profile of a shared computer now in use:
            # what waits for that profile follows (and only it reads from here on).
            newcomer = uid not in self.user_ids
            self.user_ids[uid] = reader
            self.live.closed(uid)
            rows = [] if newcomer else await self.inbox.waiting(reader)
            self.live.opened(reader, uid, rows)
            frames += [{**row.frame, "inbox": row.id} for row in rows]
        if not await self.push_frames(uid, frames) and frames:
            # No tab took it (the phone's tab went away while the turn ran): the reply stays
            # among the pending ones, and the learner's next visit gets it first.
            raise ConnectionResetError("no tab of the learner took the reply")

    async def push_frames(self, uid: str, frames: list[Frame]) -> int:
        """Send frames to every open tab of a learner; how many tabs took them."""
        took = 0
        for ws in list(self.sockets.get(uid, ())):
            if ws.closed:
                continue
            try:
                for frame in frames:
                    await ws.send_json(frame)
                took += 1
            except ConnectionResetError:  # a tab closing: the learner's other tabs still read
                log.info("web chat tab closed while sending")
        return took

    async def _with_waiting(self, outcome: Outcome) -> None:
        """The reply to a hello, led by what waits in the learner's inbox, oldest first (each
        frame with its inbox id: the tab acknowledges it, and shows it once)."""
        if outcome.user_id is None:
            await self.send(outcome)
            return
        uid, reader = outcome.user.external_id, _reader(outcome) or outcome.user_id
        self.user_ids[uid] = reader
        rows = await self.inbox.waiting(reader)
        self.live.opened(reader, uid, rows)
        frames = to_frames(outcome.messages, outcome.lang, outcome.rtl)
        frames = await self.files.linked(outcome, frames)  # documents: links, not bytes
        waiting = [{**row.frame, "inbox": row.id} for row in rows]
        await self.push_frames(uid, frames[:1] + waiting + _not_repeating(frames[1:], waiting))

    async def _received(self, uid: str, ids: Any) -> None:
        """A tab has these inbox messages: delivered, never sent again."""
        user_id = self.user_ids.get(uid)
        if user_id is None or not isinstance(ids, list):
            return
        wanted = [i for i in ids[:500] if isinstance(i, int) and not isinstance(i, bool)]
        await self.inbox.delivered(user_id, wanted, datetime.now(UTC))

    # ---------- files and long texts sent from the page (bot/web/uploads.py) ----------

    async def _announced(self, socket: _Socket, uid: str, frame: dict[str, Any]) -> None:
        """`{"type": "upload", "upload", "kind", "name", "mime", "size"}`: a file the tab
        is about to send in binary frames. Refused before a byte travels when its kind or type
        is not taken, the learner's step takes no file, or its size passes the limit."""
        upload = str(frame.get("upload", ""))
        if not MESSAGE_ID.match(upload):
            await socket.ws.send_json({"type": "error", "text": "bad frame"})
            return
        if socket.receiving is not None:  # one file at a time: the one before is dropped
            self.uploads.abandon(socket.receiving)
            socket.receiving = None
        kind, mime = str(frame.get("kind", "")), str(frame.get("mime", ""))[:100]
        size = frame.get("size")
        name = clean_name(str(frame.get("name", ""))[:200], kind, mime)
        refusal = await self._refusal(uid, kind, mime, name, size)
        if refusal is not None:
            metrics.rejected("web", f"upload_{refusal['code']}")
            await socket.ws.send_json({"type": "upload", "upload": upload, **refusal})
            return
        assert isinstance(size, int)
        socket.receiving = self.uploads.receive(uid, upload, kind, name, mime, size)
        await socket.ws.send_json({"type": "upload", "upload": upload, "chunk": CHUNK})

    async def _refusal(
        self, uid: str, kind: str, mime: str, name: str, size: object
    ) -> dict[str, Any] | None:
        """Why an announced file is not taken (a code for the page), or None."""
        if type_refused(kind, mime) or not isinstance(size, int) or size <= 0:
            return {"code": "type"}
        step = await self.conversations.store.step_of(UserRef("web", uid))
        if step not in TAKES_FILES and step not in KEEPS_FILES:
            return {"code": "not_here"}
        limit = limit_of(kind, name)
        if size > limit:
            return {"code": "too_large", "limit": limit}
        if not await self.uploads.room_for(uid, size):
            return {"code": "busy"}
        return None

    async def _on_chunk(self, socket: _Socket, chunk: bytes) -> None:
        """A piece of the announced file; the file kept once whole, or refused."""
        receiving = socket.receiving
        if receiving is None:  # nothing announced: not ours to keep
            metrics.rejected("web", "stray_chunk")
            return
        answer: dict[str, Any] = {"type": "upload", "upload": receiving.upload}
        if receiving.dropped:  # it stopped coming for too long
            socket.receiving = None
            await socket.ws.send_json({**answer, "code": "lost"})
            return
        if len(receiving.data) + len(chunk) > receiving.size or len(chunk) > CHUNK:
            socket.receiving = None
            self.uploads.abandon(receiving)
            metrics.rejected("web", "upload_too_large")
            await socket.ws.send_json({**answer, "code": "too_large", "limit": receiving.limit})
            return
        receiving.data += chunk
        if len(receiving.data) < receiving.size:
            return
        socket.receiving = None
        kept = await self.uploads.keep(receiving)
        if kept is None:
            metrics.rejected("web", "upload_type")
            await socket.ws.send_json({**answer, "code": "type"})
            return
        log.info("web chat file received kind=%s bytes=%d", receiving.kind, kept.size)
        await socket.ws.send_json(
            {**answer, "file": kept.key, "name": kept.name, "mime": kept.mime, "size": kept.size}
        )

    def _fetch_for(self, uid: str) -> Fetch:
        """How the conversation fetches this learner's uploads (bot/inbound_files.py)."""

        async def fetch(key: str, limit: int) -> tuple[bytes, str, str]:
            return await self.uploads.fetch(uid, key, limit)

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


@dataclass
class _Socket:
    """One open tab: its socket, address, number (its flood key) and learner once known."""

    ws: web.WebSocketResponse
    address: str
    number: int
    uid: str | None = None
    warned: bool = False
    receiving: Receiving | None = None  # the file it is sending (bot/web/uploads.py)


def _not_repeating(shown: list[Frame], waited: list[Frame]) -> list[Frame]:
    """The page shown again at a hello, without what repeats a message that waited: a circle
    page's last messages include the post its inbox just delivered (the tab showed the page
    before, and shows again only what changed). The question stays: it is what to answer."""
    news = [text for frame in waited if (text := _text(frame))]
    return [
        frame
        for frame in shown
        if frame.get("type") in ("ask", "quiz") or not any(n in _text(frame) for n in news)
    ]


def _text(frame: Frame) -> str:
    """A frame's words: a text's, or a medium's or a document's caption."""
    return str(frame.get("text") or frame.get("caption") or "")


def _reader(outcome: Outcome) -> int | None:
    """Whose inbox a tab reads: the profile in use on a shared computer, else the learner."""
    return outcome.profile_id if outcome.profile_id is not None else outcome.user_id


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
