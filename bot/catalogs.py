"""The interface's strings as translators need them: the template, the catalogs, the code.

Read once, on first use: the template (locales/messages.pot) gives every string; each
language's .po file what is translated in full (and its fuzzy drafts, offered as
suggestions); the code (an AST walk of dialogs/ and bot/) where each string appears, the
command or step of its function, and whether it is a button's label. Limits come from the
channels' registry (bot/channels.py): a label fits the shortest one a channel shows whole.
"""

from __future__ import annotations

import ast
import hashlib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from babel import Locale
from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po
from babel.plural import PluralRule, to_python

from bot.channels import REGISTRY
from bot.i18n import LOCALES_DIR, SOURCE_LANGUAGE, load_languages
from dialogs.translation_ports import PluralCategory, SourceString

ROOT = LOCALES_DIR.parent
CODE_FOLDERS = ("dialogs", "bot", "content")  # where interface strings are (babel.cfg)
GETTEXT_NAMES = frozenset({"_", "N_", "ngettext"})
PLURAL_ORDER = ("zero", "one", "two", "few", "many", "other")  # gettext's order (Babel)


def string_key(msgid: str, plural: str = "") -> str:
    """A short stable id of a French source (and its plural)."""
    return hashlib.sha1(f"{msgid}\x00{plural}".encode()).hexdigest()[:16]


def forms_of(message: Message) -> tuple[str, ...]:
    """A .po entry's translation as a tuple of forms."""
    if isinstance(message.string, list | tuple):
        return tuple(message.string)
    return (message.string or "",)


def full(message: Message) -> bool:
    """Every form filled in, and not fuzzy."""
    return not message.fuzzy and all(forms_of(message))


def read_catalog(path: Path) -> Catalog:
    """A .po or .pot file."""
    with path.open("rb") as handle:
        return read_po(handle)


def plural_categories(lang: str) -> tuple[PluralCategory, ...]:
    """The CLDR plural categories of `lang`, in gettext order, with example numbers."""
    rule = Locale.parse(lang).plural_form
    return categories_of(rule)


def categories_of(rule: PluralRule) -> tuple[PluralCategory, ...]:
    """The categories of a plural rule with the numbers (0..1000) that take them."""
    pick = to_python(rule)
    taken: dict[str, list[int]] = {}
    for n in range(1001):
        taken.setdefault(pick(n), []).append(n)
    names = [tag for tag in PLURAL_ORDER if tag in taken]
    return tuple(
        PluralCategory(name, tuple(taken[name][:4]), len(taken[name]) == 1) for name in names
    )


@dataclass(frozen=True)
class Place:
    """Where a string is written in the code."""

    places: tuple[str, ...]
    button: bool


@dataclass
class SourceCatalog:
    """Every interface string, with its English, places, limits, and each catalog's state."""

    strings: dict[str, SourceString] = field(default_factory=dict)  # by key, template order
    by_msgid: dict[str, str] = field(default_factory=dict)  # msgid -> key
    done: dict[str, dict[str, tuple[str, ...]]] = field(default_factory=dict)  # lang -> key ->
    drafts: dict[str, dict[str, tuple[str, ...]]] = field(default_factory=dict)  # fuzzy ones
    languages: tuple[str, ...] = ()  # every interface language but French

    def key_of(self, msgid: str, plural: str = "") -> str | None:
        """The key of a source string, None when the interface has no such string."""
        key = string_key(msgid, plural)
        return key if key in self.strings else None


def load_sources(folder: Path = LOCALES_DIR, code_root: Path = ROOT) -> SourceCatalog:
    """Read the template, the catalogs and the code."""
    places = scan_code(code_root)
    label_limit = min((c.button_label for c in REGISTRY.values() if c.button_label), default=0)
    text_limit = min(c.max_text for c in REGISTRY.values())
    english = read_catalog(folder / "en" / "LC_MESSAGES" / "messages.po")
    found = SourceCatalog()
    for message in read_catalog(folder / "messages.pot"):
        if not message.id:
            continue
        msgid, plural = _ids(message)
        key = string_key(msgid, plural)
        place = places.get((msgid, plural)) or places.get((msgid, ""))
        en = english.get(message.id)
        found.strings[key] = SourceString(
            key=key,
            msgid=msgid,
            plural=plural,
            english=forms_of(en) if en is not None and full(en) else (),
            places=place.places if place else (),
            label_limit=label_limit if place and place.button else 0,
            text_limit=text_limit,
        )
        found.by_msgid[msgid] = key
    found.languages = tuple(
        la.code for la in load_languages(folder / "languages.toml") if la.code != SOURCE_LANGUAGE
    )
    for lang in found.languages:
        found.done[lang], found.drafts[lang] = {}, {}
        po = folder / lang / "LC_MESSAGES" / "messages.po"
        if not po.exists():
            continue
        for message in read_catalog(po):
            if not message.id:
                continue
            key = string_key(*_ids(message))
            if key not in found.strings:
                continue
            if full(message):
                found.done[lang][key] = forms_of(message)
            elif any(forms_of(message)):
                found.drafts[lang][key] = forms_of(message)
    return found


@lru_cache(maxsize=1)
def sources() -> SourceCatalog:
    """The bundled interface's strings, read once per process."""
    return load_sources()


@lru_cache(maxsize=1)
def template_keys() -> dict[str, str]:
    """msgid -> key of every string of the template (quick: the code is not read)."""
    found: dict[str, str] = {}
    for message in read_catalog(LOCALES_DIR / "messages.pot"):
        if message.id:
            found[_ids(message)[0]] = string_key(*_ids(message))
    return found


def _ids(message: Message) -> tuple[str, str]:
    """(msgid, plural msgid or "")."""
    if isinstance(message.id, list | tuple):
        return str(message.id[0]), str(message.id[1])
    return str(message.id), ""


# --- where strings appear ---------------------------------------------------------------------


def scan_code(root: Path) -> dict[tuple[str, str], Place]:
    """(msgid, plural) -> where it is written: commands and steps, and if it labels a button."""
    found: dict[tuple[str, str], Place] = {}
    for folder in CODE_FOLDERS:
        for path in sorted((root / folder).rglob("*.py")):
            try:
                tree = ast.parse(path.read_text(encoding="utf-8"))
            except (SyntaxError, UnicodeDecodeError):  # pragma: no cover - our own code
                continue
            _scan_module(tree, found)
    return found


def _scan_module(tree: ast.Module, found: dict[tuple[str, str], Place]) -> None:
    """The strings of one module, each placed at its function's command or step."""
    names = _registered(tree)
    parents: dict[ast.AST, ast.AST] = {}
    for node in ast.walk(tree):
        for child in ast.iter_child_nodes(node):
            parents[child] = node
    for node in ast.walk(tree):
        ids = _gettext_ids(node)
        if ids is None:
            continue
        function = _enclosing(node, parents)
        where = names.get(function, (function,) if function else ())
        parent = parents.get(node)
        button = (
            isinstance(parent, ast.Call) and _called(parent) == "Option" and node in parent.args
        )
        old = found.get(ids)
        merged = tuple(dict.fromkeys((*old.places, *where))) if old else where
        found[ids] = Place(merged[:6], button or bool(old and old.button))


def _gettext_ids(node: ast.AST) -> tuple[str, str] | None:
    """(msgid, plural) of a call to _(), N_(), ngettext() or ctx._() with literal texts."""
    if not isinstance(node, ast.Call) or _called(node) not in GETTEXT_NAMES:
        return None
    texts = [a.value for a in node.args[:2] if isinstance(a, ast.Constant)]
    if not texts or not isinstance(texts[0], str):
        return None
    if _called(node) == "ngettext" and len(texts) == 2 and isinstance(texts[1], str):
        return texts[0], texts[1]
    return texts[0], ""


def _called(call: ast.Call) -> str:
    """The name of what is called: `f` for f() and obj.f()."""
    if isinstance(call.func, ast.Name):
        return call.func.id
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    return ""


def _enclosing(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> str:
    """The name of the function a node is written in ("" at module level)."""
    current = parents.get(node)
    while current is not None:
        if isinstance(current, ast.FunctionDef | ast.AsyncFunctionDef):
            return current.name
        current = parents.get(current)
    return ""


def _registered(tree: ast.Module) -> dict[str, tuple[str, ...]]:
    """function -> its commands ("/admin") and steps, from the module's COMMANDS and STEPS."""
    found: dict[str, list[str]] = {}
    for node in tree.body:
        target = node.targets[0] if isinstance(node, ast.Assign) else None
        if isinstance(node, ast.AnnAssign):
            target = node.target
        value = node.value if isinstance(node, ast.Assign | ast.AnnAssign) else None
        if not isinstance(target, ast.Name) or not isinstance(value, ast.Dict):
            continue
        if target.id not in ("COMMANDS", "STEPS"):
            continue
        for key, item in zip(value.keys, value.values, strict=True):
            if not isinstance(key, ast.Constant) or not isinstance(key.value, str):
                continue
            while isinstance(item, ast.Call) and item.args:  # admins_only(step)
                item = item.args[0]
            if isinstance(item, ast.Name):
                label = f"/{key.value}" if target.id == "COMMANDS" else key.value
                found.setdefault(item.id, []).append(label)
    return {name: tuple(labels) for name, labels in found.items()}
