"""Metrics across worker processes, error-code labels, and the JSON log format."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot.config import Settings
from bot.logs import JsonFormatter
from bot.metrics import error_code

ROOT = Path(__file__).resolve().parents[2]
WORKER = "from bot import metrics; metrics.handled('telegram', 0.02); metrics.rejected('web', 'x')"
SCRAPE = "import sys; from bot import metrics; sys.stdout.write(metrics.exposition(None).decode())"


def python(code: str, multiproc_dir: Path) -> str:
    """Run `code` in a fresh process sharing the metrics folder, as a worker would."""
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(multiproc_dir)}
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    return done.stdout


def test_any_worker_shows_the_sum_of_every_worker(tmp_path: Path) -> None:
    python(WORKER, tmp_path)
    python(WORKER, tmp_path)
    python(WORKER, tmp_path)
    text = python(SCRAPE, tmp_path)  # a fourth process, scraped
    samples = {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }
    assert samples[("imaginecole_updates_handled_total", (("channel", "telegram"),))] == 3
    assert samples[("imaginecole_reply_seconds_count", (("channel", "telegram"),))] == 3
    rejected = (("channel", "web"), ("reason", "x"))
    assert samples[("imaginecole_webhook_rejections_total", rejected)] == 3
    assert samples[("imaginecole_database_up", ())] == 0  # no database read here


@pytest.mark.parametrize(
    ("given", "label"),
    [
        (403, "403"),
        ("131026 Message undeliverable", "131026"),
        ("TimedOut", "TimedOut"),
        ("Chat not found", "other"),
        ("", "other"),
    ],
)
def test_error_codes_are_labels_of_bounded_cardinality(given: object, label: str) -> None:
    assert error_code(given) == label


def record(message: str, *args: object, **extra: object) -> logging.LogRecord:
    made = logging.LogRecord("imaginecole.x", logging.INFO, __file__, 1, message, args, None)
    for key, value in extra.items():
        setattr(made, key, value)
    return made


def test_a_json_line_holds_the_message_fields_and_extra_fields() -> None:
    line = JsonFormatter().format(
        record("handled channel=%s user=%s ms=%.1f n=%d", "telegram", "ab12", 4.25, 3, kind="x")
    )
    entry = json.loads(line)
    assert entry["message"] == "handled channel=telegram user=ab12 ms=4.2 n=3"
    assert entry["channel"] == "telegram" and entry["user"] == "ab12"
    assert entry["ms"] == 4.2 and entry["n"] == 3 and entry["kind"] == "x"
    assert entry["level"] == "INFO" and entry["logger"] == "imaginecole.x"
    assert entry["time"].endswith("+00:00")


def test_a_field_never_overwrites_the_fixed_keys() -> None:
    entry = json.loads(JsonFormatter().format(record("odd level=x logger=y message=z")))
    assert entry["level"] == "INFO" and entry["logger"] == "imaginecole.x"
    assert entry["message"] == "odd level=x logger=y message=z"


def test_an_exception_stays_on_one_line() -> None:
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        made = record("failed")
        made.exc_info = sys.exc_info()
    line = JsonFormatter().format(made)
    assert "\n" not in line and "RuntimeError: boom" in json.loads(line)["exc"]


def test_log_format_is_text_unless_json_and_a_typo_is_an_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("LOG_FORMAT", raising=False)
    assert Settings.from_env(env_file=None).log_format == "text"
    monkeypatch.setenv("LOG_FORMAT", "JSON")
    assert Settings.from_env(env_file=None).log_format == "json"
    monkeypatch.setenv("LOG_FORMAT", "jsno")
    with pytest.raises(ValueError, match="LOG_FORMAT"):
        Settings.from_env(env_file=None)
