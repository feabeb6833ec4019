"""What one client can hold of the server: connections, header time, web chat sockets, frames.

Over real TCP to the real application. On loopback every client is 127.0.0.1, and the
kernel lets a client speak from 127.0.0.2 too: the attacker connects from the first, the
health check and the webhooks' senders from the second.
"""

from __future__ import annotations

import asyncio
import json
import resource
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import WSCloseCode, WSMsgType

from bot.app import BotApp
from bot.config import Settings
from bot.connections import GuardedSite
from bot.housekeeping import tidy
from tests.fakes.graph_api import FakeGraphApi
from tests.store_driver import Person, open_conversations
from tests.whatsapp_driver import (
    APP_SECRET,
    WEBHOOK_PATH,
    encode,
    sign,
    text_body,
    whatsapp_settings,
)

ATTACKER, OTHER = "127.0.0.1", "127.0.0.2"


def settings_for(tmp_path: Path, **changes: Any) -> Settings:
    """The web chat alone on a fresh SQLite file, with some limits changed."""
    base = Settings(
        database_url=f"sqlite:///{tmp_path / 'web.db'}",
        web_host="127.0.0.1",
        web_port=0,
        pseudonym_secret=b"test",
    )
    return replace(base, **changes)


@asynccontextmanager
async def running(settings: Settings) -> AsyncIterator[BotApp]:
    """The bot started with these settings, stopped afterwards."""
    app = BotApp(settings)
    await app.start()
    try:
        yield app
    finally:
        await app.stop()


def open_connections(app: BotApp) -> int:
    """How many connections the server holds open now."""
    assert app.runner is not None
    (site,) = app.runner.sites
    assert isinstance(site, GuardedSite)
    return site.guard.total


async def connect(port: int, source: str) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """A raw TCP connection to the server from one loopback address."""
    return await asyncio.open_connection("127.0.0.1", port, local_addr=(source, 0))


async def healthz(port: int, source: str) -> int:
    """GET /healthz from one loopback address; the status."""
    connector = aiohttp.TCPConnector(local_addr=(source, 0), force_close=True)
    async with (
        aiohttp.ClientSession(connector=connector) as http,
        http.get(f"http://127.0.0.1:{port}/healthz", timeout=aiohttp.ClientTimeout(5)) as r,
    ):
        return r.status


async def closed_by_server(reader: asyncio.StreamReader, within: float) -> bool:
    """Whether the server closes the connection (EOF or reset) within `within` seconds."""
    try:
        while await asyncio.wait_for(reader.read(1024), within):
            pass
    except ConnectionError:
        return True
    except TimeoutError:
        return False
    return True


async def eventually(check: Callable[[], bool], within: float = 5.0) -> None:
    """Wait until `check()` holds (the server's side of a close comes a moment later)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not check():
        assert loop.time() < deadline, "the condition never held"
        await asyncio.sleep(0.05)


@pytest.mark.skipif(
    0 <= resource.getrlimit(resource.RLIMIT_NOFILE)[1] < 4500,  # RLIM_INFINITY is -1
    reason="the test holds 2,000 sockets on each side: the hard open-file limit is too low",
)
async def test_2000_idle_connections_from_one_address_leave_healthz_answering(
    tmp_path: Path,
) -> None:
    settings = settings_for(tmp_path, max_connections_per_address=50, header_timeout=1.0)
    async with running(settings) as app:
        idle = [await connect(app.port, ATTACKER) for _ in range(2000)]
        assert open_connections(app) <= 50, "beyond its cap an address is refused at once"
        assert await healthz(app.port, OTHER) == 200, "another address is still served"

        # The ones admitted never sent a header: closed at the deadline, and then the
        # attacker's own address is served again.
        readers = [reader for reader, _ in idle]
        closed = await asyncio.gather(*(closed_by_server(r, 5.0) for r in readers))
        assert all(closed)
        await eventually(lambda: open_connections(app) == 0)
        assert await healthz(app.port, ATTACKER) == 200
        for _, writer in idle:
            writer.close()


async def test_the_total_cap_refuses_beyond_it_and_frees_places_on_close(tmp_path: Path) -> None:
    settings = settings_for(tmp_path, max_connections=20, header_timeout=30.0)
    async with running(settings) as app:
        held = [await connect(app.port, OTHER) for _ in range(20)]
        await eventually(lambda: open_connections(app) == 20)
        reader, writer = await connect(app.port, ATTACKER)
        assert await closed_by_server(reader, 2.0), "the 21st connection is closed at once"
        writer.close()
        for _, w in held:
            w.close()
        await eventually(lambda: open_connections(app) == 0)
        assert await healthz(app.port, ATTACKER) == 200


async def test_slow_headers_are_cut_at_the_deadline(tmp_path: Path) -> None:
    settings = settings_for(tmp_path, header_timeout=1.0)
    async with running(settings) as app:
        reader, writer = await connect(app.port, ATTACKER)
        writer.write(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        cut = False
        for _ in range(20):  # one header byte every 0.2 s: 4 s in all if let through
            await asyncio.sleep(0.2)
            if reader.at_eof():
                cut = True
                break
            try:
                writer.write(b"X")
                await writer.drain()
            except ConnectionError:
                cut = True
                break
        assert cut or await closed_by_server(reader, 0.5), "slow headers closed the connection"
        writer.close()

        # A prompt client on a keep-alive connection is served, and its next request's
        # headers get their own deadline.
        reader, writer = await connect(app.port, ATTACKER)
        writer.write(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        assert b"200 OK" in await asyncio.wait_for(reader.readuntil(b"\r\n"), 5)
        writer.write(b"GET /healthz HTTP/1.1\r\nHo")
        assert await closed_by_server(reader, 3.0)
        writer.close()


async def test_a_slow_body_is_not_the_header_deadline(tmp_path: Path) -> None:
    async with FakeGraphApi() as graph:
        base = whatsapp_settings(f"sqlite:///{tmp_path / 'wa.db'}", graph.url)
        async with running(replace(base, header_timeout=0.5)) as app:
            body = encode(text_body("221770000001", "Bonjour"))
            head = (
                f"POST {WEBHOOK_PATH} HTTP/1.1\r\nHost: x\r\nContent-Length: {len(body)}\r\n"
                f"Content-Type: application/json\r\n"
                f"X-Hub-Signature-256: {sign(APP_SECRET, body)}\r\n\r\n"
            )
            reader, writer = await connect(app.port, ATTACKER)
            writer.write(head.encode())
            for part in (body[:10], body[10:20], body[20:]):  # the body over 1.2 s
                await asyncio.sleep(0.4)
                writer.write(part)
            status = await asyncio.wait_for(reader.readuntil(b"\r\n"), 5)
            assert b"200" in status, "headers were on time: a slow body is not cut"
            writer.close()


async def test_a_socket_that_never_says_hello_is_closed(tmp_path: Path) -> None:
    async with (
        running(settings_for(tmp_path, web_hello_timeout=0.5)) as app,
        aiohttp.ClientSession() as http,
        http.ws_connect(f"http://127.0.0.1:{app.port}/ws") as ws,
    ):
        message = await ws.receive(timeout=5)
        assert message.type is WSMsgType.CLOSE
        assert ws.close_code == WSCloseCode.POLICY_VIOLATION


async def test_sockets_per_address_are_capped(tmp_path: Path) -> None:
    async with (
        running(settings_for(tmp_path, web_sockets_per_address=3)) as app,
        aiohttp.ClientSession() as http,
    ):
        url = f"http://127.0.0.1:{app.port}/ws"
        sockets = [await http.ws_connect(url) for _ in range(3)]
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await http.ws_connect(url)
        assert refused.value.status == 429
        await sockets[0].close()
        await asyncio.sleep(0.1)
        again = await http.ws_connect(url)
        for ws in [*sockets[1:], again]:
            await ws.close()


async def first_frame(ws: aiohttp.ClientWebSocketResponse) -> dict[str, Any]:
    """The next frame the server sends."""
    frame = json.loads((await ws.receive(timeout=5)).data)
    assert isinstance(frame, dict)
    return frame


async def test_a_flooder_inventing_a_uid_per_connection_is_held_per_address(
    tmp_path: Path,
) -> None:
    settings = settings_for(tmp_path, web_address_flood_limit="5,1")
    async with running(settings) as app, aiohttp.ClientSession() as http:
        url = f"http://127.0.0.1:{app.port}/ws"
        answers = []
        for n in range(8):
            async with http.ws_connect(url) as ws:
                await ws.send_json({"type": "hello", "uid": f"invented-uid-{n:08d}"})
                answers.append(await first_frame(ws))
        greeted = [a for a in answers if a["type"] == "locale"]
        refused = [a for a in answers if a.get("code") == "flood"]
        assert len(greeted) == 5 and len(refused) == 3
        assert "Doucement" in refused[0]["text"]


async def test_one_socket_is_held_to_the_per_person_limit(tmp_path: Path) -> None:
    async with (
        running(settings_for(tmp_path, flood_limit="3,1")) as app,
        aiohttp.ClientSession() as http,
        http.ws_connect(f"http://127.0.0.1:{app.port}/ws") as ws,
    ):
        for n in range(5):  # a new uid each time: the socket's limit holds all the same
            await ws.send_json({"type": "hello", "uid": f"another-uid-{n:08d}"})
        frames = []
        while len([f for f in frames if f.get("code") == "flood"]) < 1:
            frames.append(await first_frame(ws))
        assert len([f for f in frames if f["type"] == "locale"]) == 3


async def test_a_deeply_nested_frame_is_answered_and_the_socket_stays(tmp_path: Path) -> None:
    async with (
        running(settings_for(tmp_path)) as app,
        aiohttp.ClientSession() as http,
        http.ws_connect(f"http://127.0.0.1:{app.port}/ws") as ws,
    ):
        for nested in ("[" * 30000 + "]" * 30000, '{"a":' * 5000 + "1" + "}" * 5000):
            await ws.send_str(nested)
            frame = await first_frame(ws)
            assert frame["type"] == "error" and frame["code"] == "nested"
        await ws.send_json({"type": "hello", "uid": "still-here-0123456789"})
        assert (await first_frame(ws))["type"] == "locale", "the socket still serves"


async def test_3000_hellos_with_invented_uids_store_no_row(database_url: str) -> None:
    settings = Settings(
        database_url=database_url, web_host="127.0.0.1", web_port=0, pseudonym_secret=b"t"
    )
    async with running(settings) as app, aiohttp.ClientSession() as http:
        url = f"http://127.0.0.1:{app.port}/ws"

        async def hellos(client: int) -> None:
            async with http.ws_connect(url) as ws:
                for n in range(100):
                    await ws.send_json({"type": "hello", "uid": f"invented-{client:04d}-{n:08d}"})
                    frames = [await first_frame(ws)]
                    while frames[-1]["type"] != "ask":
                        frames.append(await first_frame(ws))

        await asyncio.gather(*(hellos(client) for client in range(30)))
        assert app.conversations is not None
        store = app.conversations.store
        assert await store.count_users() == 0, "nothing is stored before a person answers"

        # The person who answers is stored from then on, and consent comes next.
        async with http.ws_connect(url) as ws:
            await ws.send_json({"type": "hello", "uid": "a-real-learner-0123456"})
            frames = [await first_frame(ws)]
            while frames[-1]["type"] != "ask":
                frames.append(await first_frame(ws))
            prompt = frames[-1]["prompt"]
            await ws.send_json({"type": "option", "id": "m1", "prompt": prompt, "option": "fr"})
            reply = []
            while not reply or reply[-1] != {"type": "ack", "id": "m1"}:
                reply.append(await first_frame(ws))
            assert any("accord" in str(f.get("text")) for f in reply), "consent is asked"
        assert await store.count_users() == 1


async def test_behind_a_trusted_proxy_each_forwarded_client_has_its_own_caps(
    tmp_path: Path,
) -> None:
    settings = settings_for(
        tmp_path,
        trusted_proxies="127.0.0.1",
        max_connections_per_address=3,
        web_sockets_per_address=2,
    )
    async with running(settings) as app, aiohttp.ClientSession() as http:
        url = f"http://127.0.0.1:{app.port}/ws"

        def by(client: str) -> dict[str, str]:
            return {"X-Forwarded-For": f"6.6.6.6, {client}"}  # the left part is the client's

        # The proxy's connections are not capped per address (five sockets > 3)...
        sockets = [await http.ws_connect(url, headers=by("41.82.0.1")) for _ in range(2)]
        sockets += [await http.ws_connect(url, headers=by("41.82.0.2")) for _ in range(2)]
        # ... while each client behind it is, by the address the proxy forwarded.
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await http.ws_connect(url, headers=by("41.82.0.1"))
        assert refused.value.status == 429
        sockets.append(await http.ws_connect(url, headers=by("41.82.0.3")))
        for ws in sockets:
            await ws.close()

        # An untrusted peer's X-Forwarded-For is not believed: its own address counts.
        other = aiohttp.TCPConnector(local_addr=(OTHER, 0))
        async with aiohttp.ClientSession(connector=other) as outsider:
            first = [await outsider.ws_connect(url, headers=by(f"41.82.1.{n}")) for n in (1, 2)]
            with pytest.raises(aiohttp.WSServerHandshakeError):
                await outsider.ws_connect(url, headers=by("41.82.1.3"))
            for ws in first:
                await ws.close()


async def test_web_newcomers_who_never_consent_are_forgotten(database_url: str) -> None:
    async with open_conversations(database_url) as talk:
        went_away = Person.on(talk, "web", "went-away-0123456789")
        await went_away.send("Bonjour")
        assert await talk.store.count_users() == 0, "a greeting stores nothing"
        await went_away.tap("Français")  # a row now: the language, and the consent asked
        learner = Person.on(talk, "web", "a-learner-0123456789")
        await learner.onboard()
        telegram = Person.on(talk, "telegram", "5551234")
        await telegram.send("Bonjour")  # a Telegram id is an account: its row is kept
        assert await talk.store.count_users() == 3

        assert await tidy(talk.store, datetime.now(UTC)) == 0
        assert await talk.store.count_users() == 3, "not before two days"
        await tidy(talk.store, datetime.now(UTC) + timedelta(days=3))
        assert await talk.store.count_users() == 2
        assert await talk.store.step_of(went_away.user) is None
        assert await talk.store.step_of(learner.user) is not None
