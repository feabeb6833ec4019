"""The registry of steps is checked when it is built: duplicates and unknown targets stop it,
and a learner standing on a step that is gone or renamed goes on somewhere sensible."""

from __future__ import annotations

from pathlib import Path

import pytest

from dialogs.flow import Flow
from dialogs.flows import RENAMED, build_dialogs, flows
from dialogs.registry import RegistryError, check, check_names, literal_targets, merge
from tests.driver import Learner
from tests.unit.test_dialogs_journey import onboard


async def step(*_: object) -> None:
    """A stand-in step."""


def test_the_flows_fit_together() -> None:
    dialogs = build_dialogs()
    assert check(dialogs.steps, RENAMED) == []
    assert len(literal_targets()) > 300, "the flows' literal targets are all read"


def test_a_step_declared_by_two_flows_is_refused_with_both_names() -> None:
    with pytest.raises(RegistryError) as refused:
        merge("step", [("quiz", {"menu": step}), ("menu", {"menu": step})])
    assert str(refused.value) == "step 'menu' is declared by both quiz and menu"


def test_two_flows_of_one_name_are_refused() -> None:
    assert check_names(flows()) == []
    twins = [Flow("authoring", {"a": step}), Flow("authoring", {"b": step}), Flow("quiz", {})]
    assert check_names(twins) == ["flow 'authoring' is declared twice"]


def test_a_literal_target_no_step_answers_to_is_named_with_its_place(tmp_path: Path) -> None:
    (tmp_path / "sample.py").write_text(
        "def a(ctx):\n"
        "    return Turn(goto='menu')\n"
        "def b(ctx):\n"
        "    ctx.state.step = 'mneu' if ctx.x else 'menu'\n"
        "    return Turn(goto='quiz_nowhere')\n",
        encoding="utf-8",
    )
    targets = literal_targets(tmp_path)
    missing = [str(t) for t in targets if t.step not in {"menu"}]
    assert missing == [
        "dialogs/flows/sample.py:4: unknown step 'mneu'",
        "dialogs/flows/sample.py:5: unknown step 'quiz_nowhere'",
    ]


async def test_a_learner_on_a_renamed_step_goes_on_at_its_new_name() -> None:
    learner = Learner.new()
    await onboard(learner)
    learner.dialogs.renamed["menu_before_2026"] = "menu"
    learner.state.step = "menu_before_2026"
    reply = await learner.tap("Les cours", prompt_of=learner.last_prompt())
    assert learner.state.step != "welcome"
    assert "ancien message" not in learner.texts(reply)


async def test_a_learner_on_a_step_that_is_gone_goes_back_to_the_menu_not_onboarding() -> None:
    learner = Learner.new()
    await onboard(learner)
    learner.state.step = "a_step_of_an_old_release"
    await learner.send("bonjour")
    assert learner.state.step == "menu"
    assert "Que voulez-vous faire" in learner.last_text()
