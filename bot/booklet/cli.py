"""`python -m bot booklet COURSE --out FILE.pdf`: the command, wired in bot/__main__.py."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from content.errors import CourseFormatError
from content.format import COURSE_FILE_NAME, parse_course_file
from content.library import load_library
from content.model import Course


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `booklet` subcommand to the main parser's subcommands."""
    parser = commands.add_parser("booklet", help="print a course as an A5 PDF booklet")
    parser.add_argument("course", help="a course id of the library, or a course folder or file")
    parser.add_argument("--out", type=Path, help="the PDF to write (default: COURSE-id.pdf)")
    parser.add_argument("--base-url", default=None, help="site of the lesson links and QR codes")
    parser.add_argument(
        "--lang", default=None, help="language of the booklet (where the course has it)"
    )


def find_course(name: str) -> Course:
    """Return a course by library id, or parse it from a folder or a course file."""
    path = Path(name)
    if path.exists():
        return parse_course_file(path / COURSE_FILE_NAME if path.is_dir() else path)
    course = load_library().get(name)
    if course is None:
        raise LookupError(f"no course {name!r} in the library, and no such file")
    return course


def run(
    course: str,
    out: Path | None,
    base_url: str | None = None,
    lang: str | None = None,
    public_url: str = "",
) -> int:
    """Write the booklet of a course; print where, its size, how long it took, and the site
    its links and QR codes open (--base-url, else PUBLIC_URL, else the project's site)."""
    from bot.booklet import DEFAULT_BASE_URL, render_booklet
    from bot.i18n import console_translator

    try:
        found = find_course(course)
    except CourseFormatError as error:
        print(error.located(console_translator(lang).gettext), file=sys.stderr)
        return 1
    except LookupError as error:
        print(error, file=sys.stderr)
        return 1
    start = time.perf_counter()
    base, source = _base(base_url, public_url, DEFAULT_BASE_URL)
    pdf = render_booklet(found, base_url=base, language=lang)
    target = out or Path(f"{found.id}.pdf")
    target.write_bytes(pdf)
    elapsed = time.perf_counter() - start
    print(f"{target}: {len(pdf) // 1024} Ko, {elapsed:.2f} s")
    print(f"liens et codes QR : {base} ({source})")
    return 0


def _base(given: str | None, public_url: str, default: str) -> tuple[str, str]:
    """The site of the booklet's links, and where it came from."""
    if given:
        return given.rstrip("/"), "--base-url"
    if public_url:
        return public_url.rstrip("/"), "PUBLIC_URL"
    return default, "par défaut ; --base-url ou PUBLIC_URL pour un autre site"
