"""The CreathonDesk contract (dialogs/creathon_ports.py): the in-memory fake and the SQL desk
on SQLite and PostgreSQL behave the same (tests/contract/conftest.py)."""

from __future__ import annotations

from datetime import timedelta

from dialogs.creathon_ports import DONE, JUROR, JURY, OPEN, PEER, REVIEW, ContestDraft
from tests.contract.conftest import Seeded


async def contest_with_three_entries(world: Seeded) -> tuple[int, dict[str, int]]:
    """A contest, teachers of three countries who each submitted a course, a juror."""
    people = {}
    for name, country in (("awa", "SN"), ("moussa", "ML"), ("zara", "TD"), ("jury", "SN")):
        people[name] = await world.add_person(country=country, role="teacher")
        await world.add_teacher(people[name], country)
    draft = ContestDraft(
        theme="L'eau",
        rules="Un cours court.",
        levels=("CM2",),
        subjects=("sciences",),
        submit_by=world.now + timedelta(days=2),
        review_by=world.now + timedelta(days=9),
        criteria=(("Clarté", 50), ("Activité", 50)),
        jury=(people["jury"],),
        reviewers=1,
    )
    contest = await world.desks(people["jury"]).creathon.open_contest(draft)
    for name in ("awa", "moussa", "zara"):
        source = f"title: Cours de {name}\nauthors: {name.title()}\n\n# Leçon\nTexte."
        await world.add_course(people[name], f"c-{name}", source)
        assert await world.desks(people[name]).creathon.submit(contest, f"c-{name}", "En classe")
    return contest, people


async def test_a_teacher_submits_their_own_course_while_the_contest_is_open(
    world: Seeded,
) -> None:
    contest, people = await contest_with_three_entries(world)
    awa = world.desks(people["awa"]).creathon
    assert not await awa.submit(contest, "c-moussa", "pas le mien")
    assert await awa.submit(contest, "c-awa", "Autrement")  # changed, not doubled
    mine = await awa.mine(contest)
    assert mine is not None
    assert (mine.course_id, mine.description, mine.country) == ("c-awa", "Autrement", "SN")
    entries = await awa.submissions(contest)
    assert [s.author_id for s in entries] == [people["awa"], people["moussa"], people["zara"]]
    listed = await awa.contests()
    assert [(c.id, c.status, c.theme) for c in listed] == [(contest, OPEN, "L'eau")]
    assert await world.desks(people["jury"]).creathon.judging() == frozenset({contest})
    assert await awa.judging() == frozenset()


async def test_closing_hands_each_entry_to_a_peer_of_another_country_anonymously(
    world: Seeded,
) -> None:
    contest, people = await contest_with_three_entries(world)
    desk = world.desks(people["jury"]).creathon
    reviewers = await desk.close_submissions(contest)
    assert reviewers  # teachers of other countries
    assert await desk.close_submissions(contest) == ()  # closed once
    assert not await world.desks(people["awa"]).creathon.submit(contest, "c-awa", "trop tard")
    assert [c.status for c in await desk.contests()] == [REVIEW]

    entries = {s.id: s for s in await desk.submissions(contest)}
    handed = 0
    for uid in set(people.values()):
        for review in await world.desks(uid).creathon.to_review(contest, PEER):
            entry = entries[review.submission_id]
            assert entry.author_id != uid
            assert entry.country not in {"SN"} or uid not in (people["awa"], people["jury"])
            assert "Leçon" in review.source and not review.done
            handed += 1
    assert handed == 3  # one reviewer per entry


async def test_scores_count_in_their_phase_and_the_author_reads_them_without_names(
    world: Seeded,
) -> None:
    contest, people = await contest_with_three_entries(world)
    jury = world.desks(people["jury"]).creathon
    await jury.close_submissions(contest)
    for uid in set(people.values()):
        desk = world.desks(uid).creathon
        for review in await desk.to_review(contest, PEER):
            assert await desk.score(review.review_id, (8, 6), 70.0, "Bien")
            assert (await desk.to_review(contest, PEER))[0].done
    standings = {s.submission.author_id: s for s in await jury.standings(contest)}
    assert standings[people["awa"]].peer == 70.0 and standings[people["awa"]].jury is None
    assert standings[people["awa"]].author_name == "Awa"
    feedback = await world.desks(people["awa"]).creathon.feedback(contest)
    assert [(f.kind, f.scores, f.total, f.comment) for f in feedback] == [
        (PEER, (8, 6), 70.0, "Bien")
    ]

    shortlisted = tuple(s.submission.id for s in standings.values())
    assert await jury.start_jury(contest, shortlisted) == (people["jury"],)
    assert await jury.start_jury(contest, shortlisted) == ()  # moved once
    assert [c.status for c in await jury.contests()] == [JURY]
    to_score = await jury.to_review(contest, JUROR)
    assert len(to_score) == 3  # the juror's own entry? They submitted none
    peer_left = await world.desks(people["awa"]).creathon.to_review(contest, PEER)
    for review in peer_left:  # the peers' phase is over
        assert not await world.desks(people["awa"]).creathon.score(review.review_id, (1, 1), 10, "")
    for review in to_score:
        assert await jury.score(review.review_id, (9, 9), 90.0, "")
    assert not await world.desks(people["awa"]).creathon.score(to_score[0].review_id, (1,), 1, "")
    marks = [(s.peer, s.jury) for s in await jury.standings(contest)]
    assert marks == [(70.0, 90.0)] * 3


async def test_crowning_keeps_the_ranks_and_the_winners_get_their_laurels(world: Seeded) -> None:
    contest, people = await contest_with_three_entries(world)
    jury = world.desks(people["jury"]).creathon
    await jury.close_submissions(contest)
    entries = await jury.submissions(contest)
    first = entries[0].id
    assert await jury.winner_source(first) == (
        "title: Cours de awa\nauthors: Awa\n\n# Leçon\nTexte."
    )
    ranks = {s.id: rank for rank, s in enumerate(entries, start=2)}  # 2, 3, 4
    await jury.crown(contest, ranks, {entries[0].id: "title: Nouveau\n\n# Leçon\nTexte."})
    assert [c.status for c in await jury.contests()] == [DONE]
    assert [s.rank for s in await jury.submissions(contest)] == [2, 3, 4]
    assert await jury.winner_source(first) == "title: Nouveau\n\n# Leçon\nTexte."
    assert await jury.laurels() == {"c-awa": ("L'eau",), "c-moussa": ("L'eau",)}
