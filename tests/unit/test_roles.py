"""The rule book of admin actions: every action across the country boundary and by every lower
role is refused; what is allowed is allowed."""

from __future__ import annotations

import pytest

from dialogs.roles import (
    ADMIN_ACTIONS,
    Action,
    Grant,
    Role,
    highest,
    is_admin,
    may,
    may_grant,
    may_translate,
    translated_languages,
)

REGIONAL = [Grant(Role.REGIONAL_ADMIN)]
SENEGAL = [Grant(Role.NATIONAL_ADMIN, "SN")]
LOWER = {
    "moderator": [Grant(Role.MODERATOR, "SN")],
    "teacher": [Grant(Role.TEACHER, "SN")],
    "student": [],
}


@pytest.mark.parametrize("action", ADMIN_ACTIONS)
def test_a_regional_admin_acts_on_every_country(action: Action) -> None:
    assert may(REGIONAL, action, ["SN", "ML", "TD"])
    assert may(REGIONAL, action, None)


@pytest.mark.parametrize("action", ADMIN_ACTIONS)
def test_a_national_admin_acts_on_their_country(action: Action) -> None:
    assert may(SENEGAL, action, ["SN"])


@pytest.mark.parametrize("action", ADMIN_ACTIONS)
@pytest.mark.parametrize("countries", [["ML"], ["SN", "ML"], None, []])
def test_a_national_admin_never_crosses_the_border(
    action: Action, countries: list[str] | None
) -> None:
    assert not may(SENEGAL, action, countries)


@pytest.mark.parametrize("action", ADMIN_ACTIONS)
@pytest.mark.parametrize("role", sorted(LOWER))
def test_lower_roles_do_no_admin_action(action: Action, role: str) -> None:
    assert not may(LOWER[role], action, ["SN"])
    assert not may(LOWER[role], action, None)
    assert not is_admin(LOWER[role])


def test_who_grants_what() -> None:
    assert may_grant(REGIONAL, Grant(Role.REGIONAL_ADMIN))
    assert may_grant(REGIONAL, Grant(Role.NATIONAL_ADMIN, "ML"))
    assert not may_grant(REGIONAL, Grant(Role.NATIONAL_ADMIN))  # a national admin has a country
    assert may_grant(SENEGAL, Grant(Role.TEACHER, "SN"))
    assert may_grant(SENEGAL, Grant(Role.MODERATOR, "SN"))
    assert not may_grant(SENEGAL, Grant(Role.TEACHER, "ML"))
    assert not may_grant(SENEGAL, Grant(Role.NATIONAL_ADMIN, "SN"))
    assert not may_grant(SENEGAL, Grant(Role.REGIONAL_ADMIN))
    for grants in LOWER.values():
        for role in Role:
            assert not may_grant(grants, Grant(role, "SN"))


def test_a_national_admin_of_two_countries_acts_on_both() -> None:
    both = [Grant(Role.NATIONAL_ADMIN, "SN"), Grant(Role.NATIONAL_ADMIN, "GN")]
    assert may(both, Action.BROADCAST, ["SN", "GN"])
    assert not may(both, Action.BROADCAST, ["SN", "ML"])


def test_the_highest_role() -> None:
    assert highest([]) is Role.STUDENT
    assert highest([Grant(Role.TEACHER, "SN"), Grant(Role.NATIONAL_ADMIN, "SN")]) is (
        Role.NATIONAL_ADMIN
    )


def test_translators_are_named_by_admins_per_language() -> None:
    assert may_grant(REGIONAL, Grant(Role.TRANSLATOR, None, "wo"))
    assert may_grant(SENEGAL, Grant(Role.TRANSLATOR, "SN", "wo"))  # a person of Senegal
    assert not may_grant(SENEGAL, Grant(Role.TRANSLATOR, "ML", "wo"))  # across the border
    assert not may_grant(REGIONAL, Grant(Role.TRANSLATOR))  # no language
    for grants in LOWER.values():
        assert not may_grant(grants, Grant(Role.TRANSLATOR, "SN", "wo"))
    held = [Grant(Role.TRANSLATOR, None, "wo"), Grant(Role.TRANSLATOR, None, "ff")]
    assert translated_languages(held) == ("ff", "wo")
    assert may_translate(held, "wo") and not may_translate(held, "ha")
    assert not is_admin(held) and not may(held, Action.GRANT, ["SN"])
