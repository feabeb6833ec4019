"""The WhatsApp Cloud API client: send messages and upload media over one aiohttp session.

Every refusal becomes a ``GraphError`` carrying Graph's code, title, details and the HTTP
status; network errors and timeouts become ``GraphError(code=0)``, which is retryable. A send
whose answer was lost may still have been delivered: WhatsApp has no idempotency key either.
Nothing here logs message bodies or phone numbers; DEBUG records carry codes and statuses only.
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any

import aiohttp

from bot import safe_json

log = logging.getLogger(__name__)

NETWORK_ERROR = 0
# Throughput and pair rate limits, plus Graph's "temporarily unavailable" codes (2, 131016):
# all of them mean "the same request may succeed later".
RETRYABLE_CODES = frozenset({NETWORK_ERROR, 2, 4, 80007, 130429, 131016, 131056})
_CODE_PREFIX = re.compile(r"^\(#\d+\)\s*")
JSON = dict[str, Any]


class MediaTooLarge(Exception):
    """A media file larger than the caller takes: not downloaded, or cut at the limit."""

    def __init__(self, size: int, limit: int) -> None:
        """`size` is the announced size, or what was read when the stream passed the limit."""
        super().__init__(f"media of {size} bytes or more, over the limit of {limit}")
        self.size = size
        self.limit = limit


class GraphError(Exception):
    """A refusal of the Graph API: Graph's code (131047, 130429, 190...), title, details, status."""

    def __init__(
        self,
        code: int,
        title: str = "",
        details: str = "",
        status: int = 0,
        *,
        subcode: int | None = None,
        fbtrace_id: str | None = None,
    ) -> None:
        """Keep Graph's error fields; ``status`` 0 means no HTTP answer arrived."""
        super().__init__(f"Graph API error {code} (HTTP {status}): {title} {details}".rstrip())
        self.code = code
        self.title = title
        self.details = details
        self.status = status
        self.subcode = subcode
        self.fbtrace_id = fbtrace_id

    @property
    def retryable(self) -> bool:
        """Whether the same request may succeed later (rate limits, 429, 5xx, network)."""
        return self.code in RETRYABLE_CODES or self.status == 429 or self.status >= 500


def error_from_answer(status: int, body: Any) -> GraphError:
    """The ``GraphError`` of an error answer (Graph's shape, or anything else)."""
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        return GraphError(NETWORK_ERROR, f"HTTP {status} without a Graph error", status=status)
    data = error.get("error_data")
    details = data.get("details") if isinstance(data, dict) else None
    return GraphError(
        _int(error.get("code")),
        _CODE_PREFIX.sub("", str(error.get("message") or "")),
        str(details or ""),
        status,
        subcode=_int(error["error_subcode"]) if "error_subcode" in error else None,
        fbtrace_id=error.get("fbtrace_id"),
    )


def _int(value: Any) -> int:
    """An error code as an int (0 when absent or malformed)."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return NETWORK_ERROR


def _parse(status: int, raw: bytes) -> JSON:
    """The JSON object of a successful answer, or the ``GraphError`` it means."""
    try:
        body = safe_json.loads(raw)
    except ValueError:
        body = None
    if 200 <= status < 300 and isinstance(body, dict) and "error" not in body:
        return body
    error = error_from_answer(status, body)
    log.debug("Graph API refused: code %s, HTTP %s", error.code, status)
    raise error


def _message_id(answer: JSON) -> str | None:
    """``messages[0].id`` of a send's answer, if there is one."""
    messages = answer.get("messages")
    first = messages[0] if isinstance(messages, list) and messages else None
    wamid = first.get("id") if isinstance(first, dict) else None
    return wamid if isinstance(wamid, str) and wamid else None


async def _read_bounded(response: aiohttp.ClientResponse, limit: int) -> bytes:
    """The body, stopped as soon as it is known to be larger than `limit`."""
    announced = response.content_length
    if announced is not None and announced > limit:
        response.close()  # the rest is never read
        raise MediaTooLarge(announced, limit)
    body = bytearray()
    async for chunk in response.content.iter_chunked(64 * 1024):
        body += chunk
        if len(body) > limit:
            response.close()
            raise MediaTooLarge(len(body), limit)
    return bytes(body)


class GraphClient:
    """Sends messages and uploads media for one WhatsApp business phone number."""

    def __init__(
        self,
        *,
        base_url: str,
        api_version: str,
        phone_number_id: str,
        access_token: str,
        timeout: float = 20.0,
        session: aiohttp.ClientSession | None = None,
    ) -> None:
        """Prepare the endpoint; a session is created on first use unless one is given."""
        self._root = f"{base_url.rstrip('/')}/{api_version.strip('/')}"
        self._endpoint = f"{self._root}/{phone_number_id}"
        self._auth = {"Authorization": f"Bearer {access_token}"}
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._session = session
        self._owns_session = session is None
        self._closed = False

    async def send(self, payload: JSON) -> str:
        """Send one message (a Graph ``messages`` payload) and return its wamid."""
        body = {"messaging_product": "whatsapp", "recipient_type": "individual", **payload}
        data = json.dumps(body, ensure_ascii=False).encode()
        headers = {**self._auth, "Content-Type": "application/json"}
        answer = await self._post("messages", data, headers)
        if wamid := _message_id(answer):
            return wamid
        raise GraphError(NETWORK_ERROR, "Answer without a message id", status=200)

    async def upload(self, data: bytes, mime: str, filename: str) -> str:
        """Upload a media file and return its media id."""
        form = aiohttp.FormData()
        form.add_field("messaging_product", "whatsapp")
        form.add_field("type", mime)
        form.add_field("file", data, filename=filename, content_type=mime)
        answer = await self._post("media", form, self._auth)
        if isinstance(media_id := answer.get("id"), str) and media_id:
            return media_id
        raise GraphError(NETWORK_ERROR, "Answer without a media id", status=200)

    async def download(self, media_id: str, limit: int | None = None) -> tuple[bytes, str]:
        """The bytes and MIME type of a media file (its URL first, then the file itself).

        With a `limit`, a file announced larger (Graph's `file_size`, or Content-Length) is
        not downloaded, and one that grows past it while streaming is cut there: either
        raises `MediaTooLarge`, and no more than about `limit` bytes were read.
        """
        about = _parse(*await self._get(f"{self._root}/{media_id}"))
        url, mime = about.get("url"), about.get("mime_type")
        if not isinstance(url, str) or not url:
            raise GraphError(NETWORK_ERROR, "Answer without a media URL", status=200)
        announced = about.get("file_size")
        if limit is not None and isinstance(announced, int) and announced > limit:
            raise MediaTooLarge(announced, limit)
        status, raw = await self._get(url, limit)
        if not 200 <= status < 300:
            _parse(status, raw)  # raises the refusal it holds
        return raw, mime if isinstance(mime, str) else "application/octet-stream"

    async def close(self) -> None:
        """Close the session if this client created it; the client is unusable afterwards."""
        self._closed = True
        if self._owns_session and self._session is not None:
            await self._session.close()

    @property
    def closed(self) -> bool:
        """Whether ``close()`` was called."""
        return self._closed

    async def _post(self, path: str, data: Any, headers: dict[str, str]) -> JSON:
        """POST to ``{endpoint}/{path}``; network failures become ``GraphError(code=0)``."""
        session = self._session_in_loop()
        url = f"{self._endpoint}/{path}"
        try:
            async with session.post(url, data=data, headers=headers, timeout=self._timeout) as r:
                status, raw = r.status, await r.read()
        except (aiohttp.ClientError, TimeoutError) as err:
            log.debug("Graph API %s unreachable: %s", path, type(err).__name__)
            reason = str(err) or type(err).__name__
            raise GraphError(NETWORK_ERROR, "Network error", reason) from err
        return _parse(status, raw)

    async def _get(self, url: str, limit: int | None = None) -> tuple[int, bytes]:
        """GET with the bearer token: status and body; network failures as ``GraphError(0)``.

        With a `limit`, the body is read in pieces and the download stops past it
        (`MediaTooLarge`).
        """
        session = self._session_in_loop()
        try:
            async with session.get(url, headers=self._auth, timeout=self._timeout) as r:
                if limit is None:
                    return r.status, await r.read()
                return r.status, await _read_bounded(r, limit)
        except (aiohttp.ClientError, TimeoutError) as err:
            log.debug("Graph API download unreachable: %s", type(err).__name__)
            reason = str(err) or type(err).__name__
            raise GraphError(NETWORK_ERROR, "Network error", reason) from err

    def _session_in_loop(self) -> aiohttp.ClientSession:
        """The shared session, created lazily inside the running loop."""
        if self._closed:
            raise RuntimeError("GraphClient is closed")
        if self._session is None:
            self._session = aiohttp.ClientSession()
        return self._session
