"""What circles send to other people, written once per interface language: the relayed
message with its author's line, the evening digest, and the colleague notices."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from dialogs.circle_ports import CirclePost, Colleague
from dialogs.context import Context

DIGEST_LINES = 10  # messages shown in a digest, by their first line
FIRST_LINE = 80


def in_every_language(ctx: Context, build: Callable[[Context], str]) -> dict[str, str]:
    """A text in each interface language (the reader gets theirs, else French)."""
    codes = {"fr", *(language.code for language in ctx.languages)}
    return {code: build(replace(ctx, t=ctx.translator_for(code))) for code in sorted(codes)}


def who(ctx: Context, person: Colleague) -> str:
    """ "Awa Diop (Sénégal, École Liberté 6)": never a phone number."""
    name = person.name or ctx._("Enseignant·e")
    country = ctx.t.country_name(person.country) if person.country else "–"
    if person.school:
        return ctx._(
            "%(name)s (%(country)s, %(school)s)", name=name, country=country, school=person.school
        )
    return ctx._("%(name)s (%(country)s)", name=name, country=country)


def relayed(ctx: Context, author: Colleague, text: str, quoted: str) -> str:
    """A circle message as members receive it: who wrote it, what it answers, the text."""
    lines = [ctx._("👤 %(who)s :", who=who(ctx, author))]
    if quoted:
        lines.append(ctx._("↪️ En réponse à « %(quote)s »", quote=quoted))
    lines.append(text)
    return "\n".join(lines)


def digest(ctx: Context, circle: str, posts: list[CirclePost]) -> str:
    """The evening digest of a circle: how many messages, and their first lines."""
    head = ctx.ngettext(
        "%(n)s nouveau message dans « %(circle)s » :",
        "%(n)s nouveaux messages dans « %(circle)s » :",
        len(posts),
        circle=circle,
    )
    lines = [head]
    for post in posts[-DIGEST_LINES:]:
        first = (post.text.strip().splitlines() or [""])[0]
        if len(first) > FIRST_LINE:
            first = first[: FIRST_LINE - 1] + "…"
        name = post.author.name or ctx._("Enseignant·e")
        lines.append(f"• {name} : {first}")
    lines.append(ctx._("Pour lire et répondre : « 🌍 Cercles d'enseignants »."))
    return "\n".join(lines)
