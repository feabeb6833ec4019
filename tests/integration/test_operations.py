"""Operations: /metrics behind its token, /readyz following the database, JSON log lines."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import shutil
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import aiohttp
import asyncpg
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy.engine import make_url

from bot.app import BotApp
from bot.config import Settings
from bot.limits import WHATSAPP_BODY
from bot.logs import JsonFormatter
from bot.telegram.service import SECRET_HEADER
from tests.fakes.graph_api import FakeGraphApi
from tests.fakes.telegram_api import FakeBotApi
from tests.sender_support import broadcast
from tests.telegram_driver import SECRET, start_bot, telegram_settings
from tests.whatsapp_driver import WhatsAppLearner, text_body, whatsapp_settings

TOKEN = "metrics-token-for-tests"
Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


@pytest.fixture
async def api() -> AsyncIterator[FakeGraphApi]:
    async with FakeGraphApi() as fake:
        yield fake


@pytest.fixture
async def bot(database_url: str, api: FakeGraphApi) -> AsyncIterator[BotApp]:
    settings = whatsapp_settings(database_url, api.url, metrics_token=TOKEN, sender_enabled=False)
    app = await start_bot(settings)
    yield app
    await app.stop()


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


async def scrape(bot: BotApp, http: aiohttp.ClientSession, token: str | None = TOKEN) -> Samples:
    """Every sample of /metrics by (name, labels)."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with http.get(f"http://127.0.0.1:{bot.port}/metrics", headers=headers) as response:
        assert response.status == 200, response.status
        assert response.headers["Content-Type"].startswith("text/plain; version=")
        text = await response.text()
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    """One sample's value (0 when absent: a counter never incremented)."""
    return samples.get((name, frozenset(labels.items())), 0.0)


async def status_of(bot: BotApp, http: aiohttp.ClientSession, path: str, **headers: str) -> int:
    async with http.get(f"http://127.0.0.1:{bot.port}{path}", headers=headers) as response:
        return response.status


async def onboard(learner: WhatsAppLearner) -> None:
    """Language, consent, country, role, class."""
    await learner.send("Bonjour")
    for label in ("Français", "J'accepte", "Sénégal", "Élève", "CM2"):
        await learner.tap(label)


# --- /metrics ------------------------------------------------------------------------------


async def test_metrics_need_the_token(bot: BotApp, http: aiohttp.ClientSession) -> None:
    assert await status_of(bot, http, "/metrics") == 401
    assert await status_of(bot, http, "/metrics", Authorization="Bearer wrong") == 401
    assert await status_of(bot, http, "/metrics", Authorization=f"Bearer {TOKEN}") == 200


async def test_metrics_are_off_without_a_token(web_bot: BotApp) -> None:
    async with aiohttp.ClientSession() as http:
        assert await status_of(web_bot, http, "/metrics", Authorization="Bearer x") == 404


async def test_a_conversation_moves_the_counters_and_the_latency_histogram(
    bot: BotApp, api: FakeGraphApi, http: aiohttp.ClientSession
) -> None:
    learner = WhatsAppLearner(api, bot, http)
    before = await scrape(bot, http)
    await onboard(learner)
    await learner.post(text_body(learner.phone, "forgé"), signature="sha256=00")
    after = await scrape(bot, http)

    def moved(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert moved("imaginecole_updates_handled_total", channel="whatsapp") == 6
    assert moved("imaginecole_reply_seconds_count", channel="whatsapp") == 6
    assert moved("imaginecole_reply_seconds_bucket", channel="whatsapp", le="+Inf") == 6
    assert moved("imaginecole_reply_seconds_sum", channel="whatsapp") > 0
    assert moved("imaginecole_sends_total", channel="whatsapp", kind="reply") >= 6
    assert moved("imaginecole_webhook_rejections_total", channel="whatsapp", reason="signature")
    assert value(after, "imaginecole_active_learners", channel="whatsapp", window="1d") == 1
    assert value(after, "imaginecole_active_learners", channel="whatsapp", window="7d") == 1
    assert value(after, "imaginecole_database_up") == 1


async def test_the_outbox_depth_is_read_from_the_database(
    bot: BotApp, api: FakeGraphApi, http: aiohttp.ClientSession
) -> None:
    for phone in ("221770000001", "221770000002"):
        await onboard(WhatsAppLearner(api, bot, http, phone=phone))
    assert bot.store is not None
    await broadcast(bot.store, {"fr": "Rentrée lundi"})  # no sender here: it stays queued
    samples = await scrape(bot, http)
    labels = {"channel": "whatsapp", "status": "queued"}
    assert value(samples, "imaginecole_outbox_messages", **labels) == 2
    assert value(samples, "imaginecole_outbox_oldest_age_seconds", **labels) >= 0
    assert ("imaginecole_outbox_messages", frozenset(labels.items())) in samples


async def test_an_oversized_whatsapp_body_is_counted_as_rejected(
    bot: BotApp, http: aiohttp.ClientSession
) -> None:
    before = await scrape(bot, http)
    url = f"http://127.0.0.1:{bot.port}/whatsapp/webhook"
    async with http.post(url, data=b"x" * (WHATSAPP_BODY + 1)) as response:
        assert response.status == 413
    after = await scrape(bot, http)
    name, labels = "imaginecole_webhook_rejections_total", {"channel": "whatsapp"}
    assert value(after, name, **labels, reason="oversized") == (
        value(before, name, **labels, reason="oversized") + 1
    )


# --- /readyz -------------------------------------------------------------------------------


async def test_readyz_follows_the_database_while_healthz_stays_up(
    database_url: str, tmp_path: Path
) -> None:
    settings = Settings(
        database_url=database_url,
        web_host="127.0.0.1",
        web_port=0,
        pseudonym_secret=b"t",
        sender_enabled=False,
    )
    app = await start_bot(settings)
    try:
        async with aiohttp.ClientSession() as http:
            assert await status_of(app, http, "/readyz") == 200
            async with unreachable(app, database_url, tmp_path):
                assert await status_of(app, http, "/readyz") == 503
                assert await status_of(app, http, "/healthz") == 200
            assert await status_of(app, http, "/readyz") == 200
    finally:
        await app.stop()


def unreachable(app: BotApp, database_url: str, tmp_path: Path) -> _Away:
    """Take the database away for real: its SQLite folder moved, or the PostgreSQL database
    renamed after its connections are cut."""
    return _Away(app, database_url, tmp_path)


class _Away:
    def __init__(self, app: BotApp, database_url: str, tmp_path: Path) -> None:
        self.app, self.url, self.tmp_path = app, make_url(database_url), tmp_path

    async def __aenter__(self) -> None:
        assert self.app.engine is not None
        await self.app.engine.dispose()  # no pooled connection hides the outage
        if self.url.drivername.startswith("sqlite"):
            shutil.move(self.tmp_path / "var", self.tmp_path / "away")
        else:
            await self._rename(str(self.url.database), f"{self.url.database}_away")

    async def __aexit__(self, *_: object) -> None:
        if self.url.drivername.startswith("sqlite"):
            shutil.move(self.tmp_path / "away", self.tmp_path / "var")
        else:
            await self._rename(f"{self.url.database}_away", str(self.url.database))

    async def _rename(self, old: str, new: str) -> None:
        """Rename a database its bot keeps reconnecting to: new connections are refused
        first, then the open ones are cut and their end awaited (pg_terminate_backend only
        signals), so no background loop slips in between the cut and the rename."""
        server = make_url(os.environ["TEST_POSTGRES_URL"]).set(drivername="postgresql")
        admin = await asyncpg.connect(server.render_as_string(hide_password=False))
        try:
            await admin.execute(f'ALTER DATABASE "{old}" WITH ALLOW_CONNECTIONS false')
            for _ in range(200):
                left = await admin.fetchval(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE datname = $1 AND pid <> pg_backend_pid()",
                    old,
                )
                if not left:
                    break
                await asyncio.sleep(0.05)
            await admin.execute(f'ALTER DATABASE "{old}" RENAME TO "{new}"')
            await admin.execute(f'ALTER DATABASE "{new}" WITH ALLOW_CONNECTIONS true')
        finally:
            await admin.close()


# --- JSON logs -----------------------------------------------------------------------------


async def test_json_log_lines_carry_fields_but_no_phone_number_or_text(
    bot: BotApp, api: FakeGraphApi, http: aiohttp.ClientSession, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    learner = WhatsAppLearner(api, bot, http)
    await onboard(learner)
    await learner.send("Mon secret est 0102030405")
    await learner.post(text_body(learner.phone, "forgé"), signature=None)
    lines = [JsonFormatter().format(record) for record in caplog.records]
    assert all("\n" not in line for line in lines), "one object per line"
    entries = [json.loads(line) for line in lines]
    handled = [e for e in entries if e["message"].startswith("handled ")]
    assert len(handled) == 7
    first = handled[0]
    assert {"time", "level", "logger", "message", "pid"} <= set(first)
    assert first["channel"] == "whatsapp" and first["event"] == "TextReceived"
    assert isinstance(first["ms"], float) and len(first["user"]) >= 8
    assert first["level"] == "INFO" and first["logger"] == "imaginecole.conversations"
    logged = "\n".join(lines)
    assert learner.phone not in logged
    assert "0102030405" not in logged and "secret" not in logged and "Bonjour" not in logged


async def test_telegram_webhook_rejections_are_counted_by_reason(
    database_url: str, http: aiohttp.ClientSession
) -> None:
    async with FakeBotApi() as fake:
        settings = replace(telegram_settings(database_url, fake.url), metrics_token=TOKEN)
        app = await start_bot(settings)
        try:
            before = await scrape(app, http)
            url = f"http://127.0.0.1:{app.port}/telegram/webhook"
            wrong = {SECRET_HEADER: "wrong"}
            async with http.post(url, json={"update_id": 1}, headers=wrong) as response:
                assert response.status == 401
            right = {SECRET_HEADER: SECRET, "Content-Type": "application/json"}
            async with http.post(url, data=b"[" * (2 * 1024 * 1024), headers=right) as response:
                assert response.status == 413
            after = await scrape(app, http)
        finally:
            await app.stop()
    name = "imaginecole_webhook_rejections_total"
    for reason in ("secret", "oversized"):
        labels = {"channel": "telegram", "reason": reason}
        assert value(after, name, **labels) == value(before, name, **labels) + 1
