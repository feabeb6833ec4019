"""Small-cell suppression: no group under 5 shown, nor one that subtraction would reveal."""

from __future__ import annotations

from dialogs.admin_ports import SexFigures
from dialogs.small_cells import by_sex, suppress


def test_groups_under_five_are_hidden_and_zero_is_not() -> None:
    grid = {("SN", "girl"): 12, ("SN", "boy"): 4, ("SN", "unknown"): 0, ("ML", "boy"): 7}
    hidden = suppress(grid)
    assert ("SN", "boy") in hidden and ("SN", "unknown") not in hidden
    assert ("SN", "girl") in hidden, "else 12 + ? = the country's total gives the 4 away"


def test_a_lone_hidden_cell_takes_the_next_smallest_of_its_line_with_it() -> None:
    grid = {("SN", "girl"): 6, ("SN", "boy"): 2, ("SN", "unknown"): 5}
    assert suppress(grid) == {("SN", "boy"), ("SN", "unknown")}


def test_nothing_is_hidden_when_every_group_is_large() -> None:
    assert suppress({("SN", "girl"): 5, ("SN", "boy"): 9}) == set()


def test_by_sex_adds_every_country_first_and_hides_across_countries_too() -> None:
    rows = [
        SexFigures("SN", "girl", 10, 10, 4, 2, 0.5),
        SexFigures("SN", "boy", 10, 9, 0),
        SexFigures("ML", "girl", 3, 3, 1, 2, 1.0),
        SexFigures("ML", "boy", 8, 1, 0),
    ]
    shown = {(r.country, r.sex): (r.learners, hidden) for r, hidden in by_sex(rows)}
    assert shown[("", "girl")] == (13, False) and shown[("", "boy")] == (18, False)
    # Mali's 3 girls are hidden; so are Mali's boys (the country's total) and Senegal's
    # girls (every country's girls minus Senegal's would give Mali's)
    assert shown[("ML", "girl")][1] and shown[("ML", "boy")][1] and shown[("SN", "girl")][1]
    total = next(r for r, _ in by_sex(rows) if r.country == "" and r.sex == "girl")
    assert total.average_score == 0.75 and total.quizzes == 4
