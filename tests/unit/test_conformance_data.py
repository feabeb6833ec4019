"""The shared conformance data is optional for a developer and required in CI."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests import conformance


def test_absent_data_skips_with_the_reason(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(conformance, "ROOT", tmp_path / "wt" / "repo")
    monkeypatch.delenv(conformance.REQUIRE_ENV, raising=False)
    with pytest.raises(pytest.skip.Exception, match=r"shared/conformance/.*absent"):
        conformance.require_conformance("gift")


def test_absent_data_fails_when_ci_requires_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(conformance, "ROOT", tmp_path / "wt" / "repo")
    monkeypatch.setenv(conformance.REQUIRE_ENV, "1")
    with pytest.raises(pytest.fail.Exception, match="IMAGINECOLE_REQUIRE_CONFORMANCE"):
        conformance.require_conformance("gift")


def test_data_beside_the_repository_or_its_worktrees_is_found(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "shared" / "conformance" / "gift").mkdir(parents=True)
    (tmp_path / "shared" / "conformance" / "gift" / "a.gift").write_text("::a:: b {T}")
    for root in (tmp_path / "repo", tmp_path / "wt" / "repo"):
        monkeypatch.setattr(conformance, "ROOT", root)
        assert conformance.require_conformance("gift") == tmp_path / "shared/conformance/gift"
