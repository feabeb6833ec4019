"""What only SMS learners do, through the real bot and a fake smsbox (tests/chat_drivers.py's
SmsChat). The shared journeys run on SMS in tests/integration/test_same_journey.py (texts
compared as SMS shows them: GSM-7, no emoji, "ça" as "ca")."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack

import aiohttp
import pytest

from tests.chat_drivers import SmsChat, Unsupported, open_chat
from tests.integration.test_same_journey import answer, onboard, open_lesson, read_to_the_quiz


@pytest.fixture
async def chat(database_url: str) -> AsyncIterator[SmsChat]:
    async with AsyncExitStack() as stack:
        http = await stack.enter_async_context(aiohttp.ClientSession())
        sms = await open_chat("sms", database_url, http, stack)
        assert isinstance(sms, SmsChat)
        yield sms


async def test_progres_and_aide_typed_without_slash_keep_the_learner_where_they_were(
    chat: SmsChat,
) -> None:
    await onboard(chat)
    await open_lesson(chat)
    await read_to_the_quiz(chat)
    await answer(chat, right=True)
    asked = chat.options()
    await chat.send("PROGRES")
    assert "Vos progrès" in chat.last_text()
    assert "Question 2 sur 4" in chat.last_text()
    assert chat.options() == asked
    await chat.send("AIDE")
    assert "PROGRES : vos progrès" in chat.last_text()
    assert chat.options() == asked
    await answer(chat, right=True)
    assert "Question 3 sur 4" in chat.last_text(), "the quiz went on"


async def test_what_sms_cannot_carry_is_said_plainly(chat: SmsChat) -> None:
    await onboard(chat)
    with pytest.raises(Unsupported):
        await chat.send_photo()
    with pytest.raises(Unsupported):
        await chat.tap("Aide", of="an old message")
