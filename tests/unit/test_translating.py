"""The checks a translation passes at entry, and the interface's plural forms from CLDR."""

from __future__ import annotations

from pathlib import Path

from bot.catalogs import Place, plural_categories, scan_code
from bot.i18n import I18n, plural_index
from dialogs.translating import keep_list, limit_of, problems
from dialogs.translation_ports import PluralCategory, SourceString


def source(msgid: str, plural: str = "", label: int = 0) -> SourceString:
    return SourceString("k", msgid, plural, (), (), label, 4096)


def kinds(found: list[object]) -> list[str]:
    return [getattr(p, "kind", "") for p in found]


def test_placeholders_are_kept_and_none_invented() -> None:
    hello = source("Bonjour %(name)s, vous avez %(n)s points.")
    assert problems(hello, "Salaam %(name)s, am nga %(n)s points.") == []
    assert kinds(problems(hello, "Salaam, am nga %(n)s points.")) == ["missing"]
    assert kinds(problems(hello, "Salaam %(nom)s %(n)s")) == ["missing", "unknown"]
    assert kinds(problems(hello, "%(name)s %(n)s 100%")) == ["percent"]
    assert problems(hello, "%(name)s %(n)s 100%%") == []
    assert kinds(problems(source("Rôle « %s » :"), "Role :")) == ["missing"]
    assert problems(source("Rôle « %s » :"), "Role « %s » :") == []
    assert kinds(problems(hello, "   ")) == ["empty"]


def test_commands_stay_untranslated() -> None:
    line = source("/aide : tout revoir")
    assert kinds(problems(line, "/help : tout revoir")) == ["command"]
    assert problems(line, "/aide : seet lépp") == []
    assert keep_list(line) == ("/aide",)


def test_a_plural_form_for_one_number_alone_may_leave_the_number_out() -> None:
    line = source("%(n)s élève", "%(n)s élèves")
    one = PluralCategory("one", (1,), single=True)
    other = PluralCategory("other", (0, 2, 3, 4))
    assert problems(line, "ɗalibi ɗaya", one) == []
    assert kinds(problems(line, "ɗalibai", other)) == ["missing"]


def test_a_button_label_fits_the_shortest_channel_unless_the_french_is_longer() -> None:
    assert limit_of(source("📣 Nouvelle annonce", label=20)) == 20
    assert limit_of(source("🧑‍🏫 Demandes d'enseignants", label=20)) == 26  # as long as the French
    assert limit_of(source("Un long texte")) == 4096
    assert kinds(problems(source("OK", label=20), "x" * 21)) == ["long"]


def test_plural_categories_follow_cldr() -> None:
    assert [c.name for c in plural_categories("wo")] == ["other"]
    assert [c.name for c in plural_categories("ha")] == ["one", "other"]
    assert [c.name for c in plural_categories("ar")] == [
        "zero",
        "one",
        "two",
        "few",
        "many",
        "other",
    ]
    assert [c.single for c in plural_categories("ar")] == [True, True, True, False, False, False]
    pick = plural_index("ar")
    assert [pick(n) for n in (0, 1, 2, 3, 11, 100)] == [0, 1, 2, 3, 4, 5]


def test_only_whole_reviewed_strings_are_used() -> None:
    i18n = I18n()
    i18n.use_reviewed(
        3,
        [
            ("wo", "/aide : tout revoir", ("/aide : seet lépp",)),
            ("wo", "Bonjour", ("",)),  # an empty form is never shown
            ("fr", "Bonjour", ("Salut",)),  # French is the source: never replaced
            ("xx", "Bonjour", ("?",)),  # not an interface language
        ],
    )
    assert i18n.version == 3
    assert i18n.reviewed == {"wo": {"/aide : tout revoir": ("/aide : seet lépp",)}}
    assert i18n.translator("fr").gettext("Bonjour") == "Bonjour"
    assert i18n.translator("wo").gettext("/aide : tout revoir") == "/aide : seet lépp"


def test_strings_shown_are_counted() -> None:
    i18n = I18n()
    t = i18n.translator("wo")
    t.gettext("Bonjour")
    t.gettext("Bonjour")
    t.ngettext("%(n)s élève", "%(n)s élèves", 3)
    assert i18n.take_seen() == {"Bonjour": 2, "%(n)s élève": 1}
    assert i18n.take_seen() == {}


def test_where_a_string_appears_is_read_from_the_code(tmp_path: Path) -> None:
    flows = tmp_path / "dialogs" / "flows"
    flows.mkdir(parents=True)
    (tmp_path / "dialogs" / "__init__.py").write_text("")
    (flows / "__init__.py").write_text("")
    (flows / "helpers.py").write_text(
        "def lines(_):\n    return [_('/aide : tout revoir')]\n", encoding="utf-8"
    )
    (flows / "things.py").write_text(
        "from dialogs.flows.helpers import lines\n"
        "from dialogs.flows import helpers\n\n"
        "async def home(ctx, event):\n"
        "    return [Option('go', ctx._('✍️ Traduire')), lines(ctx._)]\n\n"
        "async def command(ctx, event):\n"
        "    return helpers.lines(ctx._), ctx.ngettext('%(n)s élève', '%(n)s élèves', 2)\n\n"
        "STEPS = {'thing_home': guard(home)}\n"
        "COMMANDS = {'truc': command}\n",
        encoding="utf-8",
    )
    found = scan_code(tmp_path)
    assert found[("✍️ Traduire", "")] == Place(("thing_home",), True)
    assert found[("/aide : tout revoir", "")] == Place(("/truc", "thing_home"), False)
    assert found[("%(n)s élève", "%(n)s élèves")] == Place(("/truc",), False)
