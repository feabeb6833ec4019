"""Fonts shipped as PyPI packages (never the machine's): Noto Sans and Noto Sans Arabic."""

from __future__ import annotations

import re
from collections.abc import Iterable
from importlib.resources import as_file, files
from pathlib import Path

from fpdf import FPDF

LATIN = "NotoSans"
ARABIC = "NotoSansArabic"
RTL_LANGUAGES = frozenset({"ar", "fa", "ur", "he", "ps"})
# Arabic and Hebrew blocks, and Arabic presentation forms: letters that join or reorder.
_SHAPED_SCRIPTS = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff]")

# (fpdf family, package, file inside the package's `files/` folder)
_FONTS = (
    (LATIN, "fontpkg_noto_sans", "NotoSans[wdth,wght].ttf"),
    (ARABIC, "fontpkg_noto_sans_arabic", "NotoSansArabic[wdth,wght].ttf"),
)

_paths: dict[str, Path] = {}


def font_path(family: str) -> Path:
    """Return the TTF file of a family, found inside its installed package."""
    if family not in _paths:
        package, name = next((pkg, fn) for fam, pkg, fn in _FONTS if fam == family)
        with as_file(files(package) / "files" / name) as path:
            _paths[family] = Path(path)
    return _paths[family]


def is_rtl(language: str) -> bool:
    """Tell whether a language code is written right to left (ar, ar-TD, fa...)."""
    return language.replace("_", "-").split("-")[0].casefold() in RTL_LANGUAGES


def needs_shaping(language: str, texts: Iterable[str]) -> bool:
    """Tell whether some text needs a shaping engine (Arabic script, right-to-left).

    Shaping every line with HarfBuzz costs about two thirds of the rendering time, and Latin
    text in Noto Sans prints right without it, so it is only turned on when needed.
    """
    return is_rtl(language) or any(_SHAPED_SCRIPTS.search(text) for text in texts)


def install_fonts(pdf: FPDF, language: str, shaping: bool) -> str:
    """Register the fonts, set up shaping and return the main family for this language.

    The default instance of the variable fonts is used (regular weight): instancing a bold
    weight costs seconds, so headings get a stroked "faux bold" instead (Booklet.para).
    """
    for family, _package, _name in _FONTS:
        pdf.add_font(family, "", font_path(family))
    main, other = (ARABIC, LATIN) if is_rtl(language) else (LATIN, ARABIC)
    pdf.set_fallback_fonts([other], exact_match=False)
    if shaping:
        pdf.set_text_shaping(True, direction="rtl" if is_rtl(language) else "ltr")
    return main
