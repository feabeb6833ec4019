"""`python -m bot admin grant`: a typo in the id grants nobody, and the operator reads which
database was written to (never its password)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.__main__ import main
from bot.admin_cli import database_label
from tests.store_driver import Person, open_conversations


def test_the_database_is_named_without_its_password() -> None:
    url = "postgresql+asyncpg://imagine:s3cret@db.example.org:5432/imaginecole"
    assert database_label(url) == "postgresql+asyncpg://imagine@db.example.org:5432/imaginecole"
    assert database_label("sqlite:///var/imaginecole.db") == "sqlite:///var/imaginecole.db"
    assert "s3cret" not in database_label("postgresql://u:s3cret@[::1/db")


def test_an_unknown_id_is_refused_unless_created(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'bot.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    grant = ["admin", "grant", "--channel", "telegram", "--role", "regional_admin"]
    assert main([*grant, "--id", "4242"]) == 2
    err = capsys.readouterr().err
    assert "no telegram person with id '4242'" in err and "--create" in err and "/mon_id" in err
    assert str(tmp_path / "bot.db") in err

    async def onboard() -> None:
        async with open_conversations(url) as talk:
            await Person.on(talk, "telegram", "4243").onboard()

    asyncio.run(onboard())
    assert main([*grant, "--id", "4243"]) == 0
    out = capsys.readouterr().out
    assert f"database: {url}" in out and "roles now: regional_admin" in out

    assert main([*grant, "--id", "4244", "--create"]) == 0
    assert "roles now: regional_admin" in capsys.readouterr().out


def test_a_translator_is_given_a_language_not_a_country(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'bot.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    grant = ["admin", "grant", "--channel", "telegram", "--id", "4245", "--create"]
    assert main([*grant, "--role", "translator"]) == 2
    assert "translator needs --language, one of en, ar, wo, ha, bm, ff" in capsys.readouterr().err
    assert main([*grant, "--role", "translator", "--language", "fr"]) == 2  # the source
    capsys.readouterr()
    assert main([*grant, "--role", "translator", "--language", "wo"]) == 0
    assert "roles now: translator wo" in capsys.readouterr().out
    assert main([*grant, "--role", "translator", "--language", "ff"]) == 0
    assert "roles now: translator ff, translator wo" in capsys.readouterr().out
