"""Which services (dialogs/services.py) a flow's steps reach, read from the source.

A flow declares the services it needs (`Flow(..., services=(...))`); `reached` says which
ones its steps and commands actually touch: every `ctx.<service>` and
`ctx.services.<service>` in the functions they call, directly or through helpers of other
dialogs modules (a guard such as `teachers_only`, a desk getter such as `reports(ctx)`).
tests/unit/test_registry.py compares the two for every flow, so a declaration cannot drift
from the code. Targets a step goes to (`goto="..."`) are other flows' business: only calls
and references to functions count.
"""

from __future__ import annotations

import ast
import functools
import inspect
from collections.abc import Callable, Iterable
from dataclasses import fields
from pathlib import Path
from typing import Any

from dialogs.flow import Flow
from dialogs.services import Services

DIALOGS = Path(__file__).resolve().parent
Key = tuple[str, str]  # (module, top-level function or class)
SERVICES = frozenset(f.name for f in fields(Services))


def reached(flow: Flow) -> frozenset[str]:
    """The services the flow's steps and commands touch, through every function they call."""
    graph = _graph()
    todo = [key for step in [*flow.steps.values(), *flow.commands.values()] for key in _roots(step)]
    seen: set[Key] = set()
    found: set[str] = set()
    while todo:
        key = todo.pop()
        if key in seen or key not in graph:
            continue
        seen.add(key)
        services, calls = graph[key]
        found |= services
        todo.extend(calls)
    return frozenset(found)


def check_declared(flows: Iterable[Flow]) -> list[str]:
    """Each flow whose declared services differ from those its steps reach, with the gap."""
    problems = []
    for flow in flows:
        used, declared = reached(flow), set(flow.services)
        if missing := sorted(used - declared):
            problems.append(f"flow {flow.name!r} uses undeclared services {missing}")
        if unused := sorted(declared - used):
            problems.append(f"flow {flow.name!r} declares services it never uses {unused}")
    return problems


def _roots(step: Callable[..., Any]) -> list[Key]:
    """The functions behind a step: itself, and those a guard wraps (closure cells)."""
    keys: list[Key] = []
    todo: list[Any] = [step]
    while todo:
        function = inspect.unwrap(todo.pop())
        if not inspect.isfunction(function):
            continue
        keys.append((function.__module__, function.__qualname__.split(".")[0]))
        todo.extend(cell.cell_contents for cell in function.__closure__ or ())
    return keys


@functools.cache
def _graph() -> dict[Key, tuple[frozenset[str], tuple[Key, ...]]]:
    """Every top-level function and class of dialogs/: the services it touches and the
    functions of dialogs/ it names (read once per process)."""
    graph: dict[Key, tuple[frozenset[str], tuple[Key, ...]]] = {}
    for path in sorted(DIALOGS.rglob("*.py")):
        parts = path.relative_to(DIALOGS.parent).with_suffix("").parts
        module = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        names = _names(module, tree)
        for node in tree.body:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                graph[(module, node.name)] = _uses(node, names)
    return graph


def _names(module: str, tree: ast.Module) -> dict[str, Key | str]:
    """What each name of a module stands for: a function of dialogs/ (module, name) or a
    module of dialogs/ (its dotted name)."""
    names: dict[str, Key | str] = {}
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names[node.name] = (module, node.name)
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("dialogs"):
            for alias in node.names:
                own = alias.asname or alias.name
                whole = f"{node.module}.{alias.name}"
                is_module = (DIALOGS.parent / Path(*whole.split("."))).with_suffix(".py").exists()
                names[own] = whole if is_module else (str(node.module), alias.name)
    return names


def _uses(node: ast.AST, names: dict[str, Key | str]) -> tuple[frozenset[str], tuple[Key, ...]]:
    """The services a function (or a class's methods) touches and the functions it names."""
    services: set[str] = set()
    calls: list[Key] = []
    for inner in ast.walk(node):
        if isinstance(inner, ast.Attribute) and inner.attr in SERVICES and _is_ctx(inner.value):
            services.add(inner.attr)
        if isinstance(inner, ast.Name) and isinstance(names.get(inner.id), tuple):
            calls.append(names[inner.id])  # type: ignore[arg-type]
        elif isinstance(inner, ast.Attribute) and isinstance(inner.value, ast.Name):
            module = names.get(inner.value.id)
            if isinstance(module, str):
                calls.append((module, inner.attr))
    return frozenset(services), tuple(calls)


def _is_ctx(value: ast.expr) -> bool:
    """`ctx` or `ctx.services` (any name ending in ctx: `self.ctx`, `learner_ctx`)."""
    if isinstance(value, ast.Attribute) and value.attr == "services":
        value = value.value
    if isinstance(value, ast.Name):
        return value.id.endswith("ctx")
    return isinstance(value, ast.Attribute) and value.attr.endswith("ctx")
