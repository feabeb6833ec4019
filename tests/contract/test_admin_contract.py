"""The AdminDesk contract (dialogs/admin_ports.py): the in-memory fake and the SQL desk on
SQLite and PostgreSQL behave the same (tests/contract/conftest.py). The impact figures are
tested on SQL only (tests/integration/test_figures_by_sex.py)."""

from __future__ import annotations

from datetime import timedelta

from dialogs.admin_ports import Audience, BroadcastDraft
from dialogs.roles import Grant, Role
from tests.contract.conftest import Seeded


async def test_a_person_named_by_their_code_is_granted_a_role_once(world: Seeded) -> None:
    admin = await world.add_person(country="SN")
    awa = await world.add_person(country="SN")
    code = await world.desks(awa).admin.person_code()
    assert await world.desks(awa).admin.person_code() == code  # made once
    desk = world.desks(admin).admin
    assert await desk.find_person(f" {code.lower()} ") == (awa, "SN")
    assert await desk.find_person("ZZZZZZ") is None

    await desk.grant(awa, Grant(Role.TEACHER, "SN"), {"fr": "Vous êtes enseignante."})
    await desk.grant(awa, Grant(Role.TEACHER, "SN"), {"fr": "Vous êtes enseignante."})
    await desk.grant(awa, Grant(Role.NATIONAL_ADMIN, "SN"))
    assert await world.desks(awa).admin.grants() == [
        Grant(Role.NATIONAL_ADMIN, "SN"),
        Grant(Role.TEACHER, "SN"),
    ]


async def test_an_announcement_reaches_its_countries_without_those_who_said_stop(
    world: Seeded,
) -> None:
    admin = await world.add_person(country="SN")
    for country in ("SN", "SN", "SN", "ML"):
        await world.add_person(country=country, role="student")
    stopped = await world.add_person(country="SN", role="student")
    await world.add_person(country="SN", role="student", consented=False)
    await world.desks(stopped).admin.set_announcements(False)
    assert await world.desks(stopped).admin.announcements_off()

    desk = world.desks(admin).admin
    senegal = Audience(countries=("SN",), roles=("student",))
    assert [(r.caps.can_push, r.people) for r in await desk.count_audience(senegal)] == [(True, 3)]
    bid, total = await desk.create_broadcast(BroadcastDraft({"fr": "Bonjour"}, senegal))
    assert total == 3
    later = BroadcastDraft({"fr": "Demain"}, senegal, scheduled_at=world.now + timedelta(days=1))
    scheduled, none_yet = await desk.create_broadcast(later)
    assert none_yet == 0

    listed = await desk.broadcasts(frozenset({"SN"}))
    assert [(b.id, b.status, b.total) for b in listed] == [
        (scheduled, "scheduled", 0),
        (bid, "queued", 3),
    ]
    assert await desk.broadcasts(frozenset({"ML"})) == []
    assert await desk.cancel_broadcast(bid) == 3
    assert [b.status for b in await desk.broadcasts(None)] == ["scheduled", "cancelled"]

    await world.desks(stopped).admin.set_announcements(True)
    counted = await desk.count_audience(senegal)
    assert [r.people for r in counted] == [4]


async def test_a_personal_notice_is_no_announcement(world: Seeded) -> None:
    teacher = await world.add_person(country="SN")
    awa = await world.add_person(country="SN")
    await world.desks(awa).admin.set_announcements(False)
    desk = world.desks(teacher).admin
    notice = BroadcastDraft({"fr": "Note"}, Audience(user_ids=(awa,), personal=True))
    _, total = await desk.create_broadcast(notice)
    assert total == 1
    assert await desk.broadcasts(None) == []
