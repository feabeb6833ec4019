"""The registry of steps and commands, checked when it is built.

Flows declare their steps and commands in dicts; `merge` joins them and refuses a name two
flows declare (a silent replacement would send learners into the wrong flow). `check` reads
the flows' source for every literal step a turn points to (`goto=`, `call=`, `then=`, `back=` "...",
`state.step = "..."`) and reports those no flow declares, with their file and line: the start
stops on them (bot/app.py builds the dialogs at start-up), and a unit test runs the same check.
Targets computed at run time are not seen here; the no-dead-ends walk covers them.
`check_names` refuses two flows of one name; `check_services` refuses a flow that declares
a service dialogs/services.py does not offer; `owners` tells the engine which flow each
step belongs to (dialogs/flow.py).
"""

from __future__ import annotations

import ast
import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import TypeVar

from dialogs.flow import Flow
from dialogs.services import PORTS, Services

V = TypeVar("V")

FLOWS = Path(__file__).resolve().parent / "flows"


class RegistryError(Exception):
    """The flows do not fit together; the message names the culprits."""


@dataclass(frozen=True)
class Target:
    """A step named literally in a flow's source."""

    step: str
    file: str
    line: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: unknown step {self.step!r}"


def merge(kind: str, parts: Iterable[tuple[str, Mapping[str, V]]]) -> dict[str, V]:
    """The union of named parts (a flow's name, its dict); a name declared twice is refused."""
    merged: dict[str, V] = {}
    owner: dict[str, str] = {}
    for source, part in parts:
        for name, value in part.items():
            if name in merged:
                raise RegistryError(
                    f"{kind} {name!r} is declared by both {owner[name]} and {source}"
                )
            merged[name] = value
            owner[name] = source
    return merged


def check(steps: Mapping[str, object], renamed: Mapping[str, str] | None = None) -> list[Target]:
    """The literal targets of the flows' source that no step answers to (none: all is well);
    renamed steps must lead to a step that exists."""
    missing = [target for target in literal_targets() if target.step not in steps]
    missing += [
        Target(new, "dialogs/flows/__init__.py", 0)
        for new in (renamed or {}).values()
        if new not in steps
    ]
    return missing


@functools.cache
def literal_targets(folder: Path = FLOWS) -> tuple[Target, ...]:
    """Every step named by a string literal in a `goto=` argument or a `state.step =`
    assignment of the flows (read once per process)."""
    found: list[Target] = []
    for path in sorted(folder.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        name = f"dialogs/flows/{path.name}"
        for node in ast.walk(tree):
            for literal in _targets_of(node):
                found.append(Target(str(literal.value), name, literal.lineno))
    return tuple(found)


_TARGETS = ("goto", "call", "then", "back")  # Turn's arguments naming a step


def _targets_of(node: ast.AST) -> list[ast.Constant]:
    """The string literals a node sends a learner to (a conditional's both branches)."""
    values: list[ast.expr] = []
    if isinstance(node, ast.Call):
        values = [k.value for k in node.keywords if k.arg in _TARGETS]
    elif isinstance(node, ast.Assign) and any(_is_step_attribute(t) for t in node.targets):
        values = [node.value]
    return [c for value in values for c in _strings(value)]


def _is_step_attribute(target: ast.expr) -> bool:
    """`<something>.state.step`."""
    return (
        isinstance(target, ast.Attribute)
        and target.attr == "step"
        and isinstance(target.value, ast.Attribute)
        and target.value.attr == "state"
    )


def _strings(value: ast.expr) -> list[ast.Constant]:
    """The string constants a value may be: itself, or the branches of `a if c else b`."""
    if isinstance(value, ast.Constant) and isinstance(value.value, str):
        return [value]
    if isinstance(value, ast.IfExp):
        return _strings(value.body) + _strings(value.orelse)
    return []


def check_services(flows: Iterable[Flow]) -> list[str]:
    """The services flows declare that `Services` does not offer, each with its flow."""
    offered = {f.name for f in fields(Services)} & set(PORTS)
    return [
        f"flow {flow.name!r} needs the service {service!r}, which dialogs/services.py "
        "does not offer"
        for flow in flows
        for service in flow.services
        if service not in offered
    ]


def check_names(flows: Iterable[Flow]) -> list[str]:
    """The flow names declared twice: a flow's name keys its typed state and the states
    shared with it (`shared_by`), so two flows of one name would share them unknowingly."""
    names = [flow.name for flow in flows]
    return [
        f"flow {name!r} is declared twice" for name in sorted(set(names)) if names.count(name) > 1
    ]


def owners(flows: Iterable[Flow]) -> dict[str, str]:
    """Each step's flow."""
    return {step: flow.name for flow in flows for step in flow.steps}
