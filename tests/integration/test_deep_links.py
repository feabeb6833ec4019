"""A booklet's short link /l/<course>/<lesson> opens the web chat on that lesson."""

from __future__ import annotations

import aiohttp
import pytest

from bot.app import BotApp


async def test_a_lesson_link_redirects_to_the_chat_with_a_start_payload(web_bot: BotApp) -> None:
    base = f"http://127.0.0.1:{web_bot.port}"
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{base}/l/paludisme/moustiquaire", allow_redirects=False) as response:
            assert response.status == 302
            assert response.headers["Location"] == "/?start=l_paludisme__moustiquaire"
        async with http.get(f"{base}/l/fractions/comparer") as response:
            assert response.status == 200
            assert str(response.url).endswith("/?start=l_fractions__comparer")
            assert "<html" in (await response.text()).lower()


@pytest.mark.parametrize(
    "path",
    [
        "/l/paludisme/inconnue",
        "/l/inconnu/moustiquaire",
        "/l/paludisme",
        "/l/PALUDISME/moustiquaire",
        "/l/paludisme/moustiquaire/extra",
    ],
)
async def test_an_unknown_lesson_link_is_not_found(web_bot: BotApp, path: str) -> None:
    async with (
        aiohttp.ClientSession() as http,
        http.get(f"http://127.0.0.1:{web_bot.port}{path}", allow_redirects=False) as response,
    ):
        assert response.status == 404
