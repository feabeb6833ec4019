"""The typed state of the teacher's flows on the fakes (dialogs/flow.py): what a flow keeps is
its own while the teacher is in it, stays while it waits on a flow it called (the class page,
the circle page, the contests), and is gone once they leave; a state an older release kept
untyped goes on typed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from dialogs.creathon_ports import ContestDraft
from dialogs.roles import Grant, Role
from tests.driver import Learner
from tests.fakes.ports import World
from tests.unit.test_flows_on_fakes import WATER, invited_teacher, national_admin, person


def kept(learner: Learner) -> dict[str, object]:
    """The flows' states kept after the last turn, by flow."""
    found = learner.state.data.get("flows", {})
    assert isinstance(found, dict)
    return found


def callees(learner: Learner) -> list[str]:
    """The flows called and not yet left, the latest last."""
    return [str(frame["callee"]) for frame in learner.state.data.get("calls", [])]


async def a_class_page(world: World) -> tuple[Learner, int]:
    """A teacher on the page of their class "CM2 A"."""
    teacher, uid = await invited_teacher(world)
    await world.desks(uid).teaching.create_class("CM2 A", "CM2", "maths")
    await teacher.send("/classes")
    await teacher.tap("CM2 A")
    return teacher, uid


async def test_the_work_being_given_is_the_assignments_own_and_gone_back_at_the_class() -> None:
    world = World()
    teacher, _ = await a_class_page(world)
    await teacher.tap("Donner un travail")  # no work yet: the courses at once
    await teacher.tap("Les fractions")
    await teacher.tap("2. Comparer des fractions")
    assert kept(teacher)["assignments"] == {
        "course": "fractions",
        "lesson": "comparer",
        "group": None,
    }
    await teacher.tap("Les leçons")
    await teacher.tap("Les cours")
    await teacher.tap("La classe")
    assert teacher.state.step == "class_page"
    assert set(teacher.state.data["flows"]) == {"class_in_hand"}  # the work is gone


async def test_work_left_half_given_is_forgotten() -> None:
    world = World()
    teacher, _ = await a_class_page(world)
    await teacher.tap("Donner un travail")
    await teacher.tap("Les fractions")
    await teacher.send("/menu")
    assert "flows" not in teacher.state.data
    await teacher.send("/classes")
    await teacher.tap("CM2 A")
    await teacher.tap("Donner un travail")
    assert teacher.texts(teacher.sent[-1:]).startswith("Quel cours donner à la classe « CM2 A »")


async def test_work_an_older_release_was_giving_goes_on_typed() -> None:
    world = World()
    teacher, _ = await a_class_page(world)
    class_id = teacher.state.data["flows"]["class_in_hand"]["room"]
    # What the older release kept, untyped: the class in hand and the work being given.
    teacher.state.data = {"class": class_id, "work": {"course": "fractions", "lesson": None}}
    teacher.state.step = "work_deadline"
    await teacher.resume()
    await teacher.tap("Les leçons")  # the course the older release kept
    assert "« Les fractions » : tout le cours, ou une seule leçon" in teacher.texts()
    assert "work" not in teacher.state.data and "class" not in teacher.state.data
    assert kept(teacher)["class_in_hand"] == {"room": class_id}
    assert kept(teacher)["assignments"] == {"course": "fractions", "lesson": None, "group": None}


async def test_the_class_page_calls_its_tools_and_they_come_back_to_it() -> None:
    world = World()
    teacher, uid = await a_class_page(world)
    awa = world.person(country="SN", role="student", level="CM2")
    (room,) = await world.desks(uid).teaching.classes()
    await world.desks(awa).teaching.join(room.id, "Awa")
    await world.desks(awa).reports.ask(room.id, "fractions", "parts-egales", "1/2 ?")
    await teacher.send("/classes")
    await teacher.tap("CM2 A")
    await teacher.tap("Questions des élèves")
    assert callees(teacher) == ["class_questions"]
    await teacher.tap("Retour")
    assert (teacher.state.step, "calls" in teacher.state.data) == ("class_page", False)
    assert set(teacher.state.data["flows"]) == {"class_in_hand"}  # the tool's state is gone


async def test_a_circle_open_and_a_colleague_sought_are_the_circles_own() -> None:
    world = World()
    awa, awa_id = await invited_teacher(world)
    circle = await world.desks(awa_id).circles.create_circle("Maths CM", "maths", "CM")
    await awa.send("/cercles")
    await awa.tap("Maths CM")
    assert kept(awa)["circles"] == {
        "circle": circle,
        "reply_to": None,
        "new_subject": "",
        "colleague": "",
        "pending": "",
    }
    await awa.tap("Cercles")
    await awa.tap("Trouver un·e collègue")
    await awa.tap("Mathématiques")
    assert kept(awa)["circles"]["colleague"] == "mathematiques"  # type: ignore[index]
    await awa.send("/menu")
    assert "flows" not in awa.state.data
    await awa.send("/cercles")
    await awa.tap("Trouver un·e collègue")
    await awa.tap("Mathématiques")
    said = awa.texts(await awa.tap("CM2"))
    assert "Aucun·e collègue n'est disponible pour votre demande (Mathématiques, CM2)" in said
    assert kept(awa)["circles"]["colleague"] == ""  # type: ignore[index]


async def test_a_circle_an_older_release_kept_open_goes_on_typed() -> None:
    world = World()
    awa, awa_id = await invited_teacher(world)
    circle = await world.desks(awa_id).circles.create_circle("Maths CM", "maths", "CM")
    await world.desks(awa_id).circles.set_digest(circle, "every")
    awa.state.data.update(circle=circle, colleague="maths")
    awa.state.step = "circle_page"
    said = awa.texts(await awa.resume())
    assert "Maths CM" in said
    assert ("circle" in awa.state.data, "colleague" in awa.state.data) == (False, False)
    await awa.tap("Écrire")
    await awa.send("Bonjour à tous")
    assert [p.text for p in await world.desks(awa_id).circles.recent(circle, 5)] == [
        "Bonjour à tous"
    ]


async def test_an_announcement_draft_is_typed_and_forgotten_once_the_admin_leaves() -> None:
    world = World()
    admin = await national_admin(world)
    await admin.send("/admin")
    await admin.tap("Nouvelle annonce")
    await admin.send("Les écoles rouvrent lundi.")
    draft = kept(admin)["announce"]
    assert isinstance(draft, dict) and draft["texts"] == {"fr": "Les écoles rouvrent lundi."}
    await admin.tap("Continuer")
    await admin.tap("Les élèves")
    assert kept(admin)["announce"]["roles"] == "student"  # type: ignore[index]
    await admin.send("/menu")
    assert "flows" not in admin.state.data
    await admin.send("/admin")
    await admin.tap("Nouvelle annonce")
    assert "🌐 Écrire dans une autre langue" in [o.label for o in admin.last_prompt().options]


async def test_an_announcement_an_older_release_was_writing_goes_on_typed() -> None:
    world = World()
    for _ in range(2):
        world.person(country="SN", role="student", level="CM2")
    admin = await national_admin(world)
    await admin.send("/admin")
    old = {"texts": {"fr": "Bonne rentrée"}, "countries": ["SN"], "roles": "student"}
    admin.state.data.update(ann={**old, "levels": "all", "languages": "all", "active": "0"})
    admin.state.step = "ann_preview"
    said = admin.texts(await admin.resume())
    assert "Aperçu :\n\nBonne rentrée" in said and "ann" not in admin.state.data
    assert "Cette annonce touchera 2 personnes." in said
    await admin.tap("Envoyer maintenant")
    (sent,) = world.broadcasts.values()
    assert (sent.draft.texts, sent.draft.audience.roles) == ({"fr": "Bonne rentrée"}, ("student",))
    assert "flows" not in admin.state.data


async def test_an_old_draft_left_behind_is_not_what_a_new_announcement_starts_from() -> None:
    world = World()
    admin = await national_admin(world)
    await admin.send("/admin")
    admin.state.data["ann"] = {"texts": {"fr": "Une vieille annonce"}}  # left by /menu, once
    await admin.tap("Nouvelle annonce")
    assert "ann" not in admin.state.data
    assert kept(admin)["announce"]["texts"] == {}  # type: ignore[index]


def contest(admin_id: int) -> ContestDraft:
    now = datetime.now(UTC)
    return ContestDraft(
        "L'eau dans notre village",
        "Un cours court.",
        ("CM2",),
        ("sciences",),
        now + timedelta(days=2),
        now + timedelta(days=9),
        (("Clarté", 100),),
        (admin_id,),
    )


async def test_the_contest_shown_stays_with_the_contests_while_its_page_runs() -> None:
    world = World()
    teacher, uid = await invited_teacher(world)
    world.course(uid, "eau", WATER)
    admin_id = world.person(country="SN")
    world.people[admin_id].grants.append(Grant(Role.REGIONAL_ADMIN, None))
    contest_id = await world.desks(admin_id).creathon.open_contest(contest(admin_id))
    await teacher.send("/creathon")
    await teacher.tap("L'eau dans notre village")
    assert callees(teacher) == ["creathon_entries"]
    assert kept(teacher)["creathon"]["contest"] == contest_id  # type: ignore[index]
    await teacher.tap("scénario")
    await teacher.tap("Le cycle de l'eau")
    await teacher.send("Les élèves observent une flaque pendant une semaine.")
    said = teacher.texts(await teacher.send("Awa Ndiaye"))  # the name, asked by a call
    assert "Votre scénario est déposé." in said
    (entry,) = [s for s, _ in world.submissions.values()]
    assert entry.course_id == "eau"
    assert "Awa Ndiaye" in world.courses["eau"][1]  # signed with the name just typed
    assert "publishing" not in kept(teacher)
    await teacher.send("/menu")
    assert ("flows" in teacher.state.data, "calls" in teacher.state.data) == (False, False)


async def test_a_contest_an_older_release_kept_shown_answers_on_its_page() -> None:
    world = World()
    teacher, _ = await invited_teacher(world)
    admin_id = world.person(country="SN")
    world.people[admin_id].grants.append(Grant(Role.REGIONAL_ADMIN, None))
    contest_id = await world.desks(admin_id).creathon.open_contest(contest(admin_id))
    await teacher.send("/creathon")
    teacher.state.data["cr"] = contest_id
    teacher.state.step = "cr_contest"
    said = teacher.texts(await teacher.resume())
    assert "🏆 Creathon « L'eau dans notre village »" in said
    assert "cr" not in teacher.state.data


async def test_a_student_is_refused_the_circles_and_keeps_nothing_of_them() -> None:
    world = World()
    student, _ = await person(world)
    student.state.data["circle"] = 1  # as an older release kept it
    student.state.step = "circle_page"
    said = student.texts(await student.send("?"))
    assert "Les cercles sont réservés aux enseignants." in said
    assert "flows" not in student.state.data
