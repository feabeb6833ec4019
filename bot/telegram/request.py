"""python-telegram-bot's HTTP transport on aiohttp: one pooled session, PTB's timeout semantics.

PTB's default transport (httpx) spends most of its CPU in connection-pool bookkeeping; this one
keeps the same contract as ``telegram.request.HTTPXRequest`` (parameters, timeouts, errors) on
an ``aiohttp.ClientSession``, which measured five to six times faster here (see DESIGN.md).

How PTB's four timeouts map onto aiohttp:

* pool: we gate requests with our own semaphore of ``connection_limit`` slots, so that waiting
  for a free connection fails with PTB's explicit "Pool timeout" ``TimedOut``: such a request
  was certainly *not* sent, so it is safe to retry (unlike a read timeout, which is ambiguous).
* connect: aiohttp's ``connect`` (DNS, TCP and TLS of a new connection).
* read: aiohttp's ``sock_read``, which like httpx's read timeout starts once the request body
  is written and restarts with every chunk received.
* write: aiohttp has no per-write timeout. Small form bodies go to the socket buffer at once;
  for uploads (requests with files) the write budget becomes part of a whole-request deadline
  of connect + write + read, so a stalled upload cannot hang forever. Raise
  ``media_write_timeout`` (or pass ``write_timeout``) for large files on slow links.

Proxies: an explicit ``proxy`` URL, else (like httpx) ``HTTP(S)_PROXY``/``ALL_PROXY``/``NO_PROXY``
from the environment, read once per origin. aiohttp's own ``trust_env`` would do two thread
hops per request (an environment and a .netrc lookup), which cost about a third of the
throughput here. Only HTTP proxies: aiohttp has no SOCKS support of its own.
"""

from __future__ import annotations

import asyncio
import urllib.parse
import urllib.request

import aiohttp
import yarl

# PTB exposes DEFAULT_NONE publicly but types it only through these private aliases; the
# overridden ``do_request`` signature has to match theirs for mypy.
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

_POOL_TIMEOUT = (
    "Pool timeout: All connections in the connection pool are occupied. Request was *not* "
    "sent to Telegram. Consider adjusting the connection pool size or the pool timeout."
)

_Body = aiohttp.FormData | aiohttp.BytesPayload | None
_FORM = "application/x-www-form-urlencoded"
_Proxy = tuple[yarl.URL | None, aiohttp.BasicAuth | None]


class AiohttpRequest(BaseRequest):
    """PTB's ``BaseRequest`` implemented on a shared ``aiohttp.ClientSession``."""

    __slots__ = (
        "_connect_timeout",
        "_connection_limit",
        "_env_proxies",
        "_media_write_timeout",
        "_pool_timeout",
        "_proxy",
        "_read_timeout",
        "_session",
        "_slots",
        "_trust_env",
        "_write_timeout",
    )

    def __init__(
        self,
        connection_limit: int = 256,
        read_timeout: float | None = 5.0,
        write_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
        http_version: str = "1.1",
        media_write_timeout: float | None = 20.0,
        proxy: str | None = None,
        trust_env: bool = True,
    ) -> None:
        """Keep the settings; the session itself is created by ``initialize()``."""
        if connection_limit < 1:
            raise ValueError("`connection_limit` must be at least 1.")
        if http_version != "1.1":
            raise ValueError("aiohttp speaks HTTP/1.1 only: `http_version` must be '1.1'.")
        self._connection_limit = connection_limit
        self._read_timeout = read_timeout
        self._write_timeout = write_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        self._media_write_timeout = media_write_timeout
        self._proxy = _split_auth(yarl.URL(proxy)) if proxy else None
        self._trust_env = trust_env  # like httpx: honour HTTPS_PROXY / ALL_PROXY / NO_PROXY
        self._env_proxies: dict[str, _Proxy] = {}
        self._session: aiohttp.ClientSession | None = None
        self._slots: asyncio.Semaphore | None = None

    @property
    def read_timeout(self) -> float | None:
        """Default read timeout; ``Bot.get_updates`` adds the long-polling timeout to it."""
        return self._read_timeout

    @property
    def http_version(self) -> str:
        """The HTTP version spoken, always ``"1.1"`` (as ``HTTPXRequest.http_version``)."""
        return "1.1"

    @property
    def connection_limit(self) -> int:
        """How many requests may be in flight at once."""
        return self._connection_limit

    async def initialize(self) -> None:
        """Create the session and its connection slots, unless they are already open."""
        if self._session is not None and not self._session.closed:
            return
        connector = aiohttp.TCPConnector(limit=self._connection_limit)
        self._session = aiohttp.ClientSession(
            connector=connector, headers={"User-Agent": self.USER_AGENT}
        )
        self._slots = asyncio.Semaphore(self._connection_limit)
        self._env_proxies.clear()  # the environment may have changed since last time

    async def shutdown(self) -> None:
        """Close the session; calling it twice, or before ``initialize()``, is harmless."""
        if self._session is None or self._session.closed:
            return
        await self._session.close()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """Send one request and return its HTTP status and body (see ``BaseRequest``)."""
        if self._session is None or self._session.closed or self._slots is None:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        has_files = request_data is not None and request_data.contains_files
        limits = self._timeout(read_timeout, write_timeout, connect_timeout, has_files)
        body = _body(request_data)
        await self._take_slot(self._slots, pool_timeout)
        try:
            return await self._send(self._session, method, url, body, limits)
        finally:
            self._slots.release()

    def _timeout(
        self,
        read: ODVInput[float],
        write: ODVInput[float],
        connect: ODVInput[float],
        has_files: bool,
    ) -> aiohttp.ClientTimeout:
        """Resolve PTB's timeouts (DEFAULT_NONE = this instance's default) for aiohttp."""
        read_s = self._read_timeout if isinstance(read, DefaultValue) else read
        connect_s = self._connect_timeout if isinstance(connect, DefaultValue) else connect
        if not has_files:
            return aiohttp.ClientTimeout(connect=connect_s, sock_read=read_s)
        write_s = self._media_write_timeout if isinstance(write, DefaultValue) else write
        parts = (connect_s, write_s, read_s)
        total = None if None in parts else sum(p for p in parts if p is not None)
        return aiohttp.ClientTimeout(total=total, connect=connect_s, sock_read=read_s)

    async def _take_slot(self, slots: asyncio.Semaphore, pool_timeout: ODVInput[float]) -> None:
        """Wait for a free connection slot, at most the pool timeout."""
        if not slots.locked():
            await slots.acquire()  # free: returns without suspending
            return
        wait = self._pool_timeout if isinstance(pool_timeout, DefaultValue) else pool_timeout
        try:
            async with asyncio.timeout(wait):
                await slots.acquire()
        except TimeoutError as err:
            raise TimedOut(_POOL_TIMEOUT) from err

    async def _send(
        self,
        session: aiohttp.ClientSession,
        method: str,
        url: str,
        body: _Body,
        limits: aiohttp.ClientTimeout,
    ) -> tuple[int, bytes]:
        """Do the HTTP exchange, translating aiohttp's errors into PTB's."""
        proxy, proxy_auth = self._proxy_for(url)
        try:
            async with session.request(
                method, url, data=body, timeout=limits, proxy=proxy, proxy_auth=proxy_auth
            ) as response:
                return response.status, await response.read()
        except TimeoutError as err:  # aiohttp's connect/read timeouts and the upload deadline
            raise TimedOut from err
        except aiohttp.ClientError as err:
            # The class name helps when the message is empty, as PTB's httpx transport does.
            raise NetworkError(f"aiohttp.{type(err).__name__}: {err}") from err

    def _proxy_for(self, url: str) -> _Proxy:
        """The proxy for a URL: the explicit one, else the environment's for its origin."""
        if self._proxy is not None:
            return self._proxy
        if not self._trust_env:
            return None, None
        end = url.find("/", url.find("//") + 2)
        origin = url if end < 0 else url[:end]
        if (known := self._env_proxies.get(origin)) is None:
            known = self._env_proxies[origin] = _env_proxy(yarl.URL(origin))
        return known


def _env_proxy(origin: yarl.URL) -> _Proxy:
    """The proxy the environment sets for an origin, honouring NO_PROXY."""
    if origin.host is None or urllib.request.proxy_bypass(origin.host):
        return None, None
    proxies = urllib.request.getproxies()
    found = proxies.get(origin.scheme) or proxies.get("all")
    return _split_auth(yarl.URL(found)) if found else (None, None)


def _split_auth(proxy: yarl.URL) -> _Proxy:
    """Move credentials out of a proxy URL into aiohttp's ``proxy_auth``."""
    return proxy.with_user(None), aiohttp.BasicAuth.from_url(proxy)


def _body(request_data: RequestData | None) -> _Body:
    """Form-encode the parameters, or build a multipart body when there are files."""
    if request_data is None:
        return None
    fields = request_data.json_parameters  # non-string values JSON-encoded, strings raw
    if not request_data.contains_files:
        # Encoded here: given a dict, aiohttp builds a whole FormData (with a random boundary)
        # for every request, which cost about a tenth of the bot's CPU in bench/.
        encoded = urllib.parse.urlencode(fields).encode() if fields else b""
        return aiohttp.BytesPayload(encoded, content_type=_FORM) if fields else None
    # aiohttp's default quoting percent-encodes file names ("le%C3%A7on.pdf" would reach the
    # learner as is); like httpx, send them as UTF-8 with only quotes and controls escaped.
    form = aiohttp.FormData(quote_fields=False)
    for name, value in fields.items():
        form.add_field(name, value)
    for name, (filename, content, mimetype) in request_data.multipart_data.items():
        form.add_field(name, content, filename=_html5_escape(filename), content_type=mimetype)
    return form


def _html5_escape(filename: str) -> str:
    """Escape a multipart file name as browsers and httpx do (HTML5 form encoding)."""
    return "".join(
        f"%{ord(char):02X}" if char == '"' or (ord(char) < 0x20 and char != "\x1b") else char
        for char in filename
    )
