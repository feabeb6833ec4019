"""Flows as declared objects: their steps, commands, services and own typed state; and the
call of a sub-flow that returns with a result.

A flow module declares `FLOW = Flow("name", STEPS, COMMANDS, services=(...), state=Cls)`.
dialogs/flows/__init__.py hands the flows to dialogs/registry.py, which checks them at
start-up (unique names, literal targets, declared services) and tells the engine which flow
owns each step.

Typed state. A flow's state is a dataclass subclassing `FlowState` with the flow's name:

    @dataclass
    class Linking(FlowState, flow="linking"):
        learner: int | None = None

    work = state_of(ctx, Linking)  # read (or made empty), then changed in place
    work.learner = 7

It is kept in the stored state under `data["flows"]["linking"]` (plain JSON: give fields
JSON values) and dropped after the turn that leaves the flow: the learner stands on a step of
another flow that is not waiting on a call it made. A field added or removed between two
releases is harmless: unknown stored fields are ignored, missing ones take their default;
`legacy` maps fields to the untyped keys an older release used, read once on upgrade.

Shared state. What several flows read (the learner's place in a course: course, lesson, step)
is one typed state too, kept while the learner is in any of the flows that share it:

    @dataclass
    class Place(FlowState, flow="learning"):
        shared_by = frozenset({"quiz", "certificates", "ask_teacher", "placement"})
        course: str | None = None

`shared_by` names the other flows in which it is kept (its own `flow` always keeps it): the
quiz, its certificate, a question to the teacher and a remediation all read the lesson the
learning flow chose, and the learner going from one to the other keeps it; it is dropped
once they stand on a step of none of them (the menu: /reprendre reads the stored bookmark).
A state that no flow declares (`flow="help"`: the help given at the question a quiz or a
review asks) lives only where `shared_by` keeps it. A flow that sends the learner into
another flow's state (a deep link to a lesson) sets it through that flow's function
(`dialogs/flows/place.py` `go_to_lesson`), never through an untyped key.

Calls. `Turn(call="teacher_name", then="shared_copy", back="shared_course")` enters the
called step and remembers, in a small stack (`data["calls"]`), where to go on; the called
flow ends with `Turn(ret=value)` (on to `then`, where `returned(ctx)` gives the value) or
`Turn(ret=CANCEL)` (on to `back`, or `then` when none was given). A `ret` with no call
waiting (a state stored by an older release) goes to the turn's `goto`, else the menu.
Leaving the called flow otherwise (/menu, a command) forgets the call.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from dialogs.state import DialogState

if TYPE_CHECKING:
    from dialogs.context import Context, Step

CALLS = "calls"  # data key: the stack of calls waiting for a return
FLOWS = "flows"  # data key: each flow's typed state, under its name
_RESULT = "result"  # key of DialogState.live: the value of the last return


class _Cancel:
    """The value a called flow returns when the person gave up."""

    def __repr__(self) -> str:
        return "CANCEL"


CANCEL: Any = _Cancel()


class FlowState:
    """Base of a flow's typed state; subclasses are dataclasses naming their flow."""

    flow: ClassVar[str]
    live_key: ClassVar[str]  # where a turn keeps it in DialogState.live: "flows:<flow>"
    # Field -> the untyped `state.data` key ("key" or "key.sub") an older release kept it
    # under: read (and removed) the first time a learner upgraded mid-flow has no typed
    # state yet.
    legacy: ClassVar[dict[str, str]] = {}
    # The other flows in which this state is kept (it is read there too, or survives a
    # detour there): kept while the learner stands in its own flow or any of these.
    shared_by: ClassVar[frozenset[str]] = frozenset()

    def __init_subclass__(cls, flow: str = "", **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if flow:
            cls.flow = flow
            cls.live_key = f"{FLOWS}:{flow}"
        if getattr(cls, "flow", "") and cls.shared_by:
            _SHARED[cls.flow] = cls.shared_by


# The flows besides its own that keep a state, by the state's name (from `shared_by`).
_SHARED: dict[str, frozenset[str]] = {}


S = TypeVar("S", bound=FlowState)


@dataclass(frozen=True)
class Flow:
    """A flow as the registry sees it: its steps and commands, the services (fields of
    dialogs/services.py Services) its steps need, and the class of its own state."""

    name: str
    steps: Mapping[str, Step]
    commands: Mapping[str, Step] = field(default_factory=dict)
    services: tuple[str, ...] = ()
    state: type[FlowState] | None = None


def state_of(ctx: Context, cls: type[S]) -> S:
    """The flow's state of this learner, read once per turn and saved after it (changed in
    place); empty (its defaults) when the flow has none yet."""
    live = ctx.state.live
    found = live.get(cls.live_key)
    if isinstance(found, cls):
        return found
    stored = ctx.state.data.get(FLOWS, {}).get(cls.flow)
    names = _names(cls)
    if isinstance(stored, dict):
        values = {k: v for k, v in stored.items() if k in names}
    else:  # none yet: what an older release kept in the untyped data, if anything
        values = _legacy(ctx.state.data, cls.legacy, names)
    made = cls(**values)
    live[cls.live_key] = made
    return made


def _names(cls: type[FlowState]) -> frozenset[str]:
    """The fields of a state class (known once: every turn reads some)."""
    found = _FIELDS.get(cls)
    if found is None:
        found = _FIELDS[cls] = frozenset(f.name for f in fields(cls))  # type: ignore[arg-type]
    return found


_FIELDS: dict[type[FlowState], frozenset[str]] = {}


def _legacy(
    data: dict[str, Any], legacy: Mapping[str, str], names: frozenset[str]
) -> dict[str, Any]:
    """The fields an older release kept in untyped keys ("key" or "key.sub" in a dict),
    those keys removed."""
    values: dict[str, Any] = {}
    for name, path in legacy.items():
        top, _, sub = path.partition(".")
        found = data.get(top)
        if sub:
            found = found.get(sub) if isinstance(found, dict) else None
        if found is not None and name in names:
            values[name] = found
    for path in legacy.values():
        data.pop(path.partition(".")[0], None)
    return values


def returned(ctx: Context) -> Any:
    """The value the called flow returned with (None when the step was not entered from a
    return)."""
    return ctx.state.live.get(_RESULT)


def calls(state: DialogState) -> list[dict[str, Any]]:
    """The calls waiting for a return, the latest last."""
    stack = state.data.get(CALLS)
    return [frame for frame in stack if isinstance(frame, dict)] if isinstance(stack, list) else []


def push_call(
    state: DialogState, target: str, then: str, back: str | None, caller: str, callee: str
) -> None:
    """Remember where to go on once `target` (of flow `callee`) returns."""
    frame = {"then": then, "back": back, "caller": caller, "callee": callee}
    state.data[CALLS] = [*calls(state), frame]
    state.live.pop(_RESULT, None)


def pop_call(state: DialogState, value: Any, fallback: str | None) -> str:
    """The step a return goes on to (value kept for `returned`), the call forgotten."""
    stack = calls(state)
    if not stack:
        state.data.pop(CALLS, None)
        return fallback or "menu"
    frame = stack.pop()
    if stack:
        state.data[CALLS] = stack
    else:
        state.data.pop(CALLS, None)
    if value is CANCEL:
        state.live.pop(_RESULT, None)
        return str(frame.get("back") or frame["then"])
    state.live[_RESULT] = value
    return str(frame["then"])


def settle(state: DialogState, owners: Mapping[str, str]) -> None:
    """After a turn: save the flows' states read during it, forget the calls whose called
    flow was left, and drop the state of every flow the learner is no longer in (a state
    `shared_by` other flows is kept while the learner is in any of them)."""
    saved = dict(state.data.get(FLOWS) or {})
    for key, value in state.live.items():
        if key.startswith(f"{FLOWS}:"):
            # Its fields as they are (JSON values; the object is gone after the turn).
            saved[key.split(":", 1)[1]] = {
                name: getattr(value, name) for name in _names(type(value))
            }
    if not owners:  # an engine built without its flows (a unit test): keep everything
        if saved:
            state.data[FLOWS] = saved
        state.live.clear()
        return
    here = owners.get(state.step)
    stack = calls(state)
    while stack and stack[-1].get("callee") != here:
        stack.pop()  # left the called flow another way than by returning
    if stack:
        state.data[CALLS] = stack
    else:
        state.data.pop(CALLS, None)
    keep = {here} | {str(frame.get("caller")) for frame in stack}
    kept = {
        name: value
        for name, value in saved.items()
        if name in keep or not keep.isdisjoint(_SHARED.get(name, ()))
    }
    if kept:
        state.data[FLOWS] = kept
    else:
        state.data.pop(FLOWS, None)
    state.live.clear()


def fresh(ctx: Context, cls: type[S]) -> S:
    """The flow's state emptied (its defaults), as when a form starts over or is given up;
    saved after the turn like any other."""
    made = cls()
    ctx.state.live[cls.live_key] = made
    return made
