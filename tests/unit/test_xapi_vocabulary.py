"""The xAPI vocabulary of docs/xapi.md: statement ids that never change for an event, and
activity ids under the configured base, one segment per id."""

from __future__ import annotations

from bot.storage.xapi import Vocabulary, statement_id


def test_an_events_statement_id_is_the_same_in_every_process_and_release() -> None:
    # Fixed: a new namespace or identity would make every LRS store the history twice.
    event = (7, "lesson-completed", "fractions", "parts-egales")
    assert statement_id(*event) == "d631d079-8653-556f-aca4-3e8f5a085f2b"
    assert statement_id(*event) != statement_id(8, *event[1:])


def test_activities_live_under_the_instance_or_the_configured_base() -> None:
    words = Vocabulary("https://ecole.example.org")
    assert words.lesson("fractions", "comparer") == (
        "https://ecole.example.org/xapi/courses/fractions/lessons/comparer"
    )
    assert words.question("cours é", "l 1", "q/2") == (
        "https://ecole.example.org/xapi/courses/cours%20%C3%A9/lessons/l%201/questions/q%2F2"
    )
    assert words.skill("MATH-CM-FRAC-SENS") == (
        "https://ecole.example.org/xapi/skills/MATH-CM-FRAC-SENS"
    )
    moved = Vocabulary("https://ecole.example.org", "https://portail.example.ne/lrs/")
    assert moved.certificate("fractions") == (
        "https://portail.example.ne/lrs/courses/fractions/certificate"
    )
