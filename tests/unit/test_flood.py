"""The per-person flood limit: a burst goes through, one notice, a minute of silence, then
the person is heard again; other people are never affected. The clock is ours."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.config import Settings
from bot.flood import DEFAULT_FLOOD_LIMIT, PAUSE, FloodGuard, FloodLimit, Verdict
from dialogs.events import UserRef

ROOT = Path(__file__).resolve().parents[2]
AWA = UserRef("telegram", "1001")
MOUSSA = UserRef("telegram", "1002")
AWA_ON_WHATSAPP = UserRef("whatsapp", "1001")


class Clock:
    """A clock that moves only when told."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


def guard(clock: Clock, limit: str = "20,60") -> FloodGuard:
    parsed = FloodLimit.parse(limit)
    assert parsed is not None
    return FloodGuard(parsed, clock)


def test_a_burst_gets_one_notice_then_silence_then_recovery(clock: Clock) -> None:
    flood = guard(clock)
    assert [flood.check(AWA) for _ in range(20)] == [Verdict.ADMIT] * 20
    assert flood.check(AWA) is Verdict.NOTICE
    assert [flood.check(AWA) for _ in range(30)] == [Verdict.DROP] * 30
    clock.now += PAUSE - 1
    assert flood.check(AWA) is Verdict.DROP  # still inside the minute
    clock.now += 1
    assert [flood.check(AWA) for _ in range(20)] == [Verdict.ADMIT] * 20  # full again
    assert flood.check(AWA) is Verdict.NOTICE  # a new flood, a new (single) notice


def test_other_learners_are_not_affected(clock: Clock) -> None:
    flood = guard(clock)
    for _ in range(25):
        flood.check(AWA)
    assert flood.check(MOUSSA) is Verdict.ADMIT
    assert flood.check(AWA_ON_WHATSAPP) is Verdict.ADMIT  # keyed by channel and id


def test_a_steady_learner_one_message_a_second_is_never_refused(clock: Clock) -> None:
    flood = guard(clock)
    for _ in range(300):
        assert flood.check(AWA) is Verdict.ADMIT
        clock.now += 1.0


def test_faster_than_the_rate_drains_the_burst(clock: Clock) -> None:
    flood = guard(clock)
    verdicts = []
    for _ in range(60):  # two a second: the bucket loses one token a second
        verdicts.append(flood.check(AWA))
        clock.now += 0.5
    assert verdicts.count(Verdict.NOTICE) == 1
    assert verdicts.index(Verdict.NOTICE) > 20


def test_idle_buckets_are_forgotten(clock: Clock) -> None:
    flood = guard(clock)
    for i in range(5000):
        flood.check(UserRef("web", f"learner-{i}"))
    clock.now += 3600
    for _ in range(5000):
        flood.check(AWA)
        clock.now += 1.0
    assert len(flood) < 100


def test_parsing() -> None:
    assert FloodLimit.parse("20,60") == FloodLimit(20, 60.0)
    assert FloodLimit.parse(" 5 ") == FloodLimit(5, 5.0)
    assert FloodLimit.parse("") is None
    assert FloodLimit.parse("off") is None
    assert FloodLimit.parse("0") is None
    with pytest.raises(ValueError):
        FloodLimit.parse("-1,60")
    with pytest.raises(ValueError):
        FloodLimit.parse("many")


def test_the_default_is_the_same_in_the_code_the_readme_and_the_env_example(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("FLOOD_LIMIT", raising=False)
    assert Settings.from_env(env_file=None).flood_limit == DEFAULT_FLOOD_LIMIT
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    row = re.search(r"^\| `FLOOD_LIMIT` \| `([^`]*)` \|", readme, re.MULTILINE)
    assert row is not None and row[1] == DEFAULT_FLOOD_LIMIT
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    line = re.search(r"^FLOOD_LIMIT=(.*)$", example, re.MULTILINE)
    assert line is not None and line[1].strip() == DEFAULT_FLOOD_LIMIT
    assert FloodLimit.parse(DEFAULT_FLOOD_LIMIT) == FloodLimit(20, 60.0)


def test_the_setting_is_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLOOD_LIMIT", "off")
    assert FloodLimit.parse(Settings.from_env(env_file=None).flood_limit) is None
