"""The services of a turn (dialogs/services.py): a step that needs a missing one fails with
its name and its port, and steps read the services through `ctx.services` (the context
forwards only the two the quiz and the review still read through it)."""

from __future__ import annotations

from dataclasses import fields

import pytest

from dialogs.context import Context
from dialogs.services import PORTS, MissingService, Services, need
from tests.driver import Learner
from tests.fakes.ports import World


def test_a_missing_service_is_named_with_its_port() -> None:
    with pytest.raises(MissingService) as raised:
        need(Services().creathon, "creathon", "the Creathon")
    assert str(raised.value) == (
        "the Creathon needs the 'creathon' service (dialogs/creathon_ports.py CreathonDesk),"
        " not given to this turn"
    )


def test_every_service_has_its_port_named_and_is_read_through_ctx_services() -> None:
    names = [f.name for f in fields(Services)]
    assert sorted(PORTS) == sorted(names)
    world = World()
    services = world.desks(world.person(country="SN")).services()
    assert services.offered() == (
        "admin",
        "teaching",
        "links",
        "authoring",
        "reports",
        "circles",
        "creathon",
    )
    context_fields = {f.name for f in fields(Context)}
    assert not context_fields & set(names)  # the ports left the context's own fields
    forwarded = [name for name in names if isinstance(getattr(Context, name, None), property)]
    assert forwarded == ["review", "mastery"]  # dialogs/flows/quiz.py and review.py


async def test_a_teachers_command_without_the_teaching_service_is_refused_in_words() -> None:
    learner = Learner.new()  # no services at all, as a channel without storage
    replies = await learner.send("/classes")
    assert learner.texts(replies).splitlines()[0] == (
        "Cette commande est réservée aux enseignants. Voir « Espace enseignant »."
    )
