"""Who may do what: roles granted per country, and the one rule book every admin action obeys.

The programme is led by each country's ministry with a regional team above: a regional
admin acts on every country; a national admin on their own country only; moderators look
after teachers' circles; teachers run classes; translators translate the interface into
one language (reviewed by a second translator of it); everyone else is a student. Roles are granted
(the first regional admin from the command line, then in the chat), never self-declared:
choosing "teacher" during onboarding gives no right until a grant.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    """The roles, from the widest to the narrowest."""

    REGIONAL_ADMIN = "regional_admin"
    NATIONAL_ADMIN = "national_admin"
    MODERATOR = "moderator"
    TEACHER = "teacher"
    TRANSLATOR = "translator"  # of one interface language (Grant.language)
    STUDENT = "student"


# Roles that hold for one country; a regional admin holds for all of them.
COUNTRY_ROLES = frozenset({Role.NATIONAL_ADMIN, Role.MODERATOR, Role.TEACHER})


class Action(StrEnum):
    """Everything an admin can do, each checked against a country."""

    GRANT = "grant"  # give or take a role
    BROADCAST = "broadcast"  # compose and send an announcement
    CANCEL_BROADCAST = "cancel_broadcast"
    VIEW_BROADCASTS = "view_broadcasts"  # progress and statistics of announcements
    VIEW_STATS = "view_stats"  # impact reports
    CREATHON = "creathon"  # open and run a contest of scenarios (every country)


ADMIN_ACTIONS = tuple(Action)


@dataclass(frozen=True)
class Grant:
    """A role held by a person; `country` is None for a regional admin and a translator,
    whose grant names a `language` instead (an interface language's code, "wo"). A
    translator's grant being given carries the person's country, for `may_grant` only."""

    role: Role
    country: str | None = None
    language: str | None = None


def is_admin(grants: Iterable[Grant]) -> bool:
    """Whether any admin action is open to this person."""
    return any(g.role in (Role.REGIONAL_ADMIN, Role.NATIONAL_ADMIN) for g in grants)


def countries_of(grants: Iterable[Grant]) -> frozenset[str] | None:
    """The countries a person may act on; None means every country (regional admin)."""
    found: set[str] = set()
    for grant in grants:
        if grant.role is Role.REGIONAL_ADMIN:
            return None
        if grant.role is Role.NATIONAL_ADMIN and grant.country:
            found.add(grant.country)
    return frozenset(found)


def may(grants: Iterable[Grant], action: Action, countries: Iterable[str] | None) -> bool:
    """Whether `action` on `countries` (None: all of them) is allowed to this person."""
    held = list(grants)
    if not is_admin(held):
        return False
    scope = countries_of(held)
    if scope is None:
        return True
    if countries is None:
        return False  # "every country" is beyond a national admin
    wanted = set(countries)
    return bool(wanted) and wanted <= scope


def may_grant(grants: Iterable[Grant], given: Grant) -> bool:
    """Whether this person may give (or take back) `given`.

    A regional admin grants any role anywhere; a national admin grants moderators and
    teachers of their own country, never an admin role.
    """
    held = list(grants)
    if given.role is Role.STUDENT:
        return False
    if given.role is Role.TRANSLATOR:
        # Checked with the person's country (`country`), kept with the language only: a
        # national admin names translators among the people of their own country.
        if not given.language:
            return False
        if any(g.role is Role.REGIONAL_ADMIN for g in held):
            return True
        return given.country is not None and may(held, Action.GRANT, [given.country])
    if any(g.role is Role.REGIONAL_ADMIN for g in held):
        return given.role is Role.REGIONAL_ADMIN or bool(given.country)
    if given.role not in (Role.MODERATOR, Role.TEACHER) or not given.country:
        return False
    return may(held, Action.GRANT, [given.country])


CIRCLE_ROLES = frozenset({Role.REGIONAL_ADMIN, Role.NATIONAL_ADMIN, Role.MODERATOR, Role.TEACHER})


def in_circles(grants: Iterable[Grant]) -> bool:
    """Whether this person may use teachers' circles (students never see them)."""
    return any(g.role in CIRCLE_ROLES for g in grants)


def may_create_circle(grants: Iterable[Grant]) -> bool:
    """Whether this person may open a new circle: admins and moderators."""
    return any(g.role in CIRCLE_ROLES - {Role.TEACHER} for g in grants)


def highest(grants: Iterable[Grant]) -> Role:
    """The widest role held (a student when none)."""
    held = {g.role for g in grants}
    return next((role for role in Role if role in held), Role.STUDENT)


MODERATING_ROLES = frozenset({Role.REGIONAL_ADMIN, Role.NATIONAL_ADMIN, Role.MODERATOR})


def may_moderate(grants: Iterable[Grant]) -> bool:
    """Whether this person moderates circles.

    Circles are open to every country, so they have no country of their own: a moderator of
    any country, and any admin, moderates every circle; the audit log keeps who did what.
    """
    return any(g.role in MODERATING_ROLES for g in grants)


def translated_languages(grants: Iterable[Grant]) -> tuple[str, ...]:
    """The interface languages this person translates, in a stable order."""
    return tuple(sorted({g.language for g in grants if g.role is Role.TRANSLATOR and g.language}))


def may_translate(grants: Iterable[Grant], language: str) -> bool:
    """Whether this person translates (and reviews) `language`."""
    return language in translated_languages(grants)
