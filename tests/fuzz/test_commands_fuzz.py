"""Hostile commands through the real dialogs on the real store: admin and teacher commands
with random arguments, followed by random answers (typed text, dates such as "01/12 08:00",
taps on the options offered, forged taps), said by a regional admin, a national admin, a
teacher and a student. Nothing raises, nothing is logged at ERROR, every row stays valid,
everyone can still reach the menu, and a student never creates a role, an announcement, an
invitation or a class."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from dialogs.messages import Ask, QuizQuestion
from tests.fuzz.support import (
    Harness,
    check_people,
    conversations_of,
    fuzz,
    grant,
    row_of,
    table_counts,
)
from tests.store_driver import Person

COMMANDS = [
    "/admin", "/stats", "/lier_cercle", "/delier_cercle", "/rejoindre", "/join", "/verifier",
    "/verify", "/classes", "/cercles", "/moderation", "/devoirs", "/questions", "/creathon",
    "/mon_code", "/mon_id", "/stop_annonces", "/annonces", "/mes_donnees", "/langue",
    "/certificats", "/progres", "/aide", "/start", "/menu", "/supprimer_mes_donnees", "/inconnue",
    "/ADMIN", "/admin@imaginecole_test_bot",
]  # fmt: skip
WORDS = [
    "01/12 08:00", "1/1 0:00", "31/02 25:61", "demain 8h", "maintenant", "00/00", "12/12/2099",
    "oui", "non", "1", "2", "3", "0", "-1", "99999999999999999999", "SN", "sn", "ALL", "tous",
    "ABCD-1234", "c-ABC123", "join-xyz", "telegram", "whatsapp:221770000000", "@", "%s",
    "%(name)s", "{}", "' OR 1=1 --", "\u202e", "🎒", "ا", "x" * 3000, "menu", "retour",
]  # fmt: skip
TEXT = st.one_of(st.sampled_from(WORDS), st.text(max_size=80))
ARGS = st.one_of(st.just(""), TEXT, st.builds(" ".join, st.lists(TEXT, max_size=3)))
# The guarded tables a student may never add rows to (an admin may, through their flows).
STAFF_ONLY = ("role_grants", "broadcasts", "outbox", "teacher_invites", "classes", "circles")
PEOPLE = {
    "regional": ("regional_admin", "Enseignant"),
    "national": ("national_admin", "Enseignant"),
    "teacher": ("teacher", "Enseignant"),
    "student": (None, "Élève"),
}


@st.composite
def moves(draw: st.DrawFn, person: Person) -> list[tuple[str, str]]:
    """A command with random arguments, then a few answers: ("say", text) or ("tap", id)."""
    command = draw(st.sampled_from(COMMANDS))
    said = [("say", f"{command} {draw(ARGS)}".rstrip())]
    for _ in range(draw(st.integers(1, 8))):
        kind = draw(st.sampled_from(["tap", "tap", "tap", "tap", "say", "say", "forged"]))
        if kind == "say":
            said.append(("say", draw(TEXT)))
        else:
            said.append((kind, draw(st.text(max_size=40)) if kind == "forged" else ""))
    return said


async def play(person: Person, plan: list[tuple[str, str]], index: int) -> None:
    """Say and tap as planned; a tap takes the option `index` of the last prompt (modulo)."""
    for kind, value in plan:
        if kind == "say":
            await person.send(value)
            continue
        prompts = [m for m in person.sent if isinstance(m, Ask | QuizQuestion)]
        if not prompts:
            await person.send(value or "menu")
            continue
        if kind == "forged":
            await person.tap_forged(value)
            continue
        last = prompts[-1]
        options = [*last.options, *(last.extra if isinstance(last, QuizQuestion) else ())]
        if options:
            await person.tap(options[index % len(options)].id)
        index = index * 7 + 3


def test_hostile_commands_by_every_role(harness: Harness) -> None:
    talk = conversations_of(harness)
    engine = talk.store.engine
    people = {name: Person.on(talk, "telegram", f"fuzz-{name}") for name in PEOPLE}

    async def ready(name: str) -> None:
        """Onboarded, with their role (again, after they erased their data)."""
        person = people[name]
        if await row_of(engine, "telegram", person.user.external_id) is not None:
            row = await row_of(engine, "telegram", person.user.external_id)
            if row.consented_at is not None and row.level is not None:
                return
        person.sent.clear()
        await person.onboard(role=PEOPLE[name][1])
        role = PEOPLE[name][0]
        if role is not None:
            await grant(harness.database_url, "telegram", person.user.external_id, role)

    for name in PEOPLE:
        harness.run(ready(name))

    @fuzz(harness.examples(80))
    @given(data=st.data())
    def example(data: st.DataObject) -> None:
        name = data.draw(st.sampled_from(sorted(PEOPLE)), label="who")
        person = people[name]
        harness.run(ready(name))
        before = harness.run(table_counts(engine, STAFF_ONLY))
        plan = data.draw(moves(person), label="plan")
        harness.run(play(person, plan, data.draw(st.integers(0, 63), label="index")))
        harness.assert_no_errors()
        harness.run(check_people(engine))
        if name == "student":
            assert harness.run(table_counts(engine, STAFF_ONLY)) == before, plan
        harness.run(ready(name))
        replies = harness.run(person.send("/menu"))
        assert person.texts(replies).strip()
        row = harness.run(row_of(engine, "telegram", person.user.external_id))
        assert row is not None and row.state_step == "menu", row
        harness.assert_no_errors()

    example()


DATE_WORDS = [
    "01/12 08:00", "1/12 8h", "31/12 23:59", "29/02 12:00", "31/04 10:00", "00/00 00:00",
    "01/12 24:00", "12/31 08:00", "01/13 08:00", "demain 08:00", "08:00", "01/12",
    "01/12/2030 08:00", "01/12 08:00 UTC", "١/١٢ ٠٨:٠٠", "99999/99999 99:99", "-1/-1 -1:-1",
]  # fmt: skip
DATES = st.one_of(
    st.sampled_from(DATE_WORDS),
    st.builds(
        "{:02d}/{:02d} {:02d}:{:02d}".format,
        st.integers(-5, 40),
        st.integers(-5, 15),
        st.integers(-5, 30),
        st.integers(-5, 70),
    ),
    st.text(max_size=30),
)


def test_typed_announcement_dates_by_an_admin(harness: Harness) -> None:
    """Down the announcement flow to "Choisir le jour et l'heure", then any typed date: an
    announcement scheduled in the future, or a clear answer and the date asked again."""
    talk = conversations_of(harness)
    engine = talk.store.engine
    admin = Person.on(talk, "telegram", "fuzz-dates")
    harness.run(admin.onboard(role="Enseignant"))
    harness.run(grant(harness.database_url, "telegram", "fuzz-dates", "national_admin"))
    pupil = Person.on(talk, "telegram", "fuzz-dates-pupil")  # an audience to announce to
    harness.run(pupil.onboard())

    async def to_the_date() -> None:
        await admin.send("/admin")
        await admin.tap("Nouvelle annonce")
        await admin.send("Les écoles ouvrent lundi.")
        await admin.tap("Continuer")
        for label in ("Les élèves", "Toutes les classes", "Toutes les langues"):
            await admin.tap(label)
        await admin.tap("Pas de classe précise")
        await admin.tap("Tout le monde")
        await admin.tap("Choisir le jour et l'heure")

    @fuzz(harness.examples(30))
    @given(typed=DATES)
    def example(typed: str) -> None:
        harness.run(to_the_date())
        asked = harness.run(row_of(engine, "telegram", "fuzz-dates"))
        assert asked.state_step == "ann_when", asked.state_step
        before = harness.run(table_counts(engine, ("broadcasts",)))["broadcasts"]
        replies = harness.run(admin.send(typed))
        assert admin.texts(replies).strip(), typed
        harness.assert_no_errors()
        after = harness.run(table_counts(engine, ("broadcasts",)))["broadcasts"]
        assert after - before in (0, 1), typed
        row = harness.run(row_of(engine, "telegram", "fuzz-dates"))
        if after == before:  # refused: the date is asked again
            assert row.state_step == "ann_when", (typed, row.state_step)
        harness.run(check_people(engine))

    example()
