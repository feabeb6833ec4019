"""The domain rules taken out of the SQL desks, pure: who reviews a Creathon scenario
(dialogs/creathon_rules.py) and who an announcement reaches (dialogs/audiences.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from dialogs.admin_ports import Audience
from dialogs.audiences import Condition, Reader, circle_delivery, conditions, meets, reaches
from dialogs.creathon_ports import JUROR, JURY, OPEN, PEER, REVIEW, Submission
from dialogs.creathon_rules import author_of, draw_reviewers, is_laureate, jury_hands, may_score

NOW = datetime(2026, 12, 7, 12, tzinfo=UTC)


def entry(sid: int, author: int, country: str) -> Submission:
    return Submission(sid, 1, f"course-{sid}", "", country, author)


def test_peers_are_of_another_country_never_the_author_and_the_load_is_spread() -> None:
    entries = [entry(10, 1, "SN"), entry(11, 2, "ML"), entry(12, 3, "TD")]
    teachers = {1: {"SN"}, 2: {"ML"}, 3: {"TD"}, 4: {"SN"}, 5: {"ML", "SN"}}
    pairs = draw_reviewers(entries, teachers, per_entry=2)

    by_entry: dict[int, list[int]] = {}
    for sid, reviewer in pairs:
        by_entry.setdefault(sid, []).append(reviewer)
    assert all(len(reviewers) == 2 for reviewers in by_entry.values())
    assert not set(by_entry[10]) & {1, 4, 5}  # nobody of Senegal reviews a Senegalese entry
    assert not set(by_entry[11]) & {2, 5}
    assert 3 not in by_entry[12]
    loads = [sum(r == t for _, r in pairs) for t in teachers]
    assert max(loads) - min(loads) <= 2
    assert draw_reviewers(entries, teachers, per_entry=2) == pairs  # the same draw again


def test_an_entry_without_country_or_without_foreign_teachers_gets_no_reviewer() -> None:
    assert draw_reviewers([entry(10, 1, "")], {2: {"ML"}}, per_entry=3) == []
    assert draw_reviewers([entry(10, 1, "SN")], {2: {"SN"}}, per_entry=3) == []


def test_those_taking_part_review_first_at_equal_load() -> None:
    entries = [entry(10, 1, "SN"), entry(11, 2, "ML")]
    teachers = {1: {"SN"}, 2: {"ML"}, 7: {"TD"}, 8: {"TD"}}
    assert draw_reviewers(entries, teachers, per_entry=1) == [(10, 2), (11, 1)]


def test_a_review_is_scored_in_its_own_phase_only() -> None:
    assert may_score(PEER, REVIEW) and may_score(JUROR, JURY)
    assert not may_score(PEER, JURY) and not may_score(JUROR, REVIEW)
    assert not may_score(PEER, OPEN)


def test_every_juror_scores_the_shortlist_but_their_own_scenario() -> None:
    assert jury_hands([10, 11], (1, 9), {10: 1, 11: 2}) == [(10, 9), (11, 1), (11, 9)]


def test_the_authors_line_is_read_from_the_header_only() -> None:
    assert author_of("title: Eau\nauthors: Awa Ndiaye\n\n# Leçon") == "Awa Ndiaye"
    assert author_of("title: Eau\n\n# Leçon\nauthors: pas ici") == ""
    assert [is_laureate(r) for r in (1, 3, 4, None)] == [True, True, False, False]


def test_an_announcement_skips_who_said_stop_but_a_personal_notice_does_not() -> None:
    stopped = Reader(1, opted_out=True, country="SN")
    assert not reaches(Audience(countries=("SN",)), stopped, NOW)
    assert reaches(Audience(user_ids=(1,), personal=True), stopped, NOW)


def test_a_group_linked_to_a_circle_gets_that_circles_posts_only() -> None:
    group = Reader(5, role="group", circles={3: "every"})
    assert not reaches(Audience(), group, NOW)
    assert reaches(Audience(personal=True, circle_id=3, circle_mode="now"), group, NOW)
    assert not reaches(Audience(personal=True, circle_id=3, circle_mode="digest"), group, NOW)


def test_every_filter_narrows_the_audience() -> None:
    awa = Reader(
        1,
        country="SN",
        role="student",
        level="CM2",
        locale="wo",
        last_seen=NOW - timedelta(days=3),
        class_ids=frozenset({7}),
        lessons={"fractions": frozenset({"l1"})},
        events=frozenset({4}),
    )
    for audience, expected in [
        (Audience(), True),
        (Audience(countries=("ML",)), False),
        (Audience(roles=("teacher",)), False),
        (Audience(levels=("CM2", "CM1")), True),
        (Audience(languages=("fr",)), False),
        (Audience(active_days=7), True),
        (Audience(active_days=2), False),
        (Audience(class_ids=(8,)), False),
        (Audience(unfinished=("fractions", 2)), True),
        (Audience(unfinished=("fractions", 1)), False),
        (Audience(unfinished_lesson=("fractions", "l1")), False),
        (Audience(event_id=4), True),
        (Audience(exclude_user=1), False),
    ]:
        assert reaches(audience, awa, NOW) is expected, audience


def test_who_cannot_be_written_to_is_counted_but_never_sent_to() -> None:
    on_sms = Reader(1, can_push=False)
    assert not reaches(Audience(), on_sms, NOW)
    assert reaches(Audience(), on_sms, NOW, any_channel=True)
    assert not reaches(Audience(), Reader(2, consented=False), NOW, any_channel=True)
    assert not reaches(Audience(), Reader(3, reachable=False), NOW)


def test_a_circles_member_outside_the_reply_window_waits_for_the_digest() -> None:
    now_mode = Audience(personal=True, circle_id=3, circle_mode="now")
    digest = Audience(personal=True, circle_id=3, circle_mode="digest")
    closed = Reader(1, circles={3: "every"}, window_open=False, missed_live=True)
    daily = Reader(2, circles={3: "daily"})
    assert [reaches(now_mode, p, NOW) for p in (closed, daily)] == [False, False]
    assert [reaches(digest, p, NOW) for p in (closed, daily)] == [True, True]


def test_a_circles_digest_leaves_out_who_got_every_post_live() -> None:
    digest = Audience(personal=True, circle_id=3, circle_mode="digest")
    # got the day's posts inside their window, which closed before the evening
    got_all = Reader(1, circles={3: "every"}, window_open=False, missed_live=False)
    # missed one while it was closed, and wrote since: open again in the evening
    missed = Reader(2, circles={3: "every"}, window_open=True, missed_live=True)
    assert [reaches(digest, p, NOW) for p in (got_all, missed)] == [False, True]


def test_the_conditions_are_those_the_sql_writes_in_order() -> None:
    names = [c.name for c in conditions(Audience(countries=("SN",), active_days=7), NOW)]
    assert names == [
        "consented",
        "pushing",
        "reachable",
        "not_opted_out",
        "not_following",
        "not_group",
        "country",
        "seen_since",
    ]
    follower = Reader(2, following=True)  # an address following a learner of elsewhere
    assert not reaches(Audience(), follower, NOW), "the learner is reached, not their address"
    assert reaches(Audience(user_ids=(2,), personal=True), follower, NOW), "a notice to it is"
    with pytest.raises(ValueError, match="unknown audience condition 'zodiac'"):
        meets(Condition("zodiac"), Reader(1))


def test_a_circles_message_goes_now_tonight_or_not_at_all() -> None:
    assert circle_delivery("every", can_push=True, window_open=True) == "now"
    assert circle_delivery("every", can_push=True, window_open=False) == "digest"
    assert circle_delivery("daily", can_push=True, window_open=True) == "digest"
    assert circle_delivery("mute", can_push=True, window_open=True) is None
    assert circle_delivery("every", can_push=False, window_open=True) is None


def test_the_sql_desk_writes_every_condition_of_the_rules() -> None:
    from bot.storage import sql
    from bot.storage.admin import audience_select, audience_where

    every = Audience(
        countries=("SN",),
        roles=("student",),
        levels=("CM2",),
        languages=("fr",),
        active_days=7,
        class_ids=(1, 2),
        user_ids=(3,),
        unfinished=("fractions", 2),
        unfinished_lesson=("fractions", "l1"),
        event_id=4,
        circle_id=5,
        circle_mode="digest",
        exclude_user=6,
    )
    where, params = audience_where(every, NOW)
    assert len(where.clauses) == len(conditions(every, NOW))  # type: ignore[attr-defined]
    assert params["cl"] == [1, 2] and params["us"] == [3]
    assert params["since"] == NOW - timedelta(days=7) and params["circle"] == 5
    people, _ = audience_select(every, NOW)
    assert audience_select(every, NOW + timedelta(days=1))[0] is people  # built once
    for dialect in ("sqlite", "postgresql"):
        text, _ = (sql.for_sqlite if dialect == "sqlite" else sql.for_postgresql)(people, params)
        assert ":cl_1, :cl_2" in text and ":unf_course" in text and ":event" in text
