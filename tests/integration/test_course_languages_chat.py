"""A course in several languages, read in the chat: a Wolof learner reads the Wolof steps of
the fractions course (content/library/fractions/course.wo.md) and, where a step has no Wolof
yet, the French one — for that step only. The same script on Telegram, WhatsApp and the web."""

from __future__ import annotations

from tests.chat_drivers import ChatLearner
from tests.chat_drivers import chat_fixture as chat_fixture  # the `chat` fixture

NEXT = "Bi ci topp ▶️"  # "Suivant" in the Wolof catalog


async def test_a_wolof_learner_reads_wolof_steps_and_french_where_wolof_is_missing(
    chat: ChatLearner,
) -> None:
    await chat.send("/start")
    for label in ("Wolof", "Nangu naa", "Senegaal", "Ndongo", "CM2"):
        await chat.tap(label)
    await chat.tap("Njàng yi")
    # The course has a Wolof version: it is offered as a course in the learner's language.
    assert "Il n'y a pas encore de cours dans votre langue" not in chat.last_text()
    # The other courses of the class (French only) stay offered, after those it has in Wolof.
    assert chat.options() == ["Mathématiques", "Wér-gi-yaram", "Histoire et géographie", "🏠 Menu"]
    await chat.tap("Mathématiques")
    assert chat.options() == ["📘 Xaaj yi", "🏠 Menu"]  # its Wolof title
    for label in ("Xaaj yi", "Comprendre"):
        await chat.tap(label)
    # Lesson titles in Wolof where the translation has them, in French elsewhere.
    assert chat.options()[:2] == ["1. Séddale ci pàcc yu yem", "2. Comparer des fractions"]
    await chat.tap("Séddale")
    assert chat.last_text().endswith(
        "Séddale ci pàcc yu yem (1/5)\n\n"
        "Aminata am na benn galett. Dafa bëgg a ko séddale ak i xaritam Moussa, Fatou ak"
        " Ibrahim. Ñoom ñeent lañu, xale yépp.\n\n"
        "Ngir séddale bi jub, dafa dagg galett bi ñeenti pàcc yu yem. Xale bu nekk am na benn"
        " pàcc ci ñeent."
    )
    await chat.tap(NEXT)  # step 2, the picture: its caption has no Wolof, it stays French
    assert "Une galette coupée en 4 parts égales : chaque part est un quart." in chat.last_text()
    await chat.tap(NEXT)  # step 3 is in Wolof
    assert chat.last_text().startswith(
        "Séddale ci pàcc yu yem (3/5)\n\nBenn pàcc ci ñeent, ñu ngi koy bind ak xaaj : 1/4."
    )
    await chat.tap(NEXT)  # step 4 has no Wolof: French for that step only
    assert chat.last_text().startswith(
        "Séddale ci pàcc yu yem (4/5)\n\n"
        "Moussa a très faim. Si ses amis lui laissent 3 parts, il mange 3/4 de la galette"
    )
    await chat.tap("◀️ Bi jiitu")  # back to step 3: Wolof again
    assert chat.last_text().startswith("Séddale ci pàcc yu yem (3/5)\n\nBenn pàcc ci ñeent")
