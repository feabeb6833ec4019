"""No dead ends: random taps and typed text through every reachable step, for every role.

People on the real dialogs and the real store (tests/store_driver.py, no transport): a
student, a teacher, a moderator, a national and a regional admin, and a family phone of two
learners, one of them behind a PIN. Each example starts at the person's main menu, walks a
few random inputs (taps on the options offered, typed words, menu entries, commands) and then
checks the step it reached:

- after every input the person is offered what to do next: the reply holds a question with
  options, or names a command to type ("/start", "/menu");
- back to the menu within three inputs: "back to the menu" means the main menu's prompt is
  shown (the `menu` step is entered and its question sent in that reply). The inputs tried,
  in this order: a "🏠 Menu" option when the step shows one, else the word "menu" typed
  (it works from every step, and every "Je n'ai pas compris" says so), then `/menu`, then a
  "↩️ Retour"-like option. At the PIN gate of a shared phone (nothing of the
  locked learner is shown before their PIN) the way out is another learner without a PIN,
  or the PIN itself, which that learner knows. A profile still onboarding (a newcomer after
  an erasure, a learner just added to the phone) has no menu yet: /menu shows its current
  question again.

Which of those inputs worked is counted per step (`ESCAPES`), so a step left only by a typed
command shows in a failure's message. CI replays the same examples (derandomised, see
tests/fuzz/support.py); `IMAGINECOLE_FUZZ_EXAMPLES=3000 python -m pytest
tests/fuzz/test_no_dead_ends.py` walks longer and randomly.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from hypothesis import given
from hypothesis import strategies as st

from dialogs.flows.profiles import GATES
from dialogs.messages import Ask, Out, QuizQuestion
from dialogs.profile_ports import read_pin
from dialogs.state import Profile
from tests.driver import text_of
from tests.fuzz.support import Harness, conversations_of, fuzz, grant
from tests.store_driver import Person

PIN = "2580"  # every PIN the walk sets or types: a learner always knows their own
MENU_STEP = "menu"
GATE_STEPS = GATES
BACK_IDS = ("back", "keep", "cancel", "no", "non", "later", "quit", "leave")
COMMANDS = [
    "/aide", "/progres", "/eleve", "/classes", "/admin", "/devoirs", "/rappels",
    "/certificats", "/mes_donnees", "/langue", "/moderation", "/stats", "/questions",
    "/cercles", "/creathon", "/donnees_legeres", "/rejoindre", "/mon_code", "/start",
    "/supprimer_mes_donnees", "/inconnue",
]  # fmt: skip
WORDS = [
    "menu", "Menu", "retour", "cours", "mes cours", "progrès", "oui", "non", "1", "2", "3",
    "a", "b", "Awa", "ok", "?", "🎒", "Sciences", "2024", "01/12 08:00", PIN, "x" * 300,
]  # fmt: skip
TEXT = st.one_of(
    st.sampled_from(WORDS),
    st.text(max_size=30).filter(lambda t: read_pin(t) is None),  # no unknown PIN
)
MOVE = st.one_of(
    st.tuples(st.just("tap"), st.integers(0, 40)),
    st.tuples(st.just("tap"), st.integers(0, 40)),
    st.tuples(st.just("tap"), st.integers(0, 40)),
    st.tuples(st.just("say"), TEXT),
    st.tuples(st.just("say"), st.sampled_from(COMMANDS)),
)
# role granted (None: a student), the role tapped during onboarding
PEOPLE = {
    "student": (None, "Élève"),
    "teacher": ("teacher", "Enseignant"),
    "moderator": ("moderator", "Enseignant"),
    "national": ("national_admin", "Enseignant"),
    "regional": ("regional_admin", "Enseignant"),
    "family": (None, "Élève"),  # two learners, Awa behind a PIN
}
ESCAPES: Counter[tuple[str, str]] = Counter()  # (step, the input that led back) for a report


@dataclass
class Walker:
    """One person of the walk and what the walk needs to know of them."""

    name: str
    person: Person

    async def step(self) -> str:
        """The step the person's profile in use is at (read in a turn that changes nothing)."""
        async with self.person.conversations.store.turn(self.person.user) as tx:
            assert tx is not None
            return tx.state.step

    async def complete(self) -> bool:
        """Whether the profile in use finished its onboarding."""
        return (await self.profile()).complete

    async def profile(self) -> Profile:
        """The profile in use."""
        async with self.person.conversations.store.turn(self.person.user) as tx:
            assert tx is not None
            return tx.profile


def prompt_of(replies: list[Out]) -> Ask | QuizQuestion | None:
    """The last question of a reply."""
    asked = [m for m in replies if isinstance(m, Ask | QuizQuestion)]
    return asked[-1] if asked else None


def offers_a_next_step(replies: list[Out]) -> bool:
    """A question with options, or a command named to type."""
    asked = prompt_of(replies)
    if asked is not None and (asked.options or isinstance(asked, QuizQuestion)):
        return True
    said = "\n".join(text_of(m) for m in replies)
    return "/start" in said or "/menu" in said


async def menu_shown(walker: Walker, replies: list[Out]) -> bool:
    """The main menu's prompt was shown by this reply."""
    return prompt_of(replies) is not None and await walker.step() == MENU_STEP


async def ready(walker: Walker, harness: Harness) -> None:
    """At the main menu of a complete profile, whatever the last walk did (erasure...)."""
    person = walker.person
    for _ in range(12):
        replies = await person.send("/menu")
        step = await walker.step()
        if step == MENU_STEP and await walker.complete():
            return
        if step in GATE_STEPS:
            await person.send(PIN)
            continue
        # An unfinished onboarding (a new learner, or data erased): the first options on.
        for _ in range(8):
            asked = prompt_of(replies) or prompt_of(person.sent)
            if asked is None or await walker.step() == MENU_STEP:
                break
            labels = [o.label for o in asked.options]
            wanted = PEOPLE[walker.name][1]
            pick = next((o for o in asked.options if o.label in (wanted, "Français")), None)
            pick = pick or next((o for o in asked.options if "accepte" in o.label), None)
            pick = pick or (asked.options[0] if asked.options else None)
            if pick is None:
                break
            assert labels
            replies = await person.tap(pick.id)
        if await walker.step() == MENU_STEP and await walker.complete():
            role = PEOPLE[walker.name][0]
            if role is not None:  # data erased and onboarded again: the role again
                await grant(harness.database_url, "telegram", person.user.external_id, role)
            return
    state = (await walker.step(), await walker.profile())
    raise AssertionError(
        f"{walker.name} never got back to the menu {state}: {person.texts()[-800:]}"
    )


async def play(walker: Walker, moves: list[tuple[str, object]]) -> None:
    """The random inputs; after each, the person is offered what to do next."""
    person = walker.person
    for kind, value in moves:
        asked = prompt_of(person.sent)
        if kind == "tap" and asked is not None and asked.options:
            assert isinstance(value, int)
            replies = await person.tap(asked.options[value % len(asked.options)].id)
        elif kind == "tap":
            replies = await person.send("menu")
        else:
            replies = await person.send(str(value))
        step = await walker.step()
        assert replies, f"{walker.name}: no answer at all at {step!r} after {kind} {value!r}"
        assert offers_a_next_step(replies), (
            f"{walker.name}: nothing to do next at {step!r} after {kind} {value!r}:\n"
            + person.texts(replies)
        )


async def back_to_menu(walker: Walker) -> None:
    """Three inputs the person can see at most: the menu must be shown."""
    person = walker.person
    start = await walker.step()
    if not await walker.complete() and start not in GATE_STEPS:
        # A newcomer (data erased) or a new learner of the phone: the menu comes after the
        # onboarding's questions, which /menu shows again.
        again = prompt_of(await person.send("/menu"))
        assert again is not None and again.options, f"{walker.name}: onboarding at {start!r}"
        ESCAPES[(start, "onboarding")] += 1
        return
    tried: list[str] = []
    for _ in range(3):
        step = await walker.step()
        asked = prompt_of(person.sent)
        options = list(asked.options) if asked is not None else []
        menu = next((o for o in options if o.id == MENU_STEP), None)
        back = next((o for o in options if o.id in BACK_IDS), None)
        free = next((o for o in options if "🔒" not in o.label and o.id.startswith("p")), None)
        if step in GATE_STEPS:
            how, replies = (
                ("another learner", await person.tap(free.id))
                if free is not None and step == "profile_unlock"
                else ("the PIN", await person.send(PIN))
            )
        elif menu is not None:
            how, replies = "🏠 Menu", await person.tap(menu.id)
        elif "typed menu" not in tried:
            how, replies = "typed menu", await person.send("menu")
        elif back is not None and "/menu" in tried:
            how, replies = f"option {back.id!r}", await person.tap(back.id)
        else:
            how, replies = "/menu", await person.send("/menu")
        tried.append(how)
        if await menu_shown(walker, replies):
            ESCAPES[(start, how if len(tried) == 1 else " → ".join(tried))] += 1
            return
    raise AssertionError(
        f"{walker.name}: dead end at {start!r}: {' → '.join(tried)} never showed the menu\n"
        + person.texts()[-1500:]
    )


async def family(person: Person) -> None:
    """Fatou (the main profile) and Awa, whose profile has the PIN."""
    await person.send("/eleve")
    await person.tap("Ajouter un élève")
    await person.send("Fatou")
    await person.send("Awa")
    for label in ("Français", "J'accepte", "Élève", "CE1"):
        await person.tap(label)
    await person.send("/eleve")
    await person.tap("Mettre un code PIN")
    await person.send(PIN)


def test_no_step_is_a_dead_end_for_any_role(harness: Harness) -> None:
    talk = conversations_of(harness)
    walkers = {name: Walker(name, Person.on(talk, "telegram", f"walk-{name}")) for name in PEOPLE}
    for name, (role, tapped) in PEOPLE.items():
        person = walkers[name].person
        harness.run(person.onboard(role=tapped))
        if role is not None:
            harness.run(grant(harness.database_url, "telegram", person.user.external_id, role))
        if name == "family":
            harness.run(family(person))

    @fuzz(harness.examples(300), budget=30)  # up to 12 whole turns, not one parsed input
    @given(data=st.data())
    def example(data: st.DataObject) -> None:
        walker = walkers[data.draw(st.sampled_from(sorted(PEOPLE)), label="who")]
        harness.run(ready(walker, harness))
        moves = data.draw(st.lists(MOVE, min_size=1, max_size=12), label="moves")
        harness.run(play(walker, moves))
        harness.run(back_to_menu(walker))
        harness.assert_no_errors()

    example()
    print(sorted(ESCAPES.items()))  # with -s: how each step led back to the menu
