"""The CircleDesk contract (dialogs/circle_ports.py): the in-memory fake and the SQL desk on
SQLite and PostgreSQL behave the same (tests/contract/conftest.py). The reply window of
WhatsApp is tested on SQL only (tests/integration/test_circle_relay.py)."""

from __future__ import annotations

from tests.contract.conftest import Seeded


async def test_a_post_reaches_now_who_follows_every_message_and_tonight_the_daily(
    world: Seeded,
) -> None:
    awa = await world.add_person(country="SN")
    moussa = await world.add_person(country="ML")
    zara = await world.add_person(country="TD")
    muted = await world.add_person(country="TD")
    circle = await world.desks(awa).circles.create_circle("Maths CM", "maths", "CM")
    for uid, digest in ((awa, "every"), (moussa, "every"), (zara, "daily"), (muted, "mute")):
        await world.desks(uid).circles.set_digest(circle, digest)

    listed = await world.desks(moussa).circles.circles()
    assert [(c.id, c.name, c.members, c.digest) for c in listed] == [
        (circle, "Maths CM", 4, "every")
    ]
    posted = await world.desks(awa).circles.post(circle, "Bonjour", {"fr": "Awa : Bonjour"})
    assert (posted.relayed, posted.held, posted.digest) == (1, 0, (zara,))
    answer = await world.desks(moussa).circles.post(
        circle, "Salut", {"fr": "Moussa : Salut"}, reply_to=posted.id
    )
    recent = await world.desks(zara).circles.recent(circle, 10)
    assert [(p.id, p.author.user_id, p.text, p.quoted) for p in recent] == [
        (posted.id, awa, "Bonjour", ""),
        (answer.id, moussa, "Salut", "Bonjour"),
    ]
    assert [p.id for p in await world.desks(zara).circles.recent(circle, 1)] == [answer.id]

    await world.desks(moussa).circles.set_digest(circle, None)
    assert [c.digest for c in await world.desks(moussa).circles.circles()] == [None]


async def test_a_colleague_of_another_country_is_asked_and_an_exchange_opens(
    world: Seeded,
) -> None:
    awa = await world.add_person(country="SN")
    same_country = await world.add_person(country="SN")
    moussa = await world.add_person(country="ML")
    for uid, country in ((same_country, "SN"), (moussa, "ML")):
        await world.add_teacher(uid, country)
        await world.desks(uid).teaching.save_profile("École", ("maths",), ("CM2",), "approved")
    await world.desks(awa).teaching.set_name("Awa")
    await world.desks(moussa).teaching.set_name("Moussa")

    asked = await world.desks(awa).circles.ask_colleague(awa, "maths", "CM2")
    assert asked is not None and (asked.user_id, asked.name, asked.country) == (
        moussa,
        "Moussa",
        "ML",
    )
    assert await world.desks(awa).circles.ask_colleague(awa, "maths", "CM2") is None
    asks = await world.desks(moussa).circles.asks()
    assert [(a.asker.user_id, a.subject, a.level) for a in asks] == [(awa, "maths", "CM2")]

    answered = await world.desks(moussa).circles.answer(asks[0].id, accept=True)
    assert answered is not None and answered[1] is not None
    exchange = answered[1]
    assert await world.desks(moussa).circles.asks() == []
    seen = [(c.id, c.name) for c in await world.desks(awa).circles.circles()]
    assert seen == [(exchange, "Échange Awa – Moussa")]
    assert await world.desks(same_country).circles.circles() == []  # an exchange is private
