"""constraints.txt pins everything pyproject.toml asks for, and every install command uses it,
so a fresh machine installs what CI tested."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _name(requirement: str) -> str:
    """The normalised distribution name of a requirement ("SQLAlchemy[asyncio]>=2" -> ...)."""
    match = re.match(r"[A-Za-z0-9._-]+", requirement)
    assert match, requirement
    return re.sub(r"[-_.]+", "-", match.group(0)).lower()


def _pins() -> dict[str, str]:
    pins: dict[str, str] = {}
    for line in (ROOT / "constraints.txt").read_text("utf-8").splitlines():
        if line and not line.startswith("#"):
            name, _, version = line.partition("==")
            assert version, f"not an exact pin: {line!r}"
            pins[_name(name)] = version
    return pins


def test_every_dependency_is_pinned() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    wanted = list(project["dependencies"]) + list(project["optional-dependencies"]["dev"])
    missing = {_name(r) for r in wanted} - set(_pins())
    assert not missing, f"add to constraints.txt (scripts/update-constraints): {missing}"


def test_every_install_command_uses_the_pins() -> None:
    for path in ("scripts/test", "Dockerfile", "README.md"):
        text = (ROOT / path).read_text("utf-8")
        installs = [line for line in text.splitlines() if re.search(r"pip install .*-e", line)]
        assert installs, f"{path} installs nothing?"
        for line in installs:
            assert "-c constraints.txt" in line, f"{path}: {line.strip()}"
