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

from bot.channels import longest_text, shortest_label
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
    label_limit, text_limit = shortest_label(), longest_text()
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


Fn = tuple[str, str]  # (module's path, function's name)


def scan_code(root: Path) -> dict[tuple[str, str], Place]:
    """(msgid, plural) -> where it is written: commands and steps, and if it labels a button.

    A string written in a helper is placed at the commands and steps that call the helper
    (through at most CALL_DEPTH calls, names resolved through each module's imports):
    "student_lines" is "/aide". A static estimate: methods and calls through objects are not
    followed.
    """
    registered: dict[Fn, list[str]] = {}
    callers: dict[Fn, set[Fn]] = {}
    written: dict[tuple[str, str], list[tuple[Fn, bool]]] = {}
    for folder in CODE_FOLDERS:
        for path in sorted((root / folder).rglob("*.py")):
            try:
                tree = ast.parse(path.read_text(encoding="utf-8"))
            except (SyntaxError, UnicodeDecodeError):  # pragma: no cover - our own code
                continue
            names = _Names(root, path.relative_to(root).as_posix(), tree)
            for item, labels in _registered(tree):
                function = names.of(item)
                if function is not None:
                    registered.setdefault(function, []).extend(labels)
            _scan_module(tree, names, callers, written)
    found: dict[tuple[str, str], Place] = {}
    for ids, uses in written.items():
        places: dict[str, None] = {}
        for function, _button in uses:
            places.update(dict.fromkeys(_places_of(function, registered, callers)))
        found[ids] = Place(tuple(places)[:MAX_PLACES], any(button for _, button in uses))
    return found


CALL_DEPTH = 5
MAX_PLACES = 6


class _Names:
    """What a module's names stand for: its own functions, imported functions and modules."""

    def __init__(self, root: Path, module: str, tree: ast.Module) -> None:
        self.module = module
        self.functions: dict[str, Fn] = {}
        self.modules: dict[str, str] = {}
        for node in tree.body:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                self.functions[node.name] = (module, node.name)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                for alias in node.names:
                    bound = alias.asname or alias.name
                    inner = _module_path(root, f"{node.module}.{alias.name}")
                    if inner:
                        self.modules[bound] = inner
                    else:
                        self.functions[bound] = (_module_path(root, node.module), alias.name)
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    found = _module_path(root, alias.name)
                    if found and alias.asname:
                        self.modules[alias.asname] = found

    def of(self, node: ast.expr) -> Fn | None:
        """The function an expression names: `f`, or `module.f`."""
        if isinstance(node, ast.Name):
            return self.functions.get(node.id)
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            module = self.modules.get(node.value.id)
            return (module, node.attr) if module else None
        return None


def _module_path(root: Path, dotted: str) -> str:
    """ "dialogs.flows.stats" -> "dialogs/flows/stats.py" when it is one of ours, else ""."""
    base = dotted.replace(".", "/")
    for candidate in (f"{base}.py", f"{base}/__init__.py"):
        if (root / candidate).is_file():
            return candidate
    return ""


def _places_of(
    function: Fn, registered: dict[Fn, list[str]], callers: dict[Fn, set[Fn]]
) -> list[str]:
    """The commands and steps a function serves: its own, else its callers' (nearest first);
    the function's name when none is found."""
    if function in registered:
        return registered[function]
    seen, level = {function}, [function]
    for _ in range(CALL_DEPTH):
        level = sorted({c for f in level for c in callers.get(f, ()) if c not in seen})
        seen.update(level)
        found = [label for caller in level for label in registered.get(caller, [])]
        if found:
            return list(dict.fromkeys(found))[:MAX_PLACES]
    return [function[1]] if function[1] else []


def _scan_module(
    tree: ast.Module,
    names: _Names,
    callers: dict[Fn, set[Fn]],
    written: dict[tuple[str, str], list[tuple[Fn, bool]]],
) -> None:
    """One module's strings (with their function, and whether they label a button) and
    calls (callee -> the functions calling it)."""
    parents: dict[ast.AST, ast.AST] = {}
    for node in ast.walk(tree):
        for child in ast.iter_child_nodes(node):
            parents[child] = node
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        function = (names.module, _enclosing(node, parents))
        ids = _gettext_ids(node)
        if ids is None:
            if not function[1]:
                continue
            for named in (node.func, *node.args):  # a call, or a step handed to a guard
                callee = names.of(named)
                if callee is not None:
                    callers.setdefault(callee, set()).add(function)
            continue
        parent = parents.get(node)
        button = (
            isinstance(parent, ast.Call) and _called(parent) == "Option" and node in parent.args
        )
        written.setdefault(ids, []).append((function, button))


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


def _registered(tree: ast.Module) -> list[tuple[ast.expr, tuple[str, ...]]]:
    """The functions of the module's COMMANDS and STEPS, each with its commands ("/admin")
    and steps."""
    found: list[tuple[ast.expr, tuple[str, ...]]] = []
    for node in tree.body:
        target = node.targets[0] if isinstance(node, ast.Assign) else None
        if isinstance(node, ast.AnnAssign):
            target = node.target
        value = node.value if isinstance(node, ast.Assign | ast.AnnAssign) else None
        if isinstance(value, ast.DictComp):  # {name: guard(step) for name, step in {...}.items()}
            source = value.generators[0].iter
            if isinstance(source, ast.Call) and isinstance(source.func, ast.Attribute):
                value = source.func.value
        if not isinstance(target, ast.Name) or not isinstance(value, ast.Dict):
            continue
        if target.id not in ("COMMANDS", "STEPS"):
            continue
        for item_key, item in zip(value.keys, value.values, strict=True):
            if not isinstance(item_key, ast.Constant) or not isinstance(item_key.value, str):
                continue
            while isinstance(item, ast.Call) and item.args:  # admins_only(step)
                item = item.args[0]
            label = f"/{item_key.value}" if target.id == "COMMANDS" else item_key.value
            found.append((item, (label,)))
    return found
