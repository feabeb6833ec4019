"""A fake Telegram Bot API: a real aiohttp server on 127.0.0.1 that records what bots send.

Point a bot at it with ``base_url=f"{api.url}/bot"``. Answers are shaped like Telegram's
(``{"ok": true, "result": ...}`` with proper ``Message`` objects) and, unless ``strict=False``,
a few of Telegram's refusals are reproduced (empty or too long text, callback data over 64
bytes, editing a message that does not exist or would not change), so tests catch them here.
With ``rate_limit=N``, Telegram's flood control is enforced too: at most N sends per sliding
second for the bot and one per second per chat, beyond which the answer is a 429 with
``retry_after`` (whole seconds, as Telegram gives them).
"""

from __future__ import annotations

import asyncio
import copy
import itertools
import json
import math
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, NamedTuple

from aiohttp import web

from tests.fakes.telegram_updates import JSON, UpdateFactory, bot_user, option_persistent_id

SEND_METHODS = frozenset(
    {"sendMessage", "sendPhoto", "sendAudio", "sendVoice", "sendDocument", "sendPoll"}
)
# Parameters Telegram declares as String: PTB sends them raw (only non-strings are JSON), so
# "42" as a text must stay "42". Anything else is JSON-decoded when it parses.
STRING_PARAMS = frozenset(
    {
        "text", "caption", "question", "explanation", "parse_mode", "explanation_parse_mode",
        "question_parse_mode", "callback_query_id", "inline_message_id", "url", "secret_token",
        "ip_address", "type", "language_code", "title", "performer", "description", "emoji",
        "photo", "audio", "voice", "document", "thumbnail", "business_connection_id",
        "message_effect_id", "phone_number", "first_name", "last_name", "name", "short_description",
    }
)  # fmt: skip
NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a content and reply markup of the current message"
)
WEBHOOK_ACTIVE = (
    "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to "
    "delete the webhook first"
)
SUPERSEDED = (
    "Conflict: terminated by other getUpdates request; make sure that only one bot instance is "
    "running"
)
Predicate = Callable[["Call"], bool]
DOWNLOAD_LIMIT = 20 * 1024 * 1024  # what getFile lets a bot download


@dataclass(frozen=True, slots=True)
class Call:
    """One request the fake received (``at`` is ``time.monotonic()`` on arrival)."""

    method: str
    params: dict[str, Any]
    files: dict[str, bytes]
    at: float
    ok: bool = True
    result: Any = None


class Upload(NamedTuple):
    """One uploaded multipart file."""

    filename: str
    content_type: str
    data: bytes


@dataclass(slots=True)
class _Failure:
    """An error to answer instead of the next call of a method."""

    error_code: int
    description: str
    retry_after: int | None = None


class ApiError(Exception):
    """Raised by a method to answer ``{"ok": false, ...}`` with this status."""

    def __init__(self, error_code: int, description: str, parameters: JSON | None = None):
        """Keep Telegram's error code, description and optional ``parameters``."""
        super().__init__(description)
        self.error_code = error_code
        self.description = description
        self.parameters = parameters


@dataclass(slots=True)
class _Waiters:
    """Futures woken together when something changes (no sleep-polling)."""

    futures: list[asyncio.Future[None]] = field(default_factory=list)

    def wake(self) -> None:
        """Wake every waiter."""
        for future in self.futures:
            if not future.done():
                future.set_result(None)
        self.futures.clear()

    async def wait(self, seconds: float) -> None:
        """Wait for the next wake-up, at most ``seconds``."""
        future = asyncio.get_running_loop().create_future()
        self.futures.append(future)
        try:
            async with asyncio.timeout(seconds):
                await future
        except TimeoutError:
            pass
        finally:
            if future in self.futures:
                self.futures.remove(future)


def decode_value(name: str, value: str) -> Any:
    """Undo PTB's encoding of one form value: JSON for non-strings, raw for strings."""
    if name in STRING_PARAMS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


def _text_of(value: str | bytes | bytearray) -> str:
    """A form field as text."""
    return value if isinstance(value, str) else bytes(value).decode()


async def read_params(request: web.Request) -> tuple[JSON, dict[str, Upload]]:
    """Parameters and files of a query string, form, multipart or JSON request."""
    if request.content_type == "application/json":
        return (await request.json() if request.can_read_body else {}), {}
    params: JSON = {k: decode_value(k, v) for k, v in request.query.items()}
    files: dict[str, Upload] = {}
    for key, value in (await request.post()).items():
        if isinstance(value, web.FileField):
            files[key] = Upload(value.filename, value.content_type, value.file.read())
        else:
            params[key] = decode_value(key, _text_of(value))
    return params, files


def _error_body(error_code: int, description: str, parameters: JSON | None = None) -> JSON:
    """Telegram's error answer."""
    body: JSON = {"ok": False, "error_code": error_code, "description": description}
    if parameters:
        body["parameters"] = parameters
    return body


def _respond(status: int, body: JSON) -> web.Response:
    """A JSON response."""
    return web.Response(status=status, body=json.dumps(body), content_type="application/json")


def _check_keyboard(markup: Any) -> None:
    """Refuse callback data Telegram refuses (1..64 bytes)."""
    rows = markup.get("inline_keyboard", []) if isinstance(markup, dict) else []
    for button in itertools.chain.from_iterable(rows):
        data = button.get("callback_data")
        if data is not None and not 1 <= len(str(data).encode()) <= 64:
            raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")


def _check_text(text: Any, limit: int, too_long: str) -> None:
    """Refuse empty or too long texts like Telegram (limits counted in UTF-16 units)."""
    if not isinstance(text, str) or not text.strip():
        raise ApiError(400, "Bad Request: message text is empty")
    if len(text.encode("utf-16-le")) // 2 > limit:
        raise ApiError(400, too_long)


class FakeBotApi:
    """A fake Bot API server; ``start()`` returns its base URL ``http://127.0.0.1:PORT``."""

    def __init__(
        self,
        token: str | None = None,
        *,
        username: str = "imaginecole_test_bot",
        record: bool = True,
        strict: bool = True,
        rate_limit: int | None = None,
        per_chat_interval: float = 1.0,
        port: int = 0,
    ) -> None:
        """Accept any token unless ``token`` is given; ``record=False`` only counts calls.
        ``port``: listen there (0: a random free port), so a test can bring it up late.

        ``rate_limit``: enforce at most that many sends per sliding second (None: no limit),
        and at most one send per ``per_chat_interval`` seconds to each chat.
        """
        self.token = token
        bot_id = token.split(":")[0] if token else ""
        self.bot_user = bot_user(int(bot_id), username) if bot_id.isdigit() else bot_user()
        self.record = record
        self.strict = strict
        self.calls: list[Call] = []
        self.counts: Counter[str] = Counter()
        self.pending: deque[JSON] = deque()
        self.rate_limit = rate_limit
        self.per_chat_interval = per_chat_interval
        self.port = port
        self.throttled = 0  # 429s answered by the rate limit
        self.poll_chats: dict[str, int | str] = {}
        self.commands: dict[str, Any] = {}
        self.webhook: JSON = {}
        self.updates = UpdateFactory(
            bot=self.bot_user, message_ids=self.next_message_id, lookup=self.message
        )
        self._init_state()

    def _init_state(self) -> None:
        """Internal bookkeeping: ids, stored messages, injected faults, waiters."""
        self._url = ""
        self._runner: web.AppRunner | None = None
        self._next_ids: dict[int | str, int] = {}
        self._chats: dict[int | str, JSON] = {}
        self._messages: dict[tuple[int | str, int], JSON] = {}
        self._failures: dict[str, deque[_Failure]] = {}
        self._delays: dict[str, deque[float]] = {}
        self._serial = itertools.count(1)
        self._refused_chats: dict[Any, _Failure] = {}
        self._files: dict[str, tuple[str, bytes]] = {}  # file id -> (file path, bytes)
        self.downloads: Counter[str] = Counter()  # file path -> how many downloads
        self._recent_sends: deque[float] = deque()  # accepted send times, last second
        self._chat_sends: dict[Any, float] = {}  # last accepted send time per chat
        self._poll_generation = 0
        self._stopping = asyncio.Event()
        self._update_waiters = _Waiters()
        self._call_waiters = _Waiters()
        self._methods: dict[str, Callable[[JSON, dict[str, Upload]], Any]] = {
            "getMe": self._get_me,
            "getFile": self._get_file,
            "sendMessage": self._send_message,
            "sendPhoto": self._send_photo,
            "sendAudio": self._send_audio,
            "sendVoice": self._send_voice,
            "sendDocument": self._send_document,
            "sendPoll": self._send_poll,
            "answerCallbackQuery": lambda params, files: True,
            "editMessageText": self._edit_message_text,
            "editMessageReplyMarkup": self._edit_reply_markup,
            "deleteMessage": self._delete_message,
            "setWebhook": self._set_webhook,
            "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "setMyCommands": self._set_my_commands,
            "getMyCommands": self._get_my_commands,
        }
        self._canonical = {name.lower(): name for name in [*self._methods, "getUpdates"]}

    # -- lifecycle ------------------------------------------------------------------------

    @property
    def url(self) -> str:
        """The base URL, ``http://127.0.0.1:PORT`` (empty before ``start()``)."""
        return self._url

    async def start(self) -> str:
        """Listen on 127.0.0.1 (a random port unless one was given); the base URL."""
        app = web.Application(client_max_size=64 * 1024 * 1024)  # uploads up to 50 MB
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_get("/file/bot{token}/{path:.+}", self._download)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()
        self._url = f"http://127.0.0.1:{self._runner.addresses[0][1]}"
        return self._url

    async def stop(self) -> None:
        """Release long polls and delayed answers, then close the server."""
        self._stopping.set()
        self._update_waiters.wake()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeBotApi:
        """Start the server."""
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Stop the server."""
        await self.stop()

    # -- test controls --------------------------------------------------------------------

    def push_update(self, update: JSON) -> None:
        """Queue an update for ``getUpdates`` (an ``update_id`` is added when missing)."""
        update.setdefault("update_id", 900_000_000 + next(self._serial))
        for key in ("message", "edited_message"):
            if isinstance(message := update.get(key), dict):
                self._learn(message)
        self.pending.append(update)
        self._update_waiters.wake()

    def add_file(self, file_id: str, data: bytes, file_path: str = "") -> str:
        """Make a file downloadable by ``getFile`` and the file URL; returns its file path."""
        path = file_path or f"documents/file_{len(self._files)}.bin"
        self._files[file_id] = (path, data)
        return path

    def fail_next(
        self, method: str, error_code: int, description: str, retry_after: int | None = None
    ) -> None:
        """Answer the next call of ``method`` with this error (queued, one per call)."""
        failure = _Failure(error_code, description, retry_after)
        self._failures.setdefault(self._name(method), deque()).append(failure)

    def refuse_chat(self, chat_id: int | str, error_code: int, description: str) -> None:
        """Refuse every send to this chat from now on (a user who blocked the bot, say)."""
        self._refused_chats[chat_id] = _Failure(error_code, description)

    def delay_next(self, method: str, seconds: float) -> None:
        """Carry out the next call of ``method`` but answer only after ``seconds`` (or stop).

        This is the lost answer: the message is delivered and recorded, the client times out.
        """
        self._delays.setdefault(self._name(method), deque()).append(seconds)

    def next_message_id(self, chat_id: int | str) -> int:
        """Allocate the next message id of a chat (shared by the bot and the learner)."""
        message_id = self._next_ids.get(chat_id, 1)
        self._next_ids[chat_id] = message_id + 1
        return message_id

    def message(self, chat_id: int | str, message_id: int) -> JSON | None:
        """A copy of a message of a chat as it stands now (recording mode only)."""
        found = self._messages.get((chat_id, message_id))
        return copy.deepcopy(found) if found is not None else None

    # -- what was sent --------------------------------------------------------------------

    def sent(self, chat_id: int | str | None = None) -> list[Call]:
        """Successful outgoing messages (send* methods), optionally to one chat."""
        return [
            c
            for c in self.calls
            if c.ok
            and c.method in SEND_METHODS
            and (chat_id is None or c.params.get("chat_id") == chat_id)
        ]

    def texts(self, chat_id: int | str) -> list[str]:
        """What a chat could read: message texts, media captions and poll questions."""
        keys = ("text", "caption", "question")
        found = (
            next((c.params[k] for k in keys if k in c.params), None) for c in self.sent(chat_id)
        )
        return [text for text in found if isinstance(text, str)]

    def last(self, chat_id: int | str) -> Call:
        """The last message sent to a chat."""
        sent = self.sent(chat_id)
        if not sent:
            raise LookupError(f"nothing was sent to chat {chat_id}")
        return sent[-1]

    def last_call(self, method: str) -> Call:
        """The last call of a method, successful or not."""
        for call in reversed(self.calls):
            if call.method == method:
                return call
        raise LookupError(f"{method} was never called")

    def last_poll_id(self, chat_id: int | str) -> str:
        """The id of the last poll sent to a chat."""
        polls = [c for c in self.sent(chat_id) if c.method == "sendPoll"]
        if not polls:
            raise LookupError(f"no poll was sent to chat {chat_id}")
        return str(polls[-1].result["poll"]["id"])

    async def wait_for(
        self,
        predicate: Predicate | str,
        timeout: float = 5.0,  # noqa: ASYNC109 - a test-facing deadline, like asyncio.wait_for
        *,
        since: int = 0,
    ) -> Call:
        """The first call from ``calls[since:]`` matching (a method name or a predicate)."""
        check = (lambda c: c.method == predicate) if isinstance(predicate, str) else predicate
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            for call in self.calls[since:]:
                if check(call):
                    return call
            since = len(self.calls)
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                recent = [c.method for c in self.calls[-10:]]
                raise TimeoutError(f"no matching call within {timeout}s; last calls: {recent}")
            await self._call_waiters.wait(remaining)

    async def wait_for_count(
        self,
        count: int,
        method: str | None = None,
        timeout: float = 5.0,  # noqa: ASYNC109 - same contract as wait_for
    ) -> None:
        """Wait until ``count`` calls (of ``method``, or of any) arrived; works unrecorded."""
        deadline = asyncio.get_running_loop().time() + timeout
        while (self.counts[method] if method else self.counts.total()) < count:
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                raise TimeoutError(f"{count} calls expected, got {dict(self.counts)}")
            await self._call_waiters.wait(remaining)

    # -- HTTP -----------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.Response:
        """Route ``/bot{token}/{method}``: check token, answer, record."""
        if self.token is not None and request.match_info["token"] != self.token:
            return _respond(401, _error_body(401, "Unauthorized"))
        arrived = time.monotonic()
        method = self._name(request.match_info["method"])
        params, files = await read_params(request)
        try:
            result = await self._answer(method, params, files)
        except ApiError as err:
            self._record(Call(method, params, _bytes(files), arrived, False))
            body = _error_body(err.error_code, err.description, err.parameters)
            return _respond(err.error_code, body)
        self._record(Call(method, params, _bytes(files), arrived, True, result))
        await self._maybe_delay(method)
        return _respond(200, {"ok": True, "result": result})

    async def _download(self, request: web.Request) -> web.Response:
        """``GET /file/bot<token>/<file_path>``: the bytes of a registered file."""
        if self.token is not None and request.match_info["token"] != self.token:
            return _respond(401, _error_body(401, "Unauthorized"))
        path = request.match_info["path"]
        found = next((data for known, data in self._files.values() if known == path), None)
        if found is None:
            return _respond(404, _error_body(404, "Not Found"))
        self.downloads[path] += 1
        return web.Response(body=found, content_type="application/octet-stream")

    async def _answer(self, method: str, params: JSON, files: dict[str, Upload]) -> Any:
        """The result of one call, or an ``ApiError``."""
        if queue := self._failures.get(method):
            failure = queue.popleft()
            retry = {"retry_after": failure.retry_after} if failure.retry_after else None
            raise ApiError(failure.error_code, failure.description, retry)
        refused = self._refused_chats.get(params.get("chat_id"))
        if refused is not None and method in SEND_METHODS:
            raise ApiError(refused.error_code, refused.description)
        if self.rate_limit is not None and method in SEND_METHODS:
            self._enforce_rate(params.get("chat_id"))
        if method == "getUpdates":
            return await self._get_updates(params)
        if method not in self._methods:
            raise ApiError(404, "Not Found")
        return self._methods[method](params, files)

    def _enforce_rate(self, chat_id: Any) -> None:
        """Telegram's flood control: N sends per sliding second, one per second per chat."""
        assert self.rate_limit is not None
        now = time.monotonic()
        recent = self._recent_sends
        while recent and recent[0] <= now - 1.0:
            recent.popleft()
        wait = 0.0
        if len(recent) >= self.rate_limit:
            wait = recent[0] + 1.0 - now
        last = self._chat_sends.get(chat_id)
        if last is not None and now - last < self.per_chat_interval:
            wait = max(wait, last + self.per_chat_interval - now)
        if wait > 0:
            self.throttled += 1
            seconds = max(1, math.ceil(wait))
            raise ApiError(
                429, f"Too Many Requests: retry after {seconds}", {"retry_after": seconds}
            )
        recent.append(now)
        self._chat_sends[chat_id] = now

    async def _maybe_delay(self, method: str) -> None:
        """Hold the answer if ``delay_next`` asked for it."""
        if queue := self._delays.get(method):
            try:
                async with asyncio.timeout(queue.popleft()):
                    await self._stopping.wait()
            except TimeoutError:
                pass

    def _record(self, call: Call) -> None:
        """Count the call, keep it when recording, wake ``wait_for``."""
        self.counts[call.method] += 1
        if self.record:
            self.calls.append(call)
        self._call_waiters.wake()

    def _name(self, method: str) -> str:
        """Telegram's spelling of a case-insensitive method name."""
        return self._canonical.get(method.lower(), method)

    # -- updates --------------------------------------------------------------------------

    async def _get_updates(self, params: JSON) -> list[JSON]:
        """Long polling: confirm below ``offset``, wait up to ``timeout`` s, return ``limit``."""
        if self.webhook.get("url"):
            raise ApiError(409, WEBHOOK_ACTIVE)
        self._confirm(int(params.get("offset") or 0))
        self._poll_generation += 1
        generation = self._poll_generation
        self._update_waiters.wake()  # an older poll still waiting is now superseded
        loop = asyncio.get_running_loop()
        deadline = loop.time() + max(0.0, float(params.get("timeout") or 0))
        while not self.pending and not self._stopping.is_set():
            if generation != self._poll_generation:
                raise ApiError(409, SUPERSEDED)
            if (remaining := deadline - loop.time()) <= 0:
                break
            await self._update_waiters.wait(remaining)
        limit = min(max(int(params.get("limit") or 100), 1), 100)
        return list(itertools.islice(self.pending, limit))

    def _confirm(self, offset: int) -> None:
        """Forget updates below ``offset``; a negative one keeps only the last ``-offset``."""
        if offset < 0:
            while len(self.pending) > -offset:
                self.pending.popleft()
        while offset > 0 and self.pending and self.pending[0]["update_id"] < offset:
            self.pending.popleft()

    def _learn(self, message: JSON) -> None:
        """Remember a pushed message's chat, id and content, like Telegram would."""
        chat = message["chat"]
        self._chats[chat["id"]] = chat
        following = max(self._next_ids.get(chat["id"], 1), message["message_id"] + 1)
        self._next_ids[chat["id"]] = following
        if self.record:
            self._messages[(chat["id"], message["message_id"])] = message

    # -- messages -------------------------------------------------------------------------

    def _chat(self, chat_id: Any) -> JSON:
        """The ``Chat`` object of a chat id (private for positive ids)."""
        if chat_id is None or chat_id == "":
            raise ApiError(400, "Bad Request: chat_id is empty")
        if known := self._chats.get(chat_id):
            return known
        if isinstance(chat_id, str):
            return {"id": -1_001_000_000_000, "type": "channel", "title": chat_id.lstrip("@")}
        if chat_id > 0:
            return {"id": chat_id, "type": "private", "first_name": "Learner"}
        kind = "supergroup" if str(chat_id).startswith("-100") else "group"
        return {"id": chat_id, "type": kind, "title": "Classe"}

    def _new_message(self, params: JSON, **content: Any) -> JSON:
        """A message from the bot in ``params["chat_id"]``, stored when recording."""
        chat = self._chat(params.get("chat_id"))
        message: JSON = {
            "message_id": self.next_message_id(chat["id"]),
            "from": self.bot_user,
            "chat": chat,
            "date": int(time.time()),
            **{key: value for key, value in content.items() if value is not None},
        }
        self._attach_markup(message, params.get("reply_markup"))
        if self.record:  # a copy: later edits must not rewrite recorded results
            self._messages[(chat["id"], message["message_id"])] = dict(message)
        return message

    def _attach_markup(self, message: JSON, markup: Any) -> None:
        """Keep an inline keyboard on the message (other keyboards are not echoed)."""
        if self.strict:
            _check_keyboard(markup)
        message.pop("reply_markup", None)
        if isinstance(markup, dict) and "inline_keyboard" in markup:
            message["reply_markup"] = markup

    def _get_me(self, params: JSON, files: dict[str, Upload]) -> JSON:
        """The bot's ``User`` with its capabilities."""
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def _get_file(self, params: JSON, files: dict[str, Upload]) -> JSON:
        """``getFile``: a registered file's path (bots may download up to 20 MB)."""
        file_id = str(params.get("file_id") or "")
        if file_id not in self._files:
            raise ApiError(400, "Bad Request: invalid file_id")
        path, data = self._files[file_id]
        if len(data) > DOWNLOAD_LIMIT:
            raise ApiError(400, "Bad Request: file is too big")
        unique = f"u{abs(hash(file_id)) % 10**8}"
        return {
            "file_id": file_id,
            "file_unique_id": unique,
            "file_size": len(data),
            "file_path": path,
        }

    def _send_message(self, params: JSON, files: dict[str, Upload]) -> JSON:
        """``sendMessage``."""
        if self.strict:
            _check_text(params.get("text"), 4096, "Bad Request: message is too long")
        entities = params.get("entities")
        return self._new_message(params, text=params.get("text"), entities=entities)

    def _media(self, params: JSON, files: dict[str, Upload], kind: str) -> JSON:
        """A media ``Message`` (photo, audio, voice, document) with its caption."""
        caption = params.get("caption")
        if self.strict and caption:
            _check_text(caption, 1024, "Bad Request: message caption is too long")
        upload, file_id = files.get(kind), params.get(kind)
        if upload is None and not file_id:
            raise ApiError(400, f"Bad Request: there is no {kind} in the request")
        serial = next(self._serial)
        media: JSON = {"file_id": file_id or f"fake-{kind}-{serial}"}
        media["file_unique_id"] = f"s{serial}"
        if upload is not None:
            media.update(file_size=len(upload.data), mime_type=upload.content_type)
            media["file_name"] = upload.filename
        entities = params.get("caption_entities")
        return self._new_message(
            params, caption=caption, caption_entities=entities, **{kind: media}
        )

    def _send_photo(self, params: JSON, files: dict[str, Upload]) -> JSON:
        """``sendPhoto``: the photo comes back as a list of sizes."""
        message = self._media(params, files, "photo")
        photo = message["photo"]
        photo.pop("file_name", None)
        photo.pop("mime_type", None)
        message["photo"] = [{**photo, "width": 320, "height": 240}]
        return message

    def _send_audio(self, params: JSON, files: dict[str, Upload]) -> JSON:
        """``sendAudio``."""
        message = self._media(params, files, "audio")
        message["audio"]["duration"] = int(params.get("duration") or 0)
        return message

    def _send_voice(self, params: JSON, files: dict[str, Upload]) -> JSON:
        """``sendVoice``."""
        message = self._media(params, files, "voice")
        message["voice"].update(duration=int(params.get("duration") or 0), mime_type="audio/ogg")
        message["voice"].pop("file_name", None)
        return message

    def _send_document(self, params: JSON, files: dict[str, Upload]) -> JSON:
        """``sendDocument``."""
        return self._media(params, files, "document")

    def _send_poll(self, params: JSON, files: dict[str, Upload]) -> JSON:
        """``sendPoll``: a ``Message`` with a fresh poll (Bot API 10 shape), chat remembered."""
        given = params.get("options") or []
        texts = [o.get("text") if isinstance(o, dict) else o for o in given]
        kind = params.get("type") or "regular"
        poll: JSON = {
            "id": str(5_000_000_000_000_000_000 + next(self._serial)),
            "question": params.get("question"),
            "options": [_poll_option(index, text) for index, text in enumerate(texts)],
            "total_voter_count": 0,
            "is_closed": bool(params.get("is_closed", False)),
            "is_anonymous": bool(params.get("is_anonymous", True)),
            "type": kind,
            "allows_multiple_answers": bool(params.get("allows_multiple_answers", False)),
            "allows_revoting": bool(params.get("allows_revoting", kind != "quiz")),
            "members_only": bool(params.get("members_only", False)),
        }
        if (correct := _correct_options(params)) is not None:
            poll["correct_option_ids"] = correct
        for key in ("explanation", "explanation_entities", "open_period", "close_date"):
            if key in params:
                poll[key] = params[key]
        message = self._new_message(params, poll=poll)
        self.poll_chats[poll["id"]] = message["chat"]["id"]
        return message

    def _stored(self, params: JSON) -> JSON:
        """The message an edit targets (a minimal one when not recording or not strict)."""
        chat = self._chat(params.get("chat_id"))
        key = (chat["id"], int(params.get("message_id") or 0))
        if (message := self._messages.get(key)) is not None:
            sender = message.get("from") or {}
            if sender.get("id") != self.bot_user["id"] and self.strict:
                raise ApiError(400, "Bad Request: message can't be edited")
            return message
        if self.strict and self.record:
            raise ApiError(400, "Bad Request: message to edit not found")
        return {"message_id": key[1], "from": self.bot_user, "chat": chat, "date": int(time.time())}

    def _edit_message_text(self, params: JSON, files: dict[str, Upload]) -> JSON | bool:
        """``editMessageText`` (an edit without ``reply_markup`` drops the keyboard)."""
        if params.get("inline_message_id"):
            return True
        if self.strict:
            _check_text(params.get("text"), 4096, "Bad Request: MESSAGE_TOO_LONG")
        message = self._stored(params)
        new = {"text": params.get("text"), "reply_markup": params.get("reply_markup")}
        return self._apply_edit(message, new, params.get("entities"))

    def _edit_reply_markup(self, params: JSON, files: dict[str, Upload]) -> JSON | bool:
        """``editMessageReplyMarkup`` (no ``reply_markup`` removes the keyboard)."""
        if params.get("inline_message_id"):
            return True
        message = self._stored(params)
        new = {"text": message.get("text"), "reply_markup": params.get("reply_markup")}
        return self._apply_edit(message, new, message.get("entities"))

    def _apply_edit(self, message: JSON, new: JSON, entities: Any) -> JSON:
        """Change text and keyboard in place, refusing a no-op like Telegram."""
        same_text = new["text"] == message.get("text")
        if self.strict and same_text and new["reply_markup"] == message.get("reply_markup"):
            raise ApiError(400, NOT_MODIFIED)
        message["text"] = new["text"]
        message.pop("entities", None)
        if entities:
            message["entities"] = entities
        self._attach_markup(message, new["reply_markup"])
        message["edit_date"] = int(time.time())
        return dict(message)

    def _delete_message(self, params: JSON, files: dict[str, Upload]) -> bool:
        """``deleteMessage``."""
        chat = self._chat(params.get("chat_id"))
        removed = self._messages.pop((chat["id"], int(params.get("message_id") or 0)), None)
        if removed is None and self.strict and self.record:
            raise ApiError(400, "Bad Request: message to delete not found")
        return True

    def _set_webhook(self, params: JSON, files: dict[str, Upload]) -> bool:
        """``setWebhook``: remember the URL and options."""
        if params.get("drop_pending_updates"):
            self.pending.clear()
        self.webhook = {k: v for k, v in params.items() if k != "drop_pending_updates"}
        return True

    def _delete_webhook(self, params: JSON, files: dict[str, Upload]) -> bool:
        """``deleteWebhook``."""
        if params.get("drop_pending_updates"):
            self.pending.clear()
        self.webhook = {}
        return True

    def _get_webhook_info(self, params: JSON, files: dict[str, Upload]) -> JSON:
        """``getWebhookInfo``."""
        info: JSON = {
            "url": self.webhook.get("url", ""),
            "has_custom_certificate": False,
            "pending_update_count": len(self.pending),
        }
        for key in ("max_connections", "allowed_updates", "ip_address"):
            if key in self.webhook:
                info[key] = self.webhook[key]
        return info

    def _set_my_commands(self, params: JSON, files: dict[str, Upload]) -> bool:
        """``setMyCommands``, kept per scope and language."""
        self.commands[_commands_key(params)] = params.get("commands") or []
        return True

    def _get_my_commands(self, params: JSON, files: dict[str, Upload]) -> Any:
        """``getMyCommands``."""
        return self.commands.get(_commands_key(params), [])


def _poll_option(index: int, text: Any) -> JSON:
    """A ``PollOption`` with no votes yet."""
    return {"text": text, "voter_count": 0, "persistent_id": option_persistent_id(index)}


def _correct_options(params: JSON) -> list[int] | None:
    """Bot API 9.6 ``correct_option_ids``, also accepting the older ``correct_option_id``."""
    if "correct_option_ids" in params:
        return list(params["correct_option_ids"])
    if "correct_option_id" in params:
        return [params["correct_option_id"]]
    return None


def _commands_key(params: JSON) -> str:
    """Commands are kept per scope type and language code."""
    scope = params.get("scope") or {"type": "default"}
    return f"{scope.get('type', 'default')}:{params.get('language_code') or ''}"


def _bytes(files: dict[str, Upload]) -> dict[str, bytes]:
    """The uploaded contents by field name."""
    return {name: upload.data for name, upload in files.items()}
