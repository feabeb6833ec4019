"""Outside a channel's own folder, code asks what a channel can do, never which one it is
(issue 18): a channel name in a string literal is found here, bar the few allowed below."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from bot.channels import LISTED, NAMES
from bot.config import Settings

ROOT = Path(__file__).resolve().parents[2]
# Where names belong: each channel's own folder, the registry, the settings.
OWN = ("bot/telegram/", "bot/whatsapp/", "bot/web/", "bot/sms/", "bot/ussd/")
PLACES = ("bot/channels.py", "bot/config.py")
# The names that remain elsewhere, each with its reason.
ALLOWED = {
    # A folder of files the server serves (the page's scripts), not a channel.
    ("bot/server.py", 'STATIC = Path(__file__).resolve().parent / "web" / "static"'),
    # python-telegram-bot's own logger, kept quiet at INFO.
    ("bot/logs.py", 'NOISY = ("httpx", "telegram", "aiohttp.access", "alembic.runtime.plugins"'),
    # A migration is history: it runs on the data as it was when written.
    ("bot/storage/migrations/versions/0027_web_inbox.py", "WHERE u.channel = 'web' ORDER BY"),
}
NAME = re.compile("[\"'](" + "|".join(NAMES) + ")[\"']")


def found() -> set[tuple[str, str]]:
    hits = set()
    for folder in ("bot", "dialogs"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            if relative.startswith(OWN) or relative in PLACES:
                continue
            for line in path.read_text(encoding="utf-8").splitlines():
                if NAME.search(line):
                    hits.add((relative, line.strip()))
    return hits


def test_no_channel_name_outside_the_channels_folders_bar_the_allowed_ones() -> None:
    unexplained = {
        (path, line)
        for path, line in found()
        if not any(path == where and start in line for where, start in ALLOWED)
    }
    assert unexplained == set(), "ask ctx.caps / bot.channels.capabilities() instead"


def test_every_allowed_exception_is_still_there() -> None:
    hits = found()
    for where, start in ALLOWED:
        assert any(path == where and start in line for path, line in hits), where


def test_no_channel_name_in_the_dialogs_at_all() -> None:
    assert not any(path.startswith("dialogs/") for path, _ in found())


def test_a_channel_is_enabled_by_its_settings() -> None:
    bare = Settings(database_url="sqlite://")
    assert [name for name, listed in LISTED.items() if listed.enabled(bare)] == ["web"]
    both = replace(
        bare,
        telegram_bot_token="1:abc",
        whatsapp_access_token="token",
        whatsapp_phone_number_id="1",
        whatsapp_app_secret="secret",
        sms_kannel_url="http://127.0.0.1:13013",
        sms_secret="secret",
        ussd_secret="path-token",
    )
    assert [name for name, listed in LISTED.items() if listed.enabled(both)] == list(NAMES)
    assert not LISTED["sms"].enabled(replace(both, sms_secret=""))  # no unauthenticated get-url
