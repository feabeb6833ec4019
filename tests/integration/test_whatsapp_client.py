"""GraphClient against the fake Graph API over real HTTP: sends, uploads, refusals, limits."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from bot.whatsapp.client import GraphClient, GraphError
from tests.fakes.graph_api import FakeGraphApi

TOKEN = "EAAG-test-token"
PHONE_ID = "106540352242922"
VERSION = "v21.0"
LEARNER = "221770000001"
OTHER = "22507000002"
Handler = Callable[[web.Request], Awaitable[web.Response]]


@pytest.fixture
async def api() -> AsyncIterator[FakeGraphApi]:
    """A running fake Graph API."""
    async with FakeGraphApi(access_token=TOKEN, phone_number_id=PHONE_ID) as fake:
        yield fake


@pytest.fixture
async def client(api: FakeGraphApi) -> AsyncIterator[GraphClient]:
    """A client of the fake, closed afterwards."""
    graph = make_client(api.url)
    yield graph
    await graph.close()


def make_client(url: str, token: str = TOKEN, timeout: float = 5.0) -> GraphClient:
    """A GraphClient for the test phone number."""
    return GraphClient(
        base_url=url,
        api_version=VERSION,
        phone_number_id=PHONE_ID,
        access_token=token,
        timeout=timeout,
    )


def text(body: str, to: str = LEARNER) -> dict[str, Any]:
    """A text message payload."""
    return {"to": to, "type": "text", "text": {"body": body}}


def buttons(*titles: str, body: str = "Quelle est la capitale du Sénégal ?") -> dict[str, Any]:
    """A reply-buttons message payload."""
    replies = [
        {"type": "reply", "reply": {"id": f"o{i}", "title": t}} for i, t in enumerate(titles)
    ]
    action = {"buttons": replies}
    interactive = {"type": "button", "body": {"text": body}, "action": action}
    return {"to": LEARNER, "type": "interactive", "interactive": interactive}


def a_list(rows: int, *, title: str = "Leçon", button: str = "Choisir") -> dict[str, Any]:
    """A list message payload with ``rows`` rows in one section."""
    section = {"rows": [{"id": f"r{i}", "title": f"{title} {i}"} for i in range(rows)]}
    action = {"button": button, "sections": [section]}
    interactive = {"type": "list", "body": {"text": "Les leçons"}, "action": action}
    return {"to": LEARNER, "type": "interactive", "interactive": interactive}


@asynccontextmanager
async def tiny_server(handler: Handler) -> AsyncIterator[str]:
    """A local server answering every POST with ``handler``; yields its base URL."""
    app = web.Application()
    app.router.add_post("/{tail:.*}", handler)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    try:
        yield f"http://127.0.0.1:{runner.addresses[0][1]}"
    finally:
        await runner.cleanup()


async def refusal(client: GraphClient, payload: dict[str, Any]) -> GraphError:
    """The GraphError a send raises."""
    with pytest.raises(GraphError) as caught:
        await client.send(payload)
    return caught.value


# -- sending and uploading ----------------------------------------------------------------


async def test_text_send_returns_the_wamid_and_the_fake_has_the_payload(
    api: FakeGraphApi, client: GraphClient
) -> None:
    wamid = await client.send(text("Bonjour, Aïssatou ! مرحبا"))
    assert wamid.startswith("wamid.")
    [sent] = api.sent(LEARNER)
    assert sent["wamid"] == wamid
    assert sent["messaging_product"] == "whatsapp"
    assert sent["recipient_type"] == "individual"
    assert sent["text"] == {"body": "Bonjour, Aïssatou ! مرحبا"}
    assert api.texts(LEARNER) == ["Bonjour, Aïssatou ! مرحبا"]


async def test_each_send_gets_its_own_wamid_in_order(
    api: FakeGraphApi, client: GraphClient
) -> None:
    ids = [await client.send(text(f"Message {i}")) for i in range(3)]
    assert len(set(ids)) == 3
    assert [m["wamid"] for m in api.sent()] == ids
    assert api.texts() == ["Message 0", "Message 1", "Message 2"]


async def test_json_goes_out_as_utf8_not_ascii_escapes() -> None:
    seen: list[bytes] = []

    async def keep(request: web.Request) -> web.Response:
        seen.append(await request.read())
        return web.json_response({"messages": [{"id": "wamid.X"}]})

    async with tiny_server(keep) as url:
        graph = make_client(url)
        assert await graph.send(text("Séance d'été")) == "wamid.X"
        await graph.close()
    assert "Séance d'été".encode() in seen[0]


async def test_interactive_texts_show_body_and_options(
    api: FakeGraphApi, client: GraphClient
) -> None:
    await client.send(buttons("Dakar", "Thiès", "Saint-Louis"))
    await client.send(a_list(2))
    assert api.texts(LEARNER) == [
        "Quelle est la capitale du Sénégal ?\nDakar\nThiès\nSaint-Louis",
        "Les leçons\nLeçon 0\nLeçon 1",
    ]


async def test_upload_returns_a_media_id_and_the_fake_got_bytes_and_mime(
    api: FakeGraphApi, client: GraphClient
) -> None:
    data = b"%PDF-1.7 livret"
    media_id = await client.upload(data, "application/pdf", "livret-fractions.pdf")
    upload = api.uploads[media_id]
    assert (upload.filename, upload.mime, upload.size, upload.data) == (
        "livret-fractions.pdf",
        "application/pdf",
        len(data),
        data,
    )
    caption = "Votre livret"
    document = {"id": media_id, "caption": caption, "filename": "livret.pdf"}
    await client.send({"to": LEARNER, "type": "document", "document": document})
    assert api.texts(LEARNER) == [caption]


async def test_an_unsupported_upload_type_is_refused(client: GraphClient) -> None:
    with pytest.raises(GraphError) as caught:
        await client.upload(b"<svg/>", "image/svg+xml", "schema.svg")
    assert (caught.value.code, caught.value.status) == (131053, 400)


async def test_wait_for_waits_for_concurrent_sends(api: FakeGraphApi, client: GraphClient) -> None:
    waiting = asyncio.create_task(api.wait_for(2, to=LEARNER))
    await asyncio.gather(client.send(text("un")), client.send(text("deux", to=OTHER)))
    assert not waiting.done()
    await client.send(text("trois"))
    assert [m["text"]["body"] for m in await waiting] == ["un", "trois"]


async def test_wait_for_explains_a_timeout(api: FakeGraphApi, client: GraphClient) -> None:
    api.unreachable.add(LEARNER)
    await refusal(client, text("perdu"))
    with pytest.raises(TimeoutError, match=r"expected 1 message\(s\) to 221770000001.*131026"):
        await api.wait_for(1, to=LEARNER, timeout=0.05)


# -- refusals -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "http_status", "retryable"),
    [
        (131047, 400, False),  # re-engagement: outside the 24 h window, a template is needed
        (131026, 400, False),  # undeliverable
        (131009, 400, False),  # invalid parameter
        (130429, 429, True),  # throughput rate limit, as HTTP 429
        (130429, 400, True),  # the same code as HTTP 400: the code alone makes it retryable
        (131056, 400, True),  # pair rate limit
        (80007, 400, True),  # WABA rate limit
        (4, 400, True),  # application request limit
        (131000, 500, True),  # server error
    ],
)
async def test_injected_errors_become_graph_errors(
    api: FakeGraphApi, client: GraphClient, code: int, http_status: int, retryable: bool
) -> None:
    api.fail_next(code, http_status=http_status)
    error = await refusal(client, text("Bonjour"))
    assert (error.code, error.status, error.retryable) == (code, http_status, retryable)
    assert error.title and "(#" not in error.title
    assert api.sent() == []
    assert api.refusals() == [code]
    await client.send(text("Bonjour"))  # the failure was used up
    assert len(api.sent()) == 1


async def test_graph_error_carries_title_and_details(
    api: FakeGraphApi, client: GraphClient
) -> None:
    api.fail_next(131047)
    error = await refusal(client, text("Bonjour"))
    assert error.title == "Re-engagement message"
    assert "24 hours" in error.details
    assert "131047" in str(error)


async def test_failures_target_one_recipient_and_repeat(
    api: FakeGraphApi, client: GraphClient
) -> None:
    api.fail_next(131056, to=LEARNER, times=2)
    await client.send(text("à un autre", to=OTHER))
    assert (await refusal(client, text("un"))).code == 131056
    assert (await refusal(client, text("deux"))).code == 131056
    await client.send(text("trois"))
    assert api.texts(LEARNER) == ["trois"]
    assert api.refusals(LEARNER) == [131056, 131056]


async def test_unreachable_recipients_always_get_131026(
    api: FakeGraphApi, client: GraphClient
) -> None:
    api.unreachable.add(OTHER)
    for _ in range(2):
        error = await refusal(client, text("Bonjour", to=OTHER))
        assert (error.code, error.retryable) == (131026, False)
    await client.send(text("Bonjour"))
    assert api.refusals(OTHER) == [131026, 131026]


async def test_wrong_token_gives_190(api: FakeGraphApi) -> None:
    graph = make_client(api.url, token="not-the-token")
    try:
        error = await refusal(graph, text("Bonjour"))
        with pytest.raises(GraphError) as upload_error:
            await graph.upload(b"x", "image/png", "x.png")
    finally:
        await graph.close()
    assert (error.code, error.status, error.retryable) == (190, 401, False)
    assert upload_error.value.code == 190
    assert api.sent() == [] and api.uploads == {}


async def test_wrong_phone_number_id_is_refused(api: FakeGraphApi) -> None:
    graph = GraphClient(
        base_url=api.url, api_version=VERSION, phone_number_id="999", access_token=TOKEN
    )
    try:
        error = await refusal(graph, text("Bonjour"))
    finally:
        await graph.close()
    assert (error.code, error.subcode, error.status) == (100, 33, 400)


async def test_non_json_error_body_keeps_the_http_status() -> None:
    async def broken(request: web.Request) -> web.Response:
        return web.Response(status=502, text="<html>Bad gateway</html>")

    async with tiny_server(broken) as url:
        graph = make_client(url)
        error = await refusal(graph, text("Bonjour"))
        await graph.close()
    assert (error.code, error.status, error.retryable) == (0, 502, True)


# -- Meta's limits: the fake protects the renderer ----------------------------------------


@pytest.mark.parametrize(
    ("payload", "named"),
    [
        (text("x" * 4097), "text.body is 4097 characters long; the limit is 4096"),
        (text(""), "text.body is required"),
        (buttons("Une réponse bien longue"), "reply.title is 23 characters long; the limit is 20"),
        (buttons("Dakar", "x" * 21), "buttons[1].reply.title is 21 characters long"),
        (buttons("A", "B", "C", "D"), "buttons must hold 1 to 3; got 4"),
        (buttons(), "buttons must hold 1 to 3; got 0"),
        (buttons("A", body="x" * 1025), "interactive.body.text is 1025 characters long"),
        (a_list(11), "at most 10 rows in all; got 11"),
        (a_list(2, title="x" * 30), "rows[0].title is 32 characters long; the limit is 24"),
        (a_list(2, button="Choisir une leçon ici"), "interactive.action.button is 21 characters"),
        ({"to": LEARNER, "type": "image", "image": {}}, "exactly one of id or link"),
        ({"to": LEARNER, "type": "gif", "gif": {}}, "type 'gif' is not a supported"),
        ({"type": "text", "text": {"body": "x"}}, "to is required"),
        ({"to": LEARNER, "type": "template", "template": {"name": "rappel"}}, "template.language"),
        ({**text("x"), "messaging_product": "sms"}, "messaging_product must be 'whatsapp'"),
    ],
)
async def test_limit_violations_are_refused_with_131009(
    api: FakeGraphApi, client: GraphClient, payload: dict[str, Any], named: str
) -> None:
    error = await refusal(client, payload)
    assert (error.code, error.status, error.retryable) == (131009, 400, False)
    assert named in error.details
    assert api.sent() == []


async def test_list_details_name_each_limit(api: FakeGraphApi, client: GraphClient) -> None:
    payload = a_list(2)
    payload["interactive"]["action"]["sections"][0]["rows"][1]["id"] = "r0"
    assert "repeated: ['r0']" in (await refusal(client, payload)).details
    payload = a_list(1)
    payload["interactive"]["action"]["sections"][0]["rows"][0]["description"] = "d" * 73
    assert (
        "description is 73 characters long; the limit is 72"
        in (await refusal(client, payload)).details
    )
    payload = buttons("Oui", "Non")
    payload["interactive"]["header"] = {"type": "text", "text": "h" * 61}
    assert (
        "header.text is 61 characters long; the limit is 60"
        in (await refusal(client, payload)).details
    )


async def test_what_is_within_the_limits_goes_through(
    api: FakeGraphApi, client: GraphClient
) -> None:
    await client.send(text("x" * 4096))
    await client.send(buttons("a" * 20, "b" * 20, "c" * 20, body="y" * 1024))
    await client.send(a_list(10, title="t" * 20))
    image = {"link": "https://example.org/carte.png", "caption": "c" * 1024}
    await client.send({"to": LEARNER, "type": "image", "image": image})
    template = {"name": "rappel_lecon", "language": {"code": "fr"}}
    await client.send({"to": LEARNER, "type": "template", "template": template})
    assert len(api.sent(LEARNER)) == 5
    assert api.texts(LEARNER)[-1] == "rappel_lecon"


# -- network, pacing, lifecycle -----------------------------------------------------------


def free_port() -> int:
    """A local port nobody listens on (bound then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


async def test_a_server_that_is_down_gives_a_retryable_network_error() -> None:
    graph = make_client(f"http://127.0.0.1:{free_port()}")
    try:
        error = await refusal(graph, text("Bonjour"))
        with pytest.raises(GraphError) as upload_error:
            await graph.upload(b"x", "image/png", "x.png")
    finally:
        await graph.close()
    assert (error.code, error.status, error.retryable) == (0, 0, True)
    assert upload_error.value.retryable


async def test_a_lost_answer_times_out_as_a_retryable_error_but_was_delivered(
    api: FakeGraphApi,
) -> None:
    api.delay_next(2.0)
    graph = make_client(api.url, timeout=0.2)
    try:
        error = await refusal(graph, text("Bonjour"))
    finally:
        await graph.close()
    assert (error.code, error.retryable) == (0, True)
    assert api.texts(LEARNER) == ["Bonjour"]  # the ambiguity a sender must live with


async def test_the_fake_keeps_request_times_per_recipient(
    api: FakeGraphApi, client: GraphClient
) -> None:
    api.fail_next(131056, to=LEARNER)
    for body in ("un", "deux"):
        await client.send(text(body, to=OTHER))
    await refusal(client, text("trois"))
    await client.send(text("quatre"))
    times = api.times(LEARNER)
    assert len(times) == 2 and times == sorted(times)
    assert len(api.times(LEARNER, accepted_only=True)) == 1
    assert len(api.times()) == 4
    assert api.accepted == {OTHER: 2, LEARNER: 1}


async def test_read_receipts_are_answered_with_success(api: FakeGraphApi) -> None:
    receipt = {"messaging_product": "whatsapp", "status": "read", "message_id": "wamid.IN1"}
    async with aiohttp.ClientSession() as session:
        response = await session.post(
            f"{api.url}/{VERSION}/{PHONE_ID}/messages",
            json=receipt,
            headers={"Authorization": f"Bearer {TOKEN}"},
        )
        assert await response.json() == {"success": True}
    assert api.read_receipts == ["wamid.IN1"] and api.sent() == []


async def test_close_closes_the_session_it_created(api: FakeGraphApi) -> None:
    graph = make_client(api.url)
    await graph.send(text("Bonjour"))
    session = graph._session
    assert session is not None and not session.closed
    await graph.close()
    assert session.closed and graph.closed
    with pytest.raises(RuntimeError, match="closed"):
        await graph.send(text("encore"))


async def test_close_leaves_a_given_session_open(api: FakeGraphApi) -> None:
    async with aiohttp.ClientSession() as session:
        graph = GraphClient(
            base_url=api.url,
            api_version=VERSION,
            phone_number_id=PHONE_ID,
            access_token=TOKEN,
            session=session,
        )
        await graph.send(text("Bonjour"))
        await graph.close()
        assert not session.closed
