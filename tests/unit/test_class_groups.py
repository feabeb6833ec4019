"""The groups of a skill, smallest first (ties: those to help first), the students without
an answer last; and the skills of a course in the order of its lessons."""

from __future__ import annotations

from content.library import load_library
from dialogs.flows.class_groups import SkillGroups, course_skills


def test_the_smallest_groups_come_first_and_those_without_an_answer_last() -> None:
    item = SkillGroups(
        "S",
        "Skill",
        {
            "new": [(9, "Omar")],
            "mastered": [(1, "Awa"), (2, "Binta")],
            "on_track": [(3, "Fatou"), (4, "Moussa")],
            "to_review": [(5, "Ali"), (6, "Sira"), (7, "Kadi")],
        },
    )
    assert [key for key, _ in item.ordered()] == ["on_track", "mastered", "to_review", "new"]
    empty = SkillGroups("S", "Skill", {"mastered": [], "to_review": [(1, "Awa")]})
    assert [key for key, _ in empty.ordered()] == ["to_review"]


def test_a_course_lists_its_skills_in_the_order_of_its_lessons() -> None:
    library = load_library()
    fractions = library.get("fractions")
    assert fractions is not None
    assert course_skills(fractions) == [
        "MATH-CM-FRAC-SENS",
        "MATH-CM-FRAC-COMPARER",
        "MATH-CM-FRAC-QUANTITE",
        "MATH-CM-FRAC-DECIMAUX",
    ]
