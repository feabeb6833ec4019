"""Every question kind is registered completely, in each of its tables (issue 17)."""

from __future__ import annotations

import dataclasses

from content.kinds import KINDS, READINGS
from content.model import QuestionType
from dialogs.kinds import DIALOG_KINDS


def test_every_question_type_has_a_complete_content_kind() -> None:
    assert set(KINDS) == set(QuestionType)
    for question_type, kind in KINDS.items():
        assert kind.type is question_type
        for field in dataclasses.fields(kind):
            if field.name != "paper":  # None says "not answered on paper"
                assert getattr(kind, field.name) is not None, (question_type, field.name)
        if kind.paper is not None:
            assert callable(kind.paper.read) and kind.paper.example, question_type


def test_what_is_answered_on_paper_is_what_earns_points() -> None:
    on_paper = {t for t, kind in KINDS.items() if kind.paper is not None}
    assert on_paper == {
        t for t in QuestionType if t not in (QuestionType.ESSAY, QuestionType.DESCRIPTION)
    }


def test_every_question_type_has_a_complete_dialog_kind() -> None:
    assert set(DIALOG_KINDS) == set(QuestionType)
    for question_type, kind in DIALOG_KINDS.items():
        assert kind.type is question_type
        for name in ("options", "ask", "read", "expected", "record", "reread"):
            assert callable(getattr(kind, name)), (question_type, name)


def test_what_the_review_asks_is_answered_in_one_message_and_graded() -> None:
    for question_type, kind in DIALOG_KINDS.items():
        if kind.reviewable:
            assert kind.one_turn and kind.asks, question_type
            assert question_type not in (QuestionType.ESSAY, QuestionType.DESCRIPTION)


def test_every_question_type_is_printed_in_the_booklet_and_its_key() -> None:
    for question_type, kind in KINDS.items():
        assert callable(kind.printed.space) and callable(kind.printed.key), question_type
        assert kind.printed.lines >= 1, question_type


def test_every_question_type_is_read_from_the_course_format_in_a_known_order() -> None:
    priorities = [kind.reads.priority for kind in KINDS.values()]
    assert [r.priority for r in READINGS] == sorted(priorities)
    for question_type, kind in KINDS.items():
        assert callable(kind.reads.claims) and callable(kind.reads.build), question_type


def test_what_earns_no_points_is_what_is_not_answered_on_paper() -> None:
    for question_type, kind in KINDS.items():
        assert kind.scored == (kind.paper is not None), question_type
