"""The process raises its open-file limit at start, and keeps its connection cap under it."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

from bot.config import Settings
from bot.connections import DESCRIPTOR_RESERVE, connection_limits

ROOT = Path(__file__).resolve().parents[2]
PROBE = (
    "import resource; from bot.connections import raise_descriptor_limit; "
    "print(raise_descriptor_limit(), *resource.getrlimit(resource.RLIMIT_NOFILE))"
)


def probe(soft: int) -> list[int]:
    """In a child whose soft limit starts at `soft`: what it reports, then its limits."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    script = f"ulimit -Sn {soft} && exec {sys.executable} -c '{PROBE}'"
    out = subprocess.run(["sh", "-c", script], env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    return [int(word) for word in out.stdout.split()]


def test_the_soft_limit_is_raised_to_the_hard_one() -> None:
    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    reported, soft, _ = probe(256)
    expected = hard if hard != resource.RLIM_INFINITY else 65536
    assert soft == reported == expected


def test_the_connection_cap_fits_under_the_descriptors() -> None:
    settings = Settings(max_connections=4096, max_connections_per_address=256)
    assert connection_limits(settings, 1024).max_total == 1024 - DESCRIPTOR_RESERVE
    assert connection_limits(settings, 65536).max_total == 4096
    assert connection_limits(settings, 0).max_total == 4096  # unknown: the setting
    uncapped = replace(settings, max_connections=0)
    assert connection_limits(uncapped, 1024).max_total == 1024 - DESCRIPTOR_RESERVE


def test_a_limit_that_cannot_be_raised_is_said_with_what_it_allows() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    script = (
        "import logging; logging.basicConfig(level=logging.INFO);"
        " from bot.connections import raise_descriptor_limit; raise_descriptor_limit()"
    )
    out = subprocess.run(
        ["sh", "-c", f"ulimit -n 1024 && exec {sys.executable} -c '{script}'"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stderr
    assert "open-file limit is 1024 and cannot be raised" in out.stderr
    assert f"at most {1024 - DESCRIPTOR_RESERVE} connections" in out.stderr
