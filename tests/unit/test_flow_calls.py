"""Calling a sub-flow and returning with a result, and a flow's typed state (dialogs/flow.py):
the state lives under the flow's name while the learner is in the flow (or in a flow it
called) and is gone once they leave it."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.i18n import I18n
from dialogs.context import Context, Turn
from dialogs.engine import Dialogs
from dialogs.events import Entered, Incoming, OptionChosen, TextReceived
from dialogs.flow import CANCEL, Flow, FlowState, returned, settle, state_of
from dialogs.flows import classes, flows
from dialogs.flows.class_essays import class_essays as grade_essays
from dialogs.flows.classes import teachers_only
from dialogs.messages import Ask, Option, Say
from dialogs.registry import check_services, owners
from dialogs.roles import Grant, Role
from dialogs.service_use import check_declared, reached
from dialogs.services import Services
from dialogs.state import DialogState
from tests.driver import Learner, bundled_library
from tests.fakes.ports import World
from tests.unit.test_flows_on_fakes import national_admin, person


@dataclass
class Basket(FlowState, flow="shop"):
    items: list[str] = field(default_factory=list)
    legacy = {"items": "old_items"}  # noqa: RUF012


async def shop_home(ctx: Context, event: Incoming) -> Turn:
    if isinstance(event, OptionChosen) and event.option_id == "name":
        state_of(ctx, Basket).items.append("x")
        return Turn(call="ask_name", then="shop_named", back="shop_home")
    return Turn([Ask("Home", (Option("name", "Name"),), ctx.state.prompt)])


async def shop_named(ctx: Context, event: Incoming) -> Turn:
    if isinstance(event, Entered):
        basket = state_of(ctx, Basket).items
        return Turn([Ask(f"Hello {returned(ctx)}, basket {basket}", (), ctx.state.prompt)])
    return Turn(goto="shop_home")


async def ask_name(ctx: Context, event: Incoming) -> Turn:
    if isinstance(event, TextReceived):
        return Turn(ret=event.text, goto="elsewhere")  # goto: no call waiting
    if isinstance(event, OptionChosen):
        return Turn(ret=CANCEL, goto="elsewhere")
    return Turn([Ask("Your name?", (Option("cancel", "Cancel"),), ctx.state.prompt)])


async def elsewhere(ctx: Context, event: Incoming) -> Turn:
    return Turn([Say("Elsewhere")])


async def go_elsewhere(ctx: Context, event: Incoming) -> Turn:
    return Turn(goto="elsewhere")


FLOWS = (
    Flow("shop", {"shop_home": shop_home, "shop_named": shop_named}, state=Basket),
    Flow("naming", {"ask_name": ask_name}),
    Flow("other", {"elsewhere": elsewhere}, {"menu": go_elsewhere}),
)


async def shopper(data: dict[str, object] | None = None) -> Learner:
    """A learner at the shop's home, its prompt shown."""
    steps = {name: step for flow in FLOWS for name, step in flow.steps.items()}
    dialogs = Dialogs(steps, {"menu": go_elsewhere}, owners=owners(FLOWS))
    learner = Learner(dialogs, I18n(), bundled_library())
    learner.profile.locale = "fr"
    learner.state.step = "shop_home"
    learner.state.data.update(data or {})
    await learner.resume()
    return learner


async def test_a_called_flow_returns_its_value_to_the_step_after_the_call() -> None:
    learner = await shopper()
    assert learner.texts(await learner.tap("Name")) == "Your name?"
    assert learner.state.data["flows"] == {"shop": {"items": ["x"]}}  # kept while called
    assert [f["then"] for f in learner.state.data["calls"]] == ["shop_named"]
    assert learner.texts(await learner.send("Awa")) == "Hello Awa, basket ['x']"
    assert learner.state.step == "shop_named"
    assert learner.state.data["flows"] == {"shop": {"items": ["x"]}}
    assert "calls" not in learner.state.data  # the call is done


async def test_a_cancelled_call_goes_back_where_the_caller_said() -> None:
    learner = await shopper()
    await learner.tap("Name")
    assert learner.texts(await learner.tap("Cancel")) == "Home"
    assert learner.state.step == "shop_home"
    assert "calls" not in learner.state.data


async def test_leaving_a_called_flow_forgets_the_call_and_the_callers_state() -> None:
    learner = await shopper()
    await learner.tap("Name")
    assert learner.texts(await learner.send("/menu")) == "Elsewhere"
    assert ("calls" in learner.state.data, "flows" in learner.state.data) == (False, False)


async def test_a_return_with_no_call_waiting_goes_where_the_step_says() -> None:
    learner = await shopper()
    learner.state.step = "ask_name"  # as an older release stored it: no call on record
    assert learner.texts(await learner.send("Awa")) == "Elsewhere"


async def test_the_state_an_older_release_kept_untyped_is_read_once_into_the_flows() -> None:
    learner = await shopper({"old_items": ["y"], "course": "maths"})
    await learner.tap("Name")
    assert learner.state.data["flows"] == {"shop": {"items": ["y", "x"]}}
    assert "old_items" not in learner.state.data
    assert learner.state.data["course"] == "maths"  # what other flows keep is left alone


def test_a_flow_needing_a_service_nobody_offers_is_named() -> None:
    strange = Flow("dowsing", {}, services=("teaching", "telepathy"))
    assert check_services([strange]) == [
        "flow 'dowsing' needs the service 'telepathy', which dialogs/services.py does not offer"
    ]


def test_the_flows_declare_only_services_that_exist() -> None:
    declared = {service for flow in flows() for service in flow.services}
    assert check_services(flows()) == []
    assert declared <= set(Services.__dataclass_fields__)


def test_every_flow_declares_exactly_the_services_its_steps_reach() -> None:
    assert check_declared(flows()) == []
    undeclared = [f.name for f in flows() if not f.services and f.name != "onboarding"]
    assert undeclared == [], "only onboarding needs no service"
    assert reached(classes.FLOW) == {"admin", "links", "reports", "teaching"}


def test_a_service_a_step_reaches_through_a_guard_and_a_helper_must_be_declared() -> None:
    # the guard asks the roles (admin), the step's helpers read the class and its essays
    guarded = Flow("grading", {"g": teachers_only(grade_essays)}, services=("charts",))
    assert check_declared([guarded]) == [
        "flow 'grading' uses undeclared services ['admin', 'reports', 'teaching']",
        "flow 'grading' declares services it never uses ['charts']",
    ]


async def test_an_invitation_half_prepared_is_forgotten_once_the_admin_leaves() -> None:
    world = World()
    admin = await national_admin(world)
    await admin.send("/admin")
    await admin.tap("Inviter des enseignants")
    await admin.tap("Jusqu'à 10 personnes")
    assert admin.state.data["flows"] == {"admin_teachers": {"country": "SN", "uses": 10}}
    await admin.send("/menu")
    assert "flows" not in admin.state.data
    await admin.send("/admin")
    await admin.tap("Inviter des enseignants")
    await admin.tap("Une seule personne")
    await admin.tap("Une semaine")
    assert "Valable pour 1 enseignant (Sénégal)" in admin.texts()


async def test_the_school_asked_by_call_goes_on_where_the_teacher_was_going() -> None:
    world = World()
    teacher, uid = await person(world, "teacher")
    world.people[uid].grants.append(Grant(Role.TEACHER, "SN"))  # granted directly: no school
    await teacher.send("/classes")
    await teacher.tap("Mon école")
    assert [f["then"] for f in teacher.state.data["calls"]] == ["classes_home"]
    said = await teacher.send("Lycée Blaise Diagne, Dakar")
    assert teacher.texts(said).startswith("C'est noté : Lycée Blaise Diagne, Dakar.")
    assert (teacher.state.step, "calls" in teacher.state.data) == ("classes_home", False)


async def test_a_teacher_request_half_filled_is_typed_and_forgotten_once_they_leave() -> None:
    world = World()
    teacher, _ = await person(world, "teacher")
    await teacher.tap("Espace enseignant")
    await teacher.tap("Demander l'accès enseignant")
    await teacher.send("CEG de Thiès")
    await teacher.tap("Plus tard")
    await teacher.tap("Français")
    assert teacher.state.data["flows"]["teachers"] == {
        "via": "request",
        "school": "CEG de Thiès",
        "name": "",
        "subjects": ["francais"],
        "levels": [],
        "then": "",
        "back": "",
    }
    await teacher.send("/menu")
    assert "flows" not in teacher.state.data


async def test_a_teacher_request_an_older_release_kept_untyped_goes_on_typed() -> None:
    world = World()
    teacher, _ = await person(world, "teacher")
    old = {"via": "request", "school": "CEG de Thiès", "subjects": ["francais"], "levels": []}
    teacher.state.data["teacher"] = old
    teacher.state.step = "teacher_levels"
    await teacher.resume()
    await teacher.tap("6e")
    assert "teacher" not in teacher.state.data
    await teacher.tap("Valider")
    assert "Votre demande est envoyée à l'administration (Sénégal)" in teacher.texts()
    admin = await national_admin(world)
    await admin.send("/admin")
    await admin.tap("Demandes d'enseignants")
    assert "CEG de Thiès · Sénégal" in admin.texts()


@dataclass
class Trip(FlowState, flow="trip"):
    """A state no flow declares, kept in the shop and naming flows."""

    shared_by = frozenset({"shop", "naming"})
    town: str | None = None


def _standing(step: str, flows: dict[str, object]) -> DialogState:
    return DialogState(step=step, data={"flows": dict(flows)})


def test_a_shared_state_is_kept_in_every_flow_sharing_it_and_dropped_elsewhere() -> None:
    owned = owners(FLOWS)
    kept = {"trip": {"town": "Thiès"}, "shop": {"items": []}}
    for step, left in (
        ("shop_home", {"trip", "shop"}),  # its own flow
        ("ask_name", {"trip"}),  # a flow sharing it (the shop's own state is gone)
        ("elsewhere", set()),  # neither
    ):
        state = _standing(step, kept)
        settle(state, owned)
        assert set(state.data.get("flows", {})) == left, step


def test_every_flow_a_state_is_shared_by_exists() -> None:
    names = {flow.name for flow in flows()}
    shared = {
        cls.__name__: cls.shared_by - names
        for cls in _subclasses(FlowState)
        if cls.__module__.startswith("dialogs.") and cls.shared_by
    }
    assert shared and all(not unknown for unknown in shared.values()), shared


def _subclasses(cls: type) -> list[type]:
    return [sub for direct in cls.__subclasses__() for sub in (direct, *_subclasses(direct))]


def test_each_flows_state_class_is_declared_by_that_flow() -> None:
    """A state class named after a flow is the one that flow declares (`state=`), and a
    declared class is that flow's or shared with it: what settle keeps is what the registry
    shows."""
    declared = {flow.name: flow.state for flow in flows()}
    for cls in _subclasses(FlowState):
        named = getattr(cls, "flow", None)  # a base of several states names none
        if cls.__module__.startswith("dialogs.") and named in declared:
            assert declared[named] is cls, (cls.__name__, named)
    for name, state in declared.items():
        assert state is None or name in {state.flow, *state.shared_by}, name
