"""The rooms import only what they may: dialogs/ the standard library, content/ and itself;
content/ the standard library, itself and the few libraries it reads text and images with.

An allow-list rather than a list of what is banned: a platform's SDK, a web framework or a
database driver imported into either room fails here, whatever its name (ruff's banned-api in
dialogs/ruff.toml and content/ruff.toml keeps the arrows bot -> dialogs -> content).
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ALLOWED = {
    "dialogs": {"dialogs", "content"},
    # Images' headers (Pillow), typo-tolerant matching, numbers written in words.
    "content": {"content", "PIL", "rapidfuzz", "text_to_num"},
}


def imported(folder: str) -> dict[str, set[str]]:
    """Each top-level module imported in a room, with the files importing it."""
    found: dict[str, set[str]] = {}
    for path in sorted((ROOT / folder).rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            for name in names:
                found.setdefault(name.split(".")[0], set()).add(str(path.relative_to(ROOT)))
    return found


def test_each_room_imports_only_what_it_may() -> None:
    for folder, allowed in ALLOWED.items():
        outside = {
            module: sorted(files)
            for module, files in imported(folder).items()
            if module not in allowed and module not in sys.stdlib_module_names
        }
        assert outside == {}, f"{folder}/ imports what it may not"
