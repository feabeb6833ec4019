"""The README and .env.example stay true to the settings the code reads."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def variables_read() -> set[str]:
    """Every environment variable bot/config.py reads."""
    code = (ROOT / "bot" / "config.py").read_text(encoding="utf-8")
    return set(re.findall(r'env\.get\("([A-Z0-9_]+)"', code))


def test_config_reads_the_whatsapp_settings() -> None:
    assert {"WHATSAPP_APP_SECRET", "WHATSAPP_VERIFY_TOKEN"} <= variables_read()


def test_every_variable_is_in_the_readme_configuration_table() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    documented = set(re.findall(r"^\| `([A-Z0-9_]+)` \|", table, re.MULTILINE))
    assert variables_read() == documented


def test_every_variable_is_in_the_env_example() -> None:
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    listed = set(re.findall(r"^#? ?([A-Z0-9_]+)=", example, re.MULTILINE))
    assert variables_read() <= listed
