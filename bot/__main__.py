"""Command line: `python -m bot run | migrate | content check|show PATH | booklet COURSE`."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path

from bot.config import Settings
from bot.logs import setup_logging


def _parser() -> argparse.ArgumentParser:
    """The subcommands and their options."""
    parser = argparse.ArgumentParser(
        prog="imaginecole", description="Imaginecole: lessons and quizzes inside the chat."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="serve the web chat (and Telegram when configured)")
    run.add_argument("--port", type=int, help="web port (overrides WEB_PORT)")
    commands.add_parser("migrate", help="bring the database schema up to date")
    content = commands.add_parser("content", help="work with course files")
    content_commands = content.add_subparsers(dest="content_command", required=True)
    check = content_commands.add_parser(
        "check", help="validate a course file, a folder of courses, or a GIFT/Aiken quiz file"
    )
    check.add_argument("path", type=Path)
    show = content_commands.add_parser("show", help="print a course as the bot understood it")
    show.add_argument("path", type=Path)
    show.add_argument("--json", action="store_true", help="as JSON (content/README.md: schema)")
    booklet = commands.add_parser("booklet", help="print a course as an A5 PDF booklet")
    booklet.add_argument("course", help="a course id of the library, or a course folder or file")
    booklet.add_argument("--out", type=Path, help="the PDF to write (default: COURSE-id.pdf)")
    booklet.add_argument("--base-url", help="site of the lesson links and QR codes")
    return parser


def _check(path: Path) -> int:
    """Print every problem with file, line and column; exit 1 when anything is wrong."""
    from content.format import check_path
    from content.quizfile import check_quiz_file, is_quiz_file

    problems = check_quiz_file(path) if is_quiz_file(path) else check_path(path)
    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} problème(s) trouvé(s) dans {path}")
        return 1
    print(f"OK : {path} est valide")
    return 0


def _show(path: Path) -> int:
    """Print the normalised course as JSON; problems as `content check` prints them."""
    from content.format import CourseFormatError, parse_course_file
    from content.quizfile import is_quiz_file, read_quiz_file
    from content.serialize import course_to_dict, questions_to_dict

    course_file = path / "course.md" if path.is_dir() else path
    try:
        if is_quiz_file(path):
            shown = questions_to_dict(read_quiz_file(path))
        else:
            shown = course_to_dict(parse_course_file(course_file))
    except CourseFormatError as error:
        print(error, file=sys.stderr)
        return 1
    print(json.dumps(shown, ensure_ascii=False, indent=2))
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script."""
    args = _parser().parse_args(argv)
    settings = Settings.from_env()
    setup_logging(settings.log_level)
    if args.command == "content":
        return _check(args.path) if args.content_command == "check" else _show(args.path)
    if args.command == "booklet":
        from bot.booklet.cli import run as write_booklet

        return write_booklet(args.course, args.out, args.base_url)
    if args.command == "migrate":
        from bot.storage.db import migrate

        migrate(settings.database_url)
        print("database schema is up to date")
        return 0
    from bot.app import serve

    if args.port is not None:
        from dataclasses import replace

        settings = replace(settings, web_port=args.port)
    asyncio.run(serve(settings))
    return 0


if __name__ == "__main__":
    sys.exit(main())
