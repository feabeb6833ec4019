"""The shared conformance data (GIFT files, WhatsApp webhook bodies) lives outside the
repository, in the `shared/conformance` folder beside it. The project never depends on it:
every test that reads it is marked `conformance` and skips with a reason when it is absent
(`require_conformance`), and `.ci/run` sets IMAGINECOLE_REQUIRE_CONFORMANCE=1 so that in CI a
missing folder fails instead of skipping."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REQUIRE_ENV = "IMAGINECOLE_REQUIRE_CONFORMANCE"
ROOT = Path(__file__).resolve().parents[1]


def conformance_folder(*parts: str) -> Path:
    """Where a folder of the shared conformance data would be: `shared/conformance` beside
    the repository (CI, the main checkout) or beside the folder of the worktrees (a worktree
    under wt/); the first place when absent. Tests read it through `require_conformance`,
    which skips when it is absent."""
    for base in (ROOT.parent, ROOT.parent.parent):
        if (found := base.joinpath("shared", "conformance", *parts)).is_dir():
            return found
    return ROOT.parent.joinpath("shared", "conformance", *parts)


def require_conformance(*parts: str) -> Path:
    """The folder, or skip the calling test with the reason (fail when CI requires it)."""
    folder = conformance_folder(*parts)
    if folder.is_dir() and any(folder.iterdir()):
        return folder
    reason = (
        f"the shared conformance data {folder} is absent (it lives outside this repository, "
        f"in the shared folder beside it; .ci/run sets {REQUIRE_ENV}=1 to make it required)"
    )
    if os.environ.get(REQUIRE_ENV):
        pytest.fail(reason)
    pytest.skip(reason)
