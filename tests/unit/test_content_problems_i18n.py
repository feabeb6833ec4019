"""Problems of course files in the operator's language: French msgids, English and Arabic."""

from __future__ import annotations

import pickle
import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from bot.__main__ import main
from bot.i18n import I18n, console_translator, environment_language
from content.errors import N_, CourseFormatError, render_message
from content.format import check_path, parse_course

ROOT = Path(__file__).resolve().parents[2]
PLACEHOLDER = re.compile(r"%\((\w+)\)")
ENVIRONMENT = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")
# Line 3: an unknown subject; line 6: an unknown header key; then a course without lessons.
BROKEN = "id: essai\ntitle: Essai\nsubject: chimie\nlevels: CM1\nlanguage: fr\ncolour: red\n"


def _marked_in_content() -> set[str]:
    """Every msgid marked with N_ under content/."""
    found = extract_from_dir(str(ROOT / "content"), [("**.py", "python")], {}, {"N_": None})
    return {message for _file, _line, message, _comments, _context in found}


def _catalog(lang: str) -> Catalog:
    with (ROOT / "locales" / lang / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle)


@pytest.fixture
def broken(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A broken course file, and an environment that names no language."""
    for name in ENVIRONMENT:
        monkeypatch.delenv(name, raising=False)
    path = tmp_path / "course.md"
    path.write_text(BROKEN, encoding="utf-8")
    return path


def _check(path: Path, capsys: pytest.CaptureFixture[str], *options: str) -> list[str]:
    assert main(["content", "check", str(path), *options]) == 1
    return capsys.readouterr().out.splitlines()


def test_check_speaks_french_by_default(broken: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lines = _check(broken, capsys)
    assert lines[0].startswith(f"{broken}:3:10: matière inconnue (connues : ")
    assert lines[1].startswith(f"{broken}:6:1: clé d'en-tête inconnue 'colour' (connues : id, ")
    assert lines[2] == f"{broken}:7:1: le cours n'a aucune leçon : commencez-en une par '# Titre'"
    assert lines[-1] == f"3 problèmes trouvés dans {broken}"


def test_check_speaks_english_when_asked(broken: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lines = _check(broken, capsys, "--lang", "en")
    assert lines[0].startswith(f"{broken}:3:10: unknown subject (known: ")
    assert lines[1].startswith(f"{broken}:6:1: unknown header key 'colour' (known: id, ")
    assert lines[2] == f"{broken}:7:1: the course has no lesson: start one with '# Title'"
    assert lines[-1] == f"3 problems found in {broken}"


def test_check_follows_the_environment(
    broken: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    assert "unknown subject" in _check(broken, capsys)[0]
    monkeypatch.setenv("LC_ALL", "C.UTF-8")  # set before LANG, and not a language on offer
    assert "matière inconnue" in _check(broken, capsys)[0]
    assert "unknown subject" in _check(broken, capsys, "--lang", "en")[0]


def test_check_speaks_arabic_when_asked(broken: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lines = _check(broken, capsys, "--lang", "ar")
    assert lines[0].startswith(f"{broken}:3:10: مادة غير معروفة")
    assert lines[1].startswith(f"{broken}:6:1: مفتاح ترويسة غير معروف 'colour'")
    assert "matière" not in "\n".join(lines)


def test_show_reports_in_the_language_asked(
    broken: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["content", "show", str(broken), "--lang", "en"]) == 1
    assert capsys.readouterr().err.strip().endswith("unknown subject (known: " + _subjects())


def _subjects() -> str:
    from content.model import SUBJECTS

    return ", ".join(SUBJECTS) + ")"


def test_an_unknown_language_is_refused(broken: Path) -> None:
    with pytest.raises(SystemExit):
        main(["content", "check", str(broken), "--lang", "xx"])


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({}, ""),
        ({"LANG": "en_US.UTF-8"}, "en"),
        ({"LANG": "fr_SN.UTF-8", "LC_MESSAGES": "ar_TD"}, "ar"),
        ({"LANGUAGE": "en:fr", "LC_ALL": "ar_TD.UTF-8"}, "en"),
        ({"LANGUAGE": "", "LANG": "ar.UTF-8"}, "ar"),
        ({"LC_ALL": "C"}, "c"),
    ],
)
def test_environment_language(environ: dict[str, str], expected: str) -> None:
    assert environment_language(environ) == expected


def test_console_translator_falls_back_to_french() -> None:
    assert console_translator(None, {"LANG": "de_DE.UTF-8"}).lang == "fr"
    assert console_translator(None, {"LANG": "ar_TD.UTF-8"}).lang == "ar"
    assert console_translator("en", {"LANG": "ar_TD.UTF-8"}).lang == "en"


# -- the catalogs ------------------------------------------------------------------------


def test_content_marks_its_messages() -> None:
    marked = _marked_in_content()
    assert len(marked) > 80, "the parsers' problems are marked with N_"
    assert "fichier ou dossier introuvable" in marked


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_every_problem_is_translated_with_the_same_placeholders(lang: str) -> None:
    catalog = _catalog(lang)
    wrong = []
    for msgid in sorted(_marked_in_content()):
        entry = catalog.get(msgid)
        if entry is None or not entry.string:
            wrong.append(f"{msgid!r}: not translated")
        elif set(PLACEHOLDER.findall(entry.string)) != set(PLACEHOLDER.findall(msgid)):
            wrong.append(f"{msgid!r}: placeholders of {entry.string!r}")
    assert not wrong, f"{lang}:\n  " + "\n  ".join(wrong)


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_every_problem_renders_in_the_language(lang: str) -> None:
    gettext = I18n().translator(lang).gettext
    for msgid in _marked_in_content():
        args = {name: "x" for name in PLACEHOLDER.findall(msgid)}
        assert render_message(msgid, args, gettext) != render_message(msgid, args), msgid


# -- the error itself --------------------------------------------------------------------


def test_error_reads_like_a_compiler_and_pickles(tmp_path: Path) -> None:
    source = tmp_path / "course.md"
    with pytest.raises(CourseFormatError) as caught:
        parse_course(BROKEN.replace("colour: red\n", "") + "# Leçon\nTexte.\n", source)
    error = caught.value
    assert error.msgid == "matière inconnue (connues : %(known)s)"
    assert set(error.values) == {"known"}
    assert error.message == error.render() == error.msgid % error.values
    assert str(error) == error.text == f"{source}:3:10: {error.message}"
    english = I18n().translator("en").gettext
    assert error.located(english).startswith(f"{source}:3:10: unknown subject (known: ")
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is CourseFormatError
    assert (copy.path, copy.line, copy.column) == (source, 3, 10)
    assert (copy.msgid, copy.values, str(copy)) == (error.msgid, error.values, str(error))


def test_error_without_arguments_keeps_a_literal_percent(tmp_path: Path) -> None:
    error = CourseFormatError(tmp_path, 2, 7, N_("pass doit être un pourcentage, par exemple 60%"))
    assert error.message.endswith("60%")
    assert error.render(I18n().translator("en").gettext).endswith("such as 60%")


def test_a_broken_translation_falls_back_to_french() -> None:
    def broken(message: str) -> str:
        return "unknown level '%(niveau)s'"

    message = N_("niveau inconnu '%(level)s' (connus : %(known)s)")
    rendered = render_message(message, {"level": "CM7", "known": "CM1"}, broken)
    assert rendered == "niveau inconnu 'CM7' (connus : CM1)"


def test_check_path_problems_carry_their_msgid(tmp_path: Path) -> None:
    [missing] = check_path(tmp_path / "absent")
    assert missing.msgid == "fichier ou dossier introuvable" and missing.values == {}


def test_booklet_reports_a_broken_course_in_the_language_asked(
    broken: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from bot.booklet.cli import run as write_booklet

    assert write_booklet(str(broken), broken.with_suffix(".pdf"), None, "en") == 1
    assert "unknown subject (known: " in capsys.readouterr().err
    assert main(["booklet", str(broken), "--lang", "ar"]) == 1
    assert "مادة غير معروفة" in capsys.readouterr().err
