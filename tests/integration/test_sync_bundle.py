"""The sync by file (bot/sync_bundle.py), through the command line of both sides: a school's
records on a USB stick to the national instance, the national courses back; a bundle
imported twice changes nothing, a tampered one or a stranger's is refused whole."""

from __future__ import annotations

import base64
import json
import os
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from bot.app import BotApp
from bot.certificates.signing import private_to_text, public_to_text
from tests.integration.test_sync import (
    FIRST,
    ROOT,
    SCHOOL,
    STOP,
    _run,
    address,
    announce,
    journal,
    learner_does_a_quiz,
    publish_nationally,
    rows,
    syncer,
)
from tests.integration.test_sync import http as http  # the fixtures
from tests.integration.test_sync import national as national
from tests.integration.test_sync import school as school

SCHOOL_KEY = Ed25519PrivateKey.generate()
NATIONAL_KEY = Ed25519PrivateKey.generate()


def side(app: BotApp, key: Ed25519PrivateKey, **settings: str) -> dict[str, str]:
    """The environment of one side's command line."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SYNC_", "DATABASE_URL"))}
    return {
        **env,
        "PYTHONPATH": ROOT,
        "DATABASE_URL": app.settings.database_url,
        "CERTIFICATE_SIGNING_KEY": private_to_text(key),
        **settings,
    }


def at_school(app: BotApp) -> dict[str, str]:
    national_key = public_to_text(NATIONAL_KEY.public_key())
    return side(app, SCHOOL_KEY, SYNC_SCHOOL=SCHOOL, SYNC_NATIONAL_KEY=national_key)


def at_national(app: BotApp) -> dict[str, str]:
    schools = f"{SCHOOL}:{public_to_text(SCHOOL_KEY.public_key())}"
    return side(app, NATIONAL_KEY, SYNC_SCHOOL_KEYS=schools)


async def test_records_and_courses_go_by_usb_stick_once(
    school: BotApp, national: BotApp, http: aiohttp.ClientSession, tmp_path: Path
) -> None:
    await learner_does_a_quiz(school, http)
    stick = tmp_path / "stick"
    stick.mkdir()
    records = stick / "jardin.bundle"

    exported = await _run(tmp_path, at_school(school), "sync", "export", str(records))
    assert f"{records}: 8 records," in exported
    imported = await _run(tmp_path, at_national(national), "sync", "import", str(records))
    assert f"records from {SCHOOL}: 8 new, 0 known" in imported
    twice = await _run(tmp_path, at_national(national), "sync", "import", str(records))
    assert f"records from {SCHOOL}: 0 new, 8 known" in twice
    assert len(await journal(national)) == 8
    # The records went by stick: the next sync over the network sends them no more, and a
    # lost stick is made again with --all, harmlessly.
    assert (await syncer(school, address(national)).run()).pushed == 0
    await _run(tmp_path, at_school(school), "sync", "export", str(records), "--all")
    again = await _run(tmp_path, at_national(national), "sync", "import", str(records))
    assert "0 new, 8 known" in again

    await publish_nationally(national, FIRST, datetime.now(UTC))
    courses = stick / "national.bundle"
    written = await _run(
        tmp_path, at_national(national), "sync", "export", str(courses), "--courses"
    )
    assert f"{courses}: 1 courses," in written
    applied = await _run(tmp_path, at_school(school), "sync", "import", str(courses))
    assert "courses: 1 new, 0 updated" in applied
    assert "courses: 0 new, 0 updated" in await _run(
        tmp_path, at_school(school), "sync", "import", str(courses)
    )
    pulled = await rows(school, "SELECT course_id, status FROM authored_courses")
    assert pulled == [("compost", "published")]


async def test_announcements_go_by_usb_stick_once_then_not_again_by_network(
    school: BotApp, national: BotApp, http: aiohttp.ClientSession, tmp_path: Path
) -> None:
    learner = await learner_does_a_quiz(school, http)
    await announce(national, {"fr": "Concours de lecture : inscrivez-vous."}, countries=["SN"])
    await announce(national, {"fr": "Résultats du Mali."}, countries=["ML"])
    stick = tmp_path / "national.bundle"
    await _run(tmp_path, at_national(national), "sync", "export", str(stick), "--courses")
    senegal = {**at_school(school), "SYNC_COUNTRY": "sn"}

    applied = await _run(tmp_path, senegal, "sync", "import", str(stick))
    assert "announcements: 1 new" in applied
    assert "announcements: 0 new" in await _run(tmp_path, senegal, "sync", "import", str(stick))
    told = str((await learner.pushed())["text"])
    assert told == f"Concours de lecture : inscrivez-vous.{STOP}"
    by_network = await syncer(school, address(national), country="SN").run()
    assert (by_network.announcements, by_network.complete) == (0, True)
    assert await rows(school, "SELECT COUNT(*) FROM outbox") == [(1,)]


async def test_a_tampered_or_foreign_bundle_is_refused_and_nothing_applied(
    school: BotApp, national: BotApp, http: aiohttp.ClientSession, tmp_path: Path
) -> None:
    await learner_does_a_quiz(school, http)
    bundle = tmp_path / "jardin.bundle"
    await _run(tmp_path, at_school(school), "sync", "export", str(bundle))
    original = json.loads(bundle.read_text())

    def forged(**changes: str) -> Path:
        path = tmp_path / f"forged-{len(list(tmp_path.glob('forged-*')))}.bundle"
        path.write_text(json.dumps({**original, **changes}))
        return path

    payload = bytearray(base64.b64decode(original["payload"]))
    payload[-12] ^= 1
    tampered = base64.b64encode(bytes(payload)).decode()
    stranger = Ed25519PrivateKey.generate()
    for path, why in [
        (forged(payload=tampered), "the signature does not match"),
        (forged(kind="courses"), "the signature does not match"),
        (forged(signature=base64.b64encode(stranger.sign(b"x")).decode()), "does not match"),
        (forged(**{"from": "ecole-inconnue"}), "whose key this side does not know"),
        (forged(signature="not base64!"), "the signature does not match"),
        (forged(bundle="something else"), "not an Imaginecole sync bundle"),
    ]:
        refused = await _run(tmp_path, at_national(national), "sync", "import", str(path), code=1)
        assert why in refused and "Traceback" not in refused
    half = tmp_path / "half.bundle"
    half.write_bytes(bundle.read_bytes()[:100])
    cut = await _run(tmp_path, at_national(national), "sync", "import", str(half), code=1)
    assert "not a bundle" in cut
    assert await journal(national) == []
    # A school refuses records, and anything not signed by the national key.
    refused = await _run(tmp_path, at_school(school), "sync", "import", str(bundle), code=1)
    assert f"written by '{SCHOOL}', whose key this side does not know" in refused
