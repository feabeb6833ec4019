"""The interface catalogs: the template matches the code, and the translations are sound.

Every language of locales/languages.toml other than French (the source language) must have
a complete catalog, unless its entry says `partial = true` (a local language shipping as
far as it is translated, the rest falling back to French string by string). Whatever is
translated is always checked: placeholders, commands, emoji, plural forms, no fuzzy entry.
After adding or changing a string in the code, run `scripts/update-catalogs`.
"""

from __future__ import annotations

import configparser
import gettext
import re
import tomllib
import unicodedata
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po

from bot.i18n import I18n

ROOT = Path(__file__).resolve().parents[2]
LOCALES = ROOT / "locales"
POT = LOCALES / "messages.pot"
SOURCE_LANGUAGE = "fr"
FIX = "run scripts/update-catalogs"

# The same keywords as the extraction command of scripts/update-catalogs.
KEYWORDS: dict[str, Any] = {**DEFAULT_KEYWORDS, "_": None, "N_": None, "ngettext": (1, 2)}

PLACEHOLDER = re.compile(r"%\((\w+)\)")
COMMAND = re.compile(r"(?<![\w/])/[a-z_]+")
NUMBER_PLACEHOLDER = "n"  # ctx.ngettext always fills %(n)s with the count


def _languages() -> list[dict[str, Any]]:
    data = tomllib.loads((LOCALES / "languages.toml").read_text(encoding="utf-8"))
    return [item for item in data["language"] if item["code"] != SOURCE_LANGUAGE]


LANGUAGES = [item["code"] for item in _languages()]
COMPLETE = [item["code"] for item in _languages() if not item.get("partial", False)]


def _read(path: Path) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle)


def _catalog(lang: str) -> Catalog:
    path = LOCALES / lang / "LC_MESSAGES" / "messages.po"
    assert path.exists(), f"{lang} is in languages.toml but has no catalog: {FIX}"
    return _read(path)


def _entries(catalog: Catalog) -> Iterator[Message]:
    """The messages proper, without the header entry."""
    return (message for message in catalog if message.id)


def _forms(message: Message) -> list[str]:
    """A message's translation as a list: one string, or one per plural form."""
    if isinstance(message.string, list | tuple):
        return list(message.string)
    return [message.string or ""]


def _ids(message: Message) -> list[str]:
    """The French source: the msgid, and the msgid_plural of a plural entry."""
    return list(message.id) if isinstance(message.id, list | tuple) else [message.id]


def _translated(message: Message) -> bool:
    """Every form is filled in."""
    return all(_forms(message))


def _show(key: object) -> str:
    return "\n  " + repr(key)


# -- the template and the code ----------------------------------------------------------


def _method_map() -> tuple[list[tuple[str, str]], dict[str, dict[str, str]]]:
    """The extraction mapping of babel.cfg ("[python: dialogs/**.py]" sections)."""
    parser = configparser.RawConfigParser()
    parser.read(ROOT / "babel.cfg", encoding="utf-8")
    method_map, options_map = [], {}
    for section in parser.sections():
        method, pattern = (part.strip() for part in section.split(":", 1))
        method_map.append((pattern, method))
        options_map[pattern] = dict(parser.items(section))
    return method_map, options_map


def test_pot_is_in_sync_with_the_code() -> None:
    method_map, options_map = _method_map()
    assert method_map, "babel.cfg maps no source files"
    in_code = {
        (message, context)
        for _file, _line, message, _comments, context in extract_from_dir(
            str(ROOT), method_map, options_map, KEYWORDS, ("Translators:",)
        )
    }
    in_pot = {(m.id, m.context) for m in _entries(_read(POT))}
    missing = sorted(in_code - in_pot, key=repr)
    stale = sorted(in_pot - in_code, key=repr)
    assert not missing and not stale, (
        f"locales/messages.pot is out of date ({FIX}, then translate the new strings)."
        + (f"\nIn the code but not in the POT:{''.join(map(_show, missing))}" if missing else "")
        + (f"\nIn the POT but no longer in the code:{''.join(map(_show, stale))}" if stale else "")
    )


def test_every_language_but_french_has_a_catalog() -> None:
    assert LANGUAGES, "languages.toml offers no language besides French"
    for lang in LANGUAGES:
        assert (LOCALES / lang / "LC_MESSAGES" / "messages.po").exists(), (
            f"{lang} has no catalog: {FIX}"
        )


# -- each catalog -----------------------------------------------------------------------


@pytest.mark.parametrize("lang", COMPLETE)
def test_complete_catalog_translates_every_string(lang: str) -> None:
    catalog = _catalog(lang)
    absent = [m.id for m in _entries(_read(POT)) if catalog.get(m.id, m.context) is None]
    assert not absent, f"{lang}: strings of the POT missing ({FIX}):{''.join(map(_show, absent))}"
    empty = [m.id for m in _entries(catalog) if not _translated(m)]
    assert not empty, (
        f"{lang}: untranslated strings (or mark the language `partial = true` in "
        f"languages.toml):{''.join(map(_show, empty))}"
    )


def _completeness(lang: str) -> float:
    """The share of the POT's strings translated in full (every plural form, not fuzzy)."""
    catalog = _catalog(lang)
    pot = [m for m in _entries(_read(POT))]
    done = 0
    for source in pot:
        message = catalog.get(source.id, source.context)
        if message is not None and not message.fuzzy and _translated(message):
            done += 1
    return done / len(pot) if pot else 1.0


@pytest.mark.parametrize("lang", LANGUAGES)
def test_catalog_completeness(lang: str, capsys: pytest.CaptureFixture[str]) -> None:
    """Reports how far each catalog is translated (pytest -rA or -s shows the table)."""
    ratio = _completeness(lang)
    with capsys.disabled():
        kind = "complete" if lang in COMPLETE else "partial"
        print(f"\n  catalog {lang}: {ratio:6.1%} translated ({kind})", end="")
    if lang in COMPLETE:
        assert ratio == 1.0, f"{lang}: only {ratio:.1%} translated ({FIX}, then translate)"
    else:
        assert 0.0 < ratio <= 1.0, f"{lang}: nothing translated yet"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_catalog_has_nothing_the_pot_lacks(lang: str) -> None:
    pot = _read(POT)
    extra = [m.id for m in _entries(_catalog(lang)) if pot.get(m.id, m.context) is None]
    assert not extra, f"{lang}: strings no longer in the POT ({FIX}):{''.join(map(_show, extra))}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_catalog_has_no_fuzzy_entries(lang: str) -> None:
    catalog = _catalog(lang)
    assert not catalog.fuzzy, f"{lang}: the header is marked fuzzy"
    fuzzy = [m.id for m in _entries(catalog) if m.fuzzy]
    assert not fuzzy, (
        f"{lang}: fuzzy entries are ignored at run time; check them and remove the flag:"
        + "".join(map(_show, fuzzy))
    )


@pytest.mark.parametrize("lang", LANGUAGES)
def test_catalog_headers(lang: str) -> None:
    catalog = _catalog(lang)
    headers = dict(catalog.mime_headers)
    assert str(catalog.locale) == lang, f"{lang}: Language header is {catalog.locale}"
    assert headers["Content-Type"].lower() == "text/plain; charset=utf-8", f"{lang}: not UTF-8"
    assert catalog.language_team and "LL@li.org" not in catalog.language_team, (
        f"{lang}: set the Language-Team header (e.g. English)"
    )
    assert catalog.last_translator and "EMAIL@ADDRESS" not in catalog.last_translator, (
        f"{lang}: set the Last-Translator header (e.g. Imaginecole contributors)"
    )


def _plural_function(expression: str) -> Callable[[int], int]:
    """A gettext plural expression as a function of n."""
    return gettext.c2py(expression)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_plural_forms_follow_the_locale_rule(lang: str) -> None:
    catalog = _catalog(lang)
    expected = get_plural(lang)
    assert catalog.num_plurals == expected.num_plurals, (
        f"{lang}: Plural-Forms should be {expected.plural_forms!r}, not {catalog.plural_forms!r}"
    )
    ours, babel = _plural_function(catalog.plural_expr), _plural_function(expected.plural_expr)
    differ = [n for n in range(1001) if ours(n) != babel(n)]
    assert not differ, f"{lang}: the plural rule picks other forms than Babel's for {differ[:5]}"
    for message in _entries(catalog):
        if isinstance(message.id, list | tuple):
            assert len(_forms(message)) == catalog.num_plurals, (
                f"{lang}: {message.id!r} has {len(_forms(message))} forms, "
                f"not {catalog.num_plurals}"
            )


def _single_value_forms(catalog: Catalog) -> set[int]:
    """Plural forms chosen for one number only (Arabic 0, 1 and 2): they may omit %(n)s."""
    rule = _plural_function(catalog.plural_expr)
    counts: dict[int, int] = {}
    for n in range(1001):
        counts[rule(n)] = counts.get(rule(n), 0) + 1
    return {form for form, count in counts.items() if count == 1}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_translations_keep_the_placeholders(lang: str) -> None:
    catalog = _catalog(lang)
    single = _single_value_forms(catalog)
    wrong = []
    for message in _entries(catalog):
        plural = isinstance(message.id, list | tuple)
        expected = {name for text in _ids(message) for name in PLACEHOLDER.findall(text)}
        for index, text in enumerate(_forms(message)):
            if not text:
                continue
            found = set(PLACEHOLDER.findall(text))
            allowed = {frozenset(expected)}
            if plural and index in single:
                allowed.add(frozenset(expected - {NUMBER_PLACEHOLDER}))
            if frozenset(found) not in allowed:
                wrong.append(f"{message.id!r} [{index}]: {sorted(found)} != {sorted(expected)}")
            elif expected or plural:  # filled at run time: a stray "%" would break it
                try:
                    text % {name: "x" for name in expected | {NUMBER_PLACEHOLDER}}
                except (ValueError, TypeError, KeyError) as error:
                    wrong.append(f"{message.id!r} [{index}]: {error} (write a literal % as %%)")
    assert not wrong, f"{lang}: placeholders differ from the French:" + "".join(map(_show, wrong))


# Symbols that belong to a language's typography, not to the interface: "n°" is French for "#".
TYPOGRAPHY = frozenset("°")


def _symbols(text: str) -> list[str]:
    """The emoji and symbols of a text (📚, ▶️, ✓...), which translations keep."""
    return sorted(ch for ch in text if unicodedata.category(ch) == "So" and ch not in TYPOGRAPHY)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_translations_keep_commands_and_emoji(lang: str) -> None:
    """Commands are typed as they are (/mes_donnees); emoji mark buttons and feedback."""
    catalog = _catalog(lang)
    wrong = []
    for message in _entries(catalog):
        source = _ids(message)[0]
        for index, text in enumerate(_forms(message)):
            if not text:
                continue
            if set(COMMAND.findall(text)) != set(COMMAND.findall(source)):
                wrong.append(f"{message.id!r} [{index}]: commands {COMMAND.findall(text)}")
            if _symbols(text) != _symbols(_mirrored(source) if lang in RTL else source):
                wrong.append(f"{message.id!r} [{index}]: emoji {_symbols(text)}")
    assert not wrong, f"{lang}: commands or emoji differ from the French:" + "".join(
        map(_show, wrong)
    )


RTL = [item["code"] for item in _languages() if item.get("rtl", False)]
MIRRORED = str.maketrans({"▶": "◀", "◀": "▶", "⬅": "➡", "➡": "⬅"})


def _mirrored(text: str) -> str:
    """A text's direction arrows turned round, as a right-to-left reader goes: "next" points
    left, "back" right."""
    return text.translate(MIRRORED)


@pytest.mark.parametrize("lang", RTL)
def test_right_to_left_catalogs_turn_the_arrows_round(lang: str) -> None:
    """In Arabic "Suivant ▶️" is "التالي ◀️": the next step on the left, the way back on
    the right (as the page's send button, mirrored in chat.css)."""
    wrong = [
        repr(message.id)
        for message in _entries(_catalog(lang))
        for text in _forms(message)
        if text
        and any(c in _ids(message)[0] for c in "▶◀⬅➡")
        and _symbols(text) != _symbols(_mirrored(_ids(message)[0]))
    ]
    assert not wrong, f"{lang}: arrows pointing the French way:" + "".join(map(_show, wrong))


# -- the catalogs at run time -----------------------------------------------------------

KNOWN = ("Vrai", "📚 Les cours", "Que voulez-vous faire ?", "Choisissez une leçon :")
LESSONS = ("%(n)s leçon terminée sur %(total)s", "%(n)s leçons terminées sur %(total)s")


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_translator_gives_the_language_not_french(lang: str) -> None:
    translator = I18n().translator(lang)
    assert translator.lang == lang
    for message in KNOWN:
        assert translator.gettext(message) != message, f"{lang}: {message!r} is still French"
    if lang == "ar":
        assert translator.rtl
        assert any("\u0600" <= ch <= "\u06ff" for ch in translator.gettext("Vrai"))


def test_arabic_uses_its_six_plural_forms() -> None:
    translator = I18n().translator("ar")
    forms = [translator.ngettext(*LESSONS, n) for n in (0, 1, 2, 3, 11, 100)]
    assert len(set(forms)) == 6, forms
    assert not set(forms) & set(LESSONS)
    assert translator.ngettext(*LESSONS, 7) == forms[3]  # few: 3 to 10
    assert translator.ngettext(*LESSONS, 42) == forms[4]  # many: 11 to 99


def test_button_named_in_a_message_matches_the_button() -> None:
    """ "Choose « Courses » in the menu" must name the menu button as translated."""
    for lang in COMPLETE:
        translator = I18n().translator(lang)
        button = translator.gettext("📚 Les cours").removeprefix("📚").strip()
        hint = translator.gettext(
            "Vous n'avez pas encore terminé de leçon. "
            "Choisissez « Les cours » dans le menu pour commencer."
        )
        assert button in hint, f"{lang}: {hint!r} does not name the button {button!r}"


def test_a_partial_language_falls_back_to_french_string_by_string(tmp_path: Path) -> None:
    (tmp_path / "languages.toml").write_text(
        '[[language]]\ncode = "fr"\nname = "Français"\nlocale = "fr"\n\n'
        '[[language]]\ncode = "wo"\nname = "Wolof"\nlocale = "wo"\n',
        encoding="utf-8",
    )
    folder = tmp_path / "wo" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    (folder / "messages.po").write_text(
        'msgid ""\n'
        'msgstr ""\n'
        '"Language: wo\\n"\n'
        '"Plural-Forms: nplurals=1; plural=0;\\n"\n'
        '"Content-Type: text/plain; charset=utf-8\\n"\n'
        "\n"
        'msgid "Vrai"\n'
        'msgstr "Dëgg"\n'
        "\n"
        'msgid "Faux"\n'
        'msgstr ""\n'
        "\n"
        f'msgid "{LESSONS[0]}"\n'
        f'msgid_plural "{LESSONS[1]}"\n'
        'msgstr[0] ""\n',
        encoding="utf-8",
    )
    translator = I18n(folder=tmp_path).translator("wo")
    assert translator.lang == "wo"
    assert translator.gettext("Vrai") == "Dëgg"
    assert translator.gettext("Faux") == "Faux"
    # An empty plural entry of a one-form language: French text, French rule (0 and 1 singular).
    assert [translator.ngettext(*LESSONS, n) for n in (0, 1, 2, 3)] == [
        LESSONS[0],
        LESSONS[0],
        LESSONS[1],
        LESSONS[1],
    ]
    # Absent from the catalog altogether: the same.
    other = ("%(n)s élève", "%(n)s élèves")
    assert [translator.ngettext(*other, n) for n in (0, 1, 2)] == [other[0], other[0], other[1]]


@pytest.mark.parametrize("lang", [item["code"] for item in _languages() if item.get("partial")])
def test_partial_language_shows_its_plurals_or_french_ones(lang: str) -> None:
    """A plural entry is shown translated only when every form is; else French, never a mix."""
    translator = I18n().translator(lang)
    catalog = _catalog(lang)
    for message in _entries(catalog):
        if not isinstance(message.id, list | tuple):
            continue
        singular, plural = message.id
        shown = [translator.ngettext(singular, plural, n) for n in (0, 1, 2, 5)]
        if _translated(message):
            assert not set(shown) & {singular, plural}, f"{lang}: {message.id!r} shows French"
        else:
            assert shown == [singular, singular, plural, plural], f"{lang}: {shown!r}"


def test_french_plurals_keep_the_singular_for_zero_and_one() -> None:
    from bot.i18n import I18n

    t = I18n().translator("fr")
    assert [t.ngettext("%d élève", "%d élèves", n) for n in (0, 1, 2)] == [
        "%d élève",
        "%d élève",
        "%d élèves",
    ]
