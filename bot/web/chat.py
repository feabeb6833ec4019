"""The web chat's WebSocket: frames in, events through the conversations, frames out."""

from __future__ import annotations

import json
import logging
import re
from collections import defaultdict
from dataclasses import replace
from typing import Any

from aiohttp import WSMsgType, web

from bot.conversations import Conversations, Outcome
from bot.limits import WEB_FRAME
from bot.storage.channels import ChannelStore
from bot.web.frames import to_frames
from dialogs.events import Incoming, OptionChosen, OptionsChosen, Resumed, TextReceived, UserRef
from dialogs.messages import Out, Say

log = logging.getLogger("imaginecole.web")

UID = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
MESSAGE_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")
MAX_FRAME = WEB_FRAME  # a bigger frame closes the socket with 1009 (message too big)


class WebChat:
    """Serves learners connected through the web page; several tabs of one learner share it."""

    def __init__(self, conversations: Conversations) -> None:
        self.conversations = conversations
        self.sockets: dict[str, set[web.WebSocketResponse]] = defaultdict(set)

    async def websocket(self, request: web.Request) -> web.WebSocketResponse:
        """One browser tab's connection."""
        ws = web.WebSocketResponse(heartbeat=30, max_msg_size=MAX_FRAME)
        await ws.prepare(request)
        uid: str | None = None
        try:
            async for message in ws:
                if message.type is WSMsgType.TEXT:
                    uid = await self._on_frame(ws, uid, message.data)
        except ConnectionResetError:  # the tab went away while we answered it
            log.info("web chat tab closed while answering")
        finally:
            if uid is not None:
                self.sockets[uid].discard(ws)
                if not self.sockets[uid]:
                    del self.sockets[uid]
        return ws

    async def _on_frame(self, ws: web.WebSocketResponse, uid: str | None, raw: str) -> str | None:
        """Handle one frame; returns the learner's id once they said hello."""
        try:
            frame = json.loads(raw)
        except ValueError:
            frame = None
        if not isinstance(frame, dict):
            await ws.send_json({"type": "error", "text": "bad frame"})
            return uid
        if frame.get("type") == "hello" and UID.match(str(frame.get("uid", ""))):
            uid = str(frame["uid"])
            self.sockets[uid].add(ws)
            hello = Resumed(UserRef("web", uid), "hello")
            await self.conversations.handle(hello, None, self._with_held)
            return uid
        event = _event(uid, frame) if uid else None
        if event is None:
            await ws.send_json({"type": "error", "text": "bad frame"})
            return uid
        await self.conversations.handle(event, f"web:{uid}:{event.message_id}", self.send)
        await ws.send_json({"type": "ack", "id": event.message_id})  # handled (or a duplicate)
        return uid

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
