"""The Dockerfile, compose.yaml and the Caddyfile reference only what exists: files, settings,
commands, ports. (Docker is not run here; these checks catch what a rename would break.)"""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.__main__ import _parser
from tests.unit.test_readme import variables_read

ROOT = Path(__file__).resolve().parents[2]
COMPOSE: dict[str, Any] = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))
SERVICES: dict[str, Any] = COMPOSE["services"]
BOT_SERVICES = ("migrate", "worker")
DOCKERFILE = (ROOT / "Dockerfile").read_text(encoding="utf-8")
CADDYFILE = ROOT / "deploy" / "Caddyfile"
SET_BY_WORKERS = {"PROMETHEUS_MULTIPROC_DIR"}  # read by prometheus_client, set by `run`


def instructions(name: str) -> list[str]:
    """The arguments of every Dockerfile instruction `name` (continuation lines joined)."""
    joined = re.sub(r"\\\n\s*", " ", DOCKERFILE)
    return [
        line.split(None, 1)[1]
        for line in joined.splitlines()
        if line.strip() and line.split(None, 1)[0].upper() == name
    ]


def bot_commands(command: str | list[str]) -> list[list[str]]:
    """The arguments of each `python -m bot ...` in a command (exec form or `sh -c`)."""
    words = shlex.split(command) if isinstance(command, str) else list(command)
    if words[:2] == ["sh", "-c"]:
        return [found for part in words[2].split("&&") for found in bot_commands(part.strip())]
    assert words[:3] == ["python", "-m", "bot"], words
    return [words[3:]]


def compose_variables() -> set[str]:
    """The variables compose reads itself, documented at the end of .env.example."""
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    section = example.split("# docker compose only", 1)[1]
    return set(re.findall(r"^#? ?([A-Z0-9_]+)=", section, re.MULTILINE))


def test_the_image_is_python_slim_run_by_a_user_that_is_not_root() -> None:
    assert instructions("FROM") == ["python:3.11-slim"]
    users = instructions("USER")
    assert users and users[-1] not in ("root", "0")


@pytest.mark.parametrize("copied", instructions("COPY"))
def test_every_copied_source_exists(copied: str) -> None:
    *sources, _ = shlex.split(copied)
    for source in sources:
        assert (ROOT / source).exists(), source


def test_the_image_runs_the_bot_and_checks_its_health() -> None:
    (cmd,) = instructions("CMD")
    assert bot_commands(json.loads(cmd)) == [["run"]]
    (health,) = instructions("HEALTHCHECK")
    assert "/healthz" in health and "WEB_PORT" in health
    assert instructions("EXPOSE") == ["8080"]


def test_the_image_bakes_in_no_secret_and_only_real_settings() -> None:
    names = {pair.split("=", 1)[0] for env in instructions("ENV") for pair in shlex.split(env)}
    read = variables_read()
    settings = {name for name in names if not name.startswith(("PYTHON", "PIP_"))}
    assert settings <= read
    assert not [n for n in names if re.search("TOKEN|SECRET|KEY|PASSWORD", n)]
    assert "ARG" not in {line.split(None, 1)[0] for line in DOCKERFILE.splitlines() if line}


@pytest.mark.parametrize("service", BOT_SERVICES)
def test_every_bot_command_is_a_real_subcommand(service: str) -> None:
    for arguments in bot_commands(SERVICES[service]["command"]):
        _parser().parse_args(arguments)  # exits (SystemExit) on an unknown command


@pytest.mark.parametrize("service", BOT_SERVICES)
def test_the_bot_services_set_only_settings_the_bot_reads(service: str) -> None:
    assert set(SERVICES[service]["environment"]) <= variables_read() | SET_BY_WORKERS
    assert SERVICES[service]["env_file"] == ".env"
    assert (ROOT / ".env.example").exists()


def test_every_interpolated_variable_is_a_setting_or_documented_for_compose() -> None:
    used = set(re.findall(r"\$\{([A-Z0-9_]+)", (ROOT / "compose.yaml").read_text()))
    used |= set(re.findall(r"\{\$([A-Z0-9_]+)", CADDYFILE.read_text()))
    assert used <= variables_read() | compose_variables()
    assert {"POSTGRES_PASSWORD", "SITE_ADDRESS"} <= compose_variables()


def test_workers_wait_for_the_migration_and_can_be_scaled() -> None:
    worker = SERVICES["worker"]
    assert worker["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert ["migrate"] in bot_commands(SERVICES["migrate"]["command"])
    assert SERVICES["migrate"]["restart"] == "no"
    assert "ports" not in worker and "container_name" not in worker  # --scale needs both
    assert "postgresql://" in worker["environment"]["DATABASE_URL"]
    assert "@postgres:5432/" in worker["environment"]["DATABASE_URL"]


def test_postgres_is_16_with_a_volume() -> None:
    postgres = SERVICES["postgres"]
    assert postgres["image"].startswith("postgres:16")
    volume = postgres["volumes"][0].split(":")[0]
    assert volume in COMPOSE["volumes"]


def test_named_volumes_are_declared_and_mounted_files_exist() -> None:
    for service in SERVICES.values():
        for mount in service.get("volumes", []):
            source = mount.split(":")[0]
            if source.startswith("."):
                assert (ROOT / source).is_file(), source
            else:
                assert source in COMPOSE["volumes"], source


def test_the_proxy_forwards_to_the_workers_port_with_a_body_limit() -> None:
    caddy = SERVICES["caddy"]
    assert "./deploy/Caddyfile:/etc/caddy/Caddyfile:ro" in caddy["volumes"]
    text = CADDYFILE.read_text(encoding="utf-8")
    port = SERVICES["worker"]["environment"]["WEB_PORT"]
    assert port in SERVICES["worker"]["expose"]
    assert re.search(rf"name worker\s+port {port}\b", text)
    assert re.search(r"request_body \{\s+max_size \d+MB", text)
    assert "{$SITE_ADDRESS}" in text  # TLS for that name, automatically
    assert {"80:80", "443:443"} <= set(caddy["ports"])
