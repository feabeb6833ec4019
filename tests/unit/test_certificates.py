"""Certificate codes: Ed25519 signatures that any changed character breaks; CLI and web page."""

from __future__ import annotations

import base64
import string
from datetime import date
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from bot.__main__ import main
from bot.certificates import signing
from bot.certificates.service import SignedCertificates
from bot.server import build_server
from bot.storage.db import create_engine
from bot.web.chat import WebChat
from dialogs.certificate_ports import Certificate
from tests.driver import bundled_library

AWA = Certificate(7, "Awa Diop", "fractions", date(2026, 11, 29), 85)
ALPHABET = string.ascii_uppercase + "234567"


def test_a_signed_code_verifies_and_says_what_it_certifies() -> None:
    key = Ed25519PrivateKey.generate()
    code = signing.sign(key, AWA)
    assert signing.verify(key.public_key(), code) == AWA
    assert set(code) <= set(ALPHABET) and len(code) < 250  # fits a QR code easily


def test_every_single_character_change_is_detected() -> None:
    key = Ed25519PrivateKey.generate()
    code = signing.sign(key, AWA)
    public = key.public_key()
    for i, original in enumerate(code):
        for other in ALPHABET.replace(original, "") + "a=-":
            changed = code[:i] + other + code[i + 1 :]
            assert signing.verify(public, changed) is None, (i, other)
    assert signing.verify(public, code[:-1]) is None
    assert signing.verify(public, code + "A") is None


def test_another_key_does_not_verify() -> None:
    code = signing.sign(Ed25519PrivateKey.generate(), AWA)
    assert signing.verify(Ed25519PrivateKey.generate().public_key(), code) is None


def test_a_generated_key_is_kept_beside_the_database(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/bot.db"
    first = signing.load_key("", url)
    again = signing.load_key("", url)
    assert signing.public_to_text(first.public_key()) == signing.public_to_text(again.public_key())
    assert (tmp_path / "certificate_signing.key").exists()


def test_the_cli_verifies_offline(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    key = Ed25519PrivateKey.generate()
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/bot.db")
    monkeypatch.setenv("CERTIFICATE_SIGNING_KEY", signing.private_to_text(key))
    code = signing.sign(key, AWA)
    assert main(["certificate", "public-key"]) == 0
    public = capsys.readouterr().out.strip()
    assert base64.b64decode(public) and len(base64.b64decode(public)) == 32
    assert main(["certificate", "verify", code, "--public-key", public]) == 0
    out = capsys.readouterr().out
    assert "Awa Diop" in out and "fractions" in out and "2026-11-29" in out and "85%" in out
    assert main(["certificate", "verify", code]) == 0  # the deployment's own key
    capsys.readouterr()
    tampered = code[:10] + ("A" if code[10] != "A" else "B") + code[11:]
    assert main(["certificate", "verify", tampered]) == 1
    assert capsys.readouterr().out.strip() == "INVALID"


async def test_the_verify_page(tmp_path: Path) -> None:
    certifier = SignedCertificates(Ed25519PrivateKey.generate(), "https://ecole.example.org")
    code = certifier.code(AWA)
    engine = create_engine(f"sqlite:///{tmp_path}/bot.db")
    app = build_server(engine, bundled_library(), WebChat(None), [], certifier)  # type: ignore[arg-type]
    async with TestClient(TestServer(app)) as client:
        good = await client.get(f"/verify/{code}")
        assert good.status == 200
        page = await good.text()
        assert "Certificat authentique" in page and "Awa Diop" in page and "85 %" in page
        bad = await client.get(f"/verify/{code[:-3]}AAA")
        assert bad.status == 404 and "INVALIDE" in await bad.text()
    await engine.dispose()
