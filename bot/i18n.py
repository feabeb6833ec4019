"""Interface catalogs (gettext .po files read with Babel) and locale-aware formatting."""

from __future__ import annotations

import gettext
import io
import os
import re
import tomllib
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from babel.messages.catalog import Message
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal, format_percent
from babel.plural import to_python

from dialogs.context import Language

LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
SOURCE_LANGUAGE = "fr"
# Where a console user's language is read, in gettext's order of precedence.
LANGUAGE_VARIABLES = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")
PLURAL_ORDER = ("zero", "one", "two", "few", "many", "other")  # gettext's order of forms
NO_STRINGS: Mapping[str, tuple[str, ...]] = {}

Reviewed = Mapping[str, tuple[str, ...]]  # French msgid -> forms, reviewed in the database


@dataclass
class BabelTranslator:
    """A Translator (dialogs/context.py) for one language and locale.

    Strings reviewed by translators in the chat (`reviewed`, from the database) come before
    the .po file's; `seen` counts how often each string is shown (bot/storage/translations.py
    adds the counts to the database now and then).
    """

    lang: str
    rtl: bool
    catalog: gettext.NullTranslations
    locale: Locale
    reviewed: Reviewed = field(default_factory=dict)
    seen: Counter[str] | None = None
    form_of: Callable[[int], int] | None = None  # n -> the index of its plural form

    def gettext(self, message: str) -> str:
        """Translate; an untranslated string stays in French."""
        if self.seen is not None:
            self.seen[message] += 1
        found = self.reviewed.get(message)
        if found:
            return found[0]
        return self.catalog.gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        """Translate with the language's own plural rule."""
        if self.seen is not None:
            self.seen[singular] += 1
        found = self.reviewed.get(singular)
        if found and self.form_of is not None:
            index = self.form_of(n)
            if index < len(found) and found[index]:
                return found[index]
        return self.catalog.ngettext(singular, plural, n)

    def number(self, value: float, decimals: int = 0) -> str:
        """A number with the locale's separators, at most `decimals` decimals."""
        return format_decimal(round(value, decimals), locale=self.locale)

    def percent(self, ratio: float) -> str:
        """A ratio as a rounded percentage."""
        return format_percent(ratio, locale=self.locale)

    def date(self, value: datetime) -> str:
        """A date such as "29 novembre 2026"."""
        return format_date(value.date(), format="long", locale=self.locale)

    def country_name(self, code: str) -> str:
        """A country's name in this language (from CLDR)."""
        return str(self.locale.territories.get(code, code))


class I18n:
    """The languages on offer and their catalogs, loaded once at start; the strings reviewed
    in the chat replace them as they come (`use_reviewed`, bot/storage/translations.py)."""

    def __init__(self, folder: Path = LOCALES_DIR, default: str = SOURCE_LANGUAGE) -> None:
        self.folder = folder
        self.languages = load_languages(folder / "languages.toml")
        self._locales = _locale_names(folder / "languages.toml")
        self._catalogs = {lang.code: load_catalog(folder, lang.code) for lang in self.languages}
        self.default = default if default in self._catalogs else SOURCE_LANGUAGE
        self._forms = {code: plural_index(name) for code, name in self._locales.items()}
        self.reviewed: dict[str, Reviewed] = {}  # lang -> msgid -> forms
        self.version = -1  # of the reviewed strings loaded (-1: none read yet)
        self.seen: Counter[str] = Counter()  # msgid -> times shown since the last flush

    def translator(self, lang: str | None, country: str | None = None) -> BabelTranslator:
        """The translator for a language, formatting for the country where CLDR knows it."""
        code = lang if lang in self._catalogs else self.default
        rtl = next((la.rtl for la in self.languages if la.code == code), False)
        return BabelTranslator(
            code,
            rtl,
            self._catalogs[code],
            _locale(self._locales[code], country),
            self.reviewed.get(code, NO_STRINGS),
            self.seen,
            self._forms.get(code),
        )

    def use_reviewed(self, version: int, rows: Iterable[tuple[str, str, tuple[str, ...]]]) -> None:
        """Take the reviewed strings (lang, msgid, forms) of this version, all at once: a
        translator made before keeps the strings it was made with."""
        fresh: dict[str, dict[str, tuple[str, ...]]] = {}
        for lang, msgid, forms in rows:
            if lang != SOURCE_LANGUAGE and lang in self._catalogs and forms and all(forms):
                fresh.setdefault(lang, {})[msgid] = tuple(forms)
        self.reviewed = dict(fresh)
        self.version = version

    def take_seen(self) -> Counter[str]:
        """The counts of strings shown since the last call (the caller stores them)."""
        taken = Counter(self.seen)
        self.seen.clear()  # in place: the translators of turns under way count on
        return taken


def plural_index(locale: str) -> Callable[[int], int]:
    """n -> the index of its gettext plural form in `locale` (CLDR's rule, through Babel)."""
    rule = Locale.parse(locale).plural_form
    names = [tag for tag in PLURAL_ORDER if tag in rule.tags or tag == "other"]
    pick = to_python(rule)
    return lambda n: names.index(pick(n))


def load_languages(path: Path) -> tuple[Language, ...]:
    """The picker's languages from languages.toml."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return tuple(
        Language(item["code"], item["name"], bool(item.get("rtl", False)))
        for item in data["language"]
    )


def _locale_names(path: Path) -> dict[str, str]:
    """Language code -> Babel locale name."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return {item["code"]: item.get("locale", item["code"]) for item in data["language"]}


class SourceTranslations(gettext.NullTranslations):
    """French, the source language: the texts as written, with French plurals.

    gettext's default keeps the singular for 1 only (English); in French 0 and 1 take the
    singular: "0 élève", "1 élève", "2 élèves".
    """

    def ngettext(self, msgid1: str, msgid2: str, n: int) -> str:
        """The singular for 0 and 1, the plural from 2."""
        return msgid1 if n in (0, 1) else msgid2


def _translated(message: Message) -> bool:
    """Every form of the entry is filled in, and it is not fuzzy."""
    forms = message.string if isinstance(message.string, list | tuple) else [message.string]
    return not message.fuzzy and all(forms)


def load_catalog(folder: Path, lang: str) -> gettext.NullTranslations:
    """Compile a .po file in memory; the source language needs none.

    Only the entries translated in full are kept: any other string, plural ones included,
    falls back to the French text with the French plural rule (SourceTranslations). Babel's
    write_mo would otherwise fill an empty plural entry with the French singular, which a
    language with one plural form (Wolof, Bambara) would then show for every number.
    """
    po = folder / lang / "LC_MESSAGES" / "messages.po"
    if lang == SOURCE_LANGUAGE or not po.exists():
        return SourceTranslations()
    with po.open("rb") as handle:
        catalog = read_po(handle, locale=None)
    for message in list(catalog):
        if message.id and not _translated(message):
            catalog.delete(message.id, message.context)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    translations = gettext.GNUTranslations(buffer)
    translations.add_fallback(SourceTranslations())
    return translations


@lru_cache(maxsize=256)
def _locale(base: str, country: str | None) -> Locale:
    """fr + SN -> fr_SN when CLDR has it, else fr."""
    if country and len(country) == 2:
        try:
            return Locale.parse(f"{base}_{country}")
        except (UnknownLocaleError, ValueError):
            pass
    return Locale.parse(base)


def environment_language(environ: Mapping[str, str]) -> str:
    """The language the environment asks for: "en" for LANG=en_US.UTF-8, "" when unset."""
    for name in LANGUAGE_VARIABLES:
        value = environ.get(name, "").strip()
        if value:  # the first one set wins, as in gettext, even "C"
            return re.split(r"[_.:@-]", value, maxsplit=1)[0].casefold()
    return ""


def console_translator(
    lang: str | None = None, environ: Mapping[str, str] | None = None
) -> BabelTranslator:
    """The translator at a terminal: `lang`, else the environment's language if offered, else fr."""
    wanted = lang or environment_language(os.environ if environ is None else environ)
    return I18n().translator(wanted)
