"""Command line: `python -m bot run | migrate | content check|show PATH | booklet COURSE |
mastery fit | catalogs export|import|status | admin grant | ...`."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Callable
from pathlib import Path

from bot.channels import NAMES
from bot.config import Settings
from bot.logs import setup_logging

LANG_HELP = (
    "language of the messages (default: from LANGUAGE, LC_ALL, LC_MESSAGES or LANG "
    "when it is an interface language, else fr)"
)


def _languages() -> list[str]:
    """The interface languages (locales/languages.toml), for --lang."""
    from bot.i18n import LOCALES_DIR, load_languages

    return [language.code for language in load_languages(LOCALES_DIR / "languages.toml")]


def _parser() -> argparse.ArgumentParser:
    """The subcommands and their options."""
    parser = argparse.ArgumentParser(
        prog="imaginecole", description="Imaginecole: lessons and quizzes inside the chat."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="serve the web chat (and Telegram when configured)")
    run.add_argument("--port", type=int, help="web port (overrides WEB_PORT)")
    run.add_argument(
        "--workers",
        type=int,
        default=1,
        help="worker processes sharing the port (several need PostgreSQL; default 1)",
    )
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
    skeleton = content_commands.add_parser(
        "translate", help="print the steps a course's translation lacks or has out of date"
    )
    skeleton.add_argument("path", type=Path, help="the course folder or its course.md")
    skeleton.add_argument("--to", required=True, help="the language code: wo, ha, bm, ff...")
    booklet = commands.add_parser("booklet", help="print a course as an A5 PDF booklet")
    booklet.add_argument("course", help="a course id of the library, or a course folder or file")
    booklet.add_argument("--out", type=Path, help="the PDF to write (default: COURSE-id.pdf)")
    booklet.add_argument("--base-url", help="site of the lesson links and QR codes")
    admin = commands.add_parser("admin", help="give roles (the first regional admin)")
    admin_commands = admin.add_subparsers(dest="admin_command", required=True)
    give = admin_commands.add_parser("grant", help="give a role to a person")
    give.add_argument("--channel", required=True, choices=NAMES)
    give.add_argument(
        "--id",
        required=True,
        help="their id on that channel (Telegram user id, WhatsApp number): /mon_id shows it",
    )
    give.add_argument(
        "--role",
        required=True,
        choices=("regional_admin", "national_admin", "moderator", "teacher", "translator"),
    )
    give.add_argument(
        "--country", default="", help="ISO code (SN, ML...); not for regional_admin, translator"
    )
    give.add_argument("--language", default="", help="for translator: the language (wo, ha...)")
    give.add_argument(
        "--create",
        action="store_true",
        help="make the person when the id is unknown (else refused: a typo would grant nobody)",
    )
    catalogs = commands.add_parser(
        "catalogs", help="the interface's translations: export, import, status"
    )
    catalog_commands = catalogs.add_subparsers(dest="catalogs_command", required=True)
    exported = catalog_commands.add_parser(
        "export", help="write the strings reviewed in the chat into locales/*/messages.po"
    )
    exported.add_argument("--lang", action="append", help="only this language (repeatable)")
    exported.add_argument("--locales", type=Path, help="the locales folder (default: ours)")
    imported = catalog_commands.add_parser(
        "import",
        help="read a .po or a CSV (source, context, translation) in as proposals to review",
    )
    imported.add_argument("path", type=Path)
    imported.add_argument("--lang", required=True, help="the language translated (wo, ha...)")
    catalog_commands.add_parser(
        "status", help="completeness per language, weighted by how often strings are shown"
    )
    courses = catalog_commands.add_parser(
        "export-courses",
        help="write the course texts reviewed in the chat into each course's course.LANG.md",
    )
    courses.add_argument("--lang", action="append", help="only this language (repeatable)")
    courses.add_argument("--library", type=Path, help="the courses folder (default: LIBRARY_PATH)")
    dead = commands.add_parser(
        "dead-letters", help="list inbound messages parked unhandled (never their text)"
    )
    dead.add_argument("--limit", type=int, default=50, help="how many, newest first")
    dead.add_argument(
        "--show", type=int, default=None, help="print one item as received (personal data)"
    )
    certificate = commands.add_parser("certificate", help="certificates of finished courses")
    certificate_commands = certificate.add_subparsers(dest="certificate_command", required=True)
    certificate_commands.add_parser("public-key", help="print the key that checks certificates")
    verify = certificate_commands.add_parser("verify", help="check a certificate's code offline")
    verify.add_argument("code")
    verify.add_argument("--public-key", help="base64 public key (default: this deployment's)")
    mastery = commands.add_parser("mastery", help="skills: how well learners master them")
    mastery_commands = mastery.add_subparsers(dest="mastery_command", required=True)
    fitting = mastery_commands.add_parser(
        "fit", help="fit each skill's BKT parameters to the answers recorded, and store them"
    )
    fitting.add_argument(
        "--min-answers", type=int, default=50, help="fewer answers: the skill is not fitted"
    )
    fitting.add_argument(
        "--min-learners", type=int, default=5, help="fewer learners: the skill is not fitted"
    )
    sync = commands.add_parser(
        "sync", help="a school server: exchange with the national instance (docs/sync.md)"
    )
    sync.add_argument(
        "action",
        nargs="?",
        default="now",
        choices=("now", "schools", "export", "import"),
        help="now: push this school's records and pull the national courses (default);"
        " schools: on the national instance, the school servers heard from;"
        " export PATH: write a signed bundle (records; --courses on the national side);"
        " import PATH: check a bundle's signature and apply it",
    )
    sync.add_argument("path", nargs="?", type=Path, help="the bundle, for export and import")
    sync.add_argument(
        "--courses", action="store_true", help="export: the national courses, not records"
    )
    sync.add_argument(
        "--all",
        action="store_true",
        help="export: every record again, not only those not sent yet (a lost stick)",
    )
    languages = _languages()
    for command in (check, show, booklet):
        command.add_argument("--lang", choices=languages, metavar="LANG", help=LANG_HELP)
    return parser


def _check(path: Path, lang: str | None) -> int:
    """Print every problem with file, line and column; exit 1 when anything is wrong."""
    from bot.i18n import console_translator
    from content.format import check_path
    from content.quizfile import check_quiz_file, is_quiz_file
    from content.translations import is_translation_file

    translator = console_translator(lang)
    _ = translator.gettext
    if is_translation_file(path):  # a translation is checked with the course it translates
        path = path.with_name("course.md")
    problems = check_quiz_file(path) if is_quiz_file(path) else check_path(path)
    for problem in problems:
        print(problem.located(translator.gettext))
    if not is_quiz_file(path):
        _warn_unprintable(path, translator.gettext)
        _warn_untranslated(path, translator.gettext)
        _warn_long_short_forms(path, translator.gettext)
        _warn_thin_placement(path, translator.gettext)
    if problems:
        found = translator.ngettext(
            "%(n)s problème trouvé dans %(path)s",
            "%(n)s problèmes trouvés dans %(path)s",
            len(problems),
        )
        print(found % {"n": len(problems), "path": path})
        return 1
    print(_("OK : %(path)s est valide") % {"path": path})
    return 0


def _skeleton(path: Path, language: str) -> int:
    """Print what a translator fills in for a course (content/README.md)."""
    from content.format import parse_course_files
    from content.translations import translation_skeleton

    course_file = path / "course.md" if path.is_dir() else path
    courses, errors = parse_course_files([course_file])
    for error in errors:
        print(error, file=sys.stderr)
    if not courses:
        return 1
    print(translation_skeleton(courses[0], language), end="")
    return 0


def _warn_untranslated(path: Path, _: Callable[[str], str]) -> None:
    """Warn of the steps each translation (`course.wo.md`) lacks or has out of date."""
    from content.format import course_files, parse_course_files
    from content.translations import translation_gaps

    files = course_files(path) if path.is_dir() else [path]
    for course in parse_course_files(files)[0]:
        for gap in translation_gaps(course):
            print(f"{gap.path}:{gap.line}:{gap.column}: {_('avertissement')} : {gap.render(_)}")


def _warn_unprintable(path: Path, _: Callable[[str], str]) -> None:
    """Warn of characters the booklet's fonts lack (they would print as empty boxes)."""
    from bot.booklet.coverage import missing_in_file
    from content.format import course_files

    for course_file in course_files(path) if path.is_dir() else [path]:
        for glyph in missing_in_file(course_file):
            warning = _(
                "avertissement : le livret imprimé ne peut pas afficher « %(char)s » (%(code)s) ;"
                " remplacez-le par un mot ou un signe courant"
            ) % {"char": glyph.char, "code": glyph.code}
            print(f"{course_file}:{glyph.line}:{glyph.column}: {warning}")


def _warn_long_short_forms(path: Path, _: Callable[[str], str]) -> None:
    """Warn of short forms (`sms:`) that take more than two SMS."""
    from content.format import course_files, parse_course_files
    from content.sms import long_short_forms

    for course_file in course_files(path) if path.is_dir() else [path]:
        for course in parse_course_files([course_file])[0]:
            for line, size, limit in long_short_forms(course):
                warning = _(
                    "avertissement : la forme courte 'sms:' fait %(size)s caractères, plus que"
                    " deux SMS (%(limit)s) ; raccourcissez-la"
                ) % {"size": size, "limit": limit}
                print(f"{course_file}:{line}:1: {warning}")


def _warn_thin_placement(path: Path, _: Callable[[str], str]) -> None:
    """Warn of skills the placement quiz asks too few questions of to reach mastery."""
    from content.format import course_files, parse_course_files
    from content.placement import thin_skills

    for course_file in course_files(path) if path.is_dir() else [path]:
        for course in parse_course_files([course_file])[0]:
            for line, code, count, needed in thin_skills(course):
                warning = _(
                    "avertissement : le test de placement pose %(count)s question(s) sur la"
                    " compétence '%(code)s' : il en faut au moins %(needed)s justes pour la"
                    " maîtriser ; ajoutez-en"
                ) % {"count": count, "code": code, "needed": needed}
                print(f"{course_file}:{line}:1: {warning}")


def _show(path: Path, lang: str | None) -> int:
    """Print the normalised course as JSON; problems as `content check` prints them."""
    from bot.i18n import console_translator
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
        print(error.located(console_translator(lang).gettext), file=sys.stderr)
        return 1
    print(json.dumps(shown, ensure_ascii=False, indent=2))
    return 0


def _catalogs(args: argparse.Namespace, database_url: str, library: Path) -> int:
    """`catalogs export | import | status`."""
    from bot import catalogs_cli
    from bot.i18n import LOCALES_DIR

    if args.catalogs_command == "export":
        folder = args.locales or LOCALES_DIR
        written = asyncio.run(catalogs_cli.export(database_url, folder, args.lang))
        for lang, count in written.items():
            print(f"{lang}: {count} reviewed strings written")
        return 0
    if args.catalogs_command == "export-courses":
        folder = args.library or library
        files = asyncio.run(catalogs_cli.export_courses(database_url, folder, args.lang))
        for path, count in files:
            print(f"{path}: {count} reviewed texts")
        return 0
    if args.catalogs_command == "import":
        try:
            done = asyncio.run(catalogs_cli.import_file(database_url, args.path, args.lang))
        except catalogs_cli.CatalogFileError as error:
            print(f"error: {error}", file=sys.stderr)
            return 2
        print(
            f"{args.lang}: {done.proposed} proposed (to review in the chat), "
            f"{done.suggestions} suggestions, {done.unchanged} unchanged, "
            f"{len(done.refused)} refused"
        )
        for reason in done.refused:
            print(f"  {reason}")
        return 1 if done.refused else 0
    for line in catalogs_cli.status_lines(asyncio.run(catalogs_cli.status(database_url))):
        print(line)
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script."""
    args = _parser().parse_args(argv)
    settings = Settings.from_env()
    setup_logging(settings.log_level, settings.log_format, settings.log_repeat_limit)
    if args.command == "content":
        if args.content_command == "check":
            return _check(args.path, args.lang)
        if args.content_command == "translate":
            return _skeleton(args.path, args.to)
        return _show(args.path, args.lang)
    if args.command == "booklet":
        from bot.booklet.cli import run as write_booklet

        return write_booklet(
            args.course, args.out, args.base_url, args.lang, public_url=settings.public_url
        )
    if args.command == "certificate":
        from bot.certificates import cli

        if args.certificate_command == "public-key":
            return cli.public_key(settings)
        return cli.verify(settings, args.code, args.public_key)
    if args.command == "admin":
        from bot.admin_cli import database_label, grant

        url = settings.database_url
        try:
            held = asyncio.run(
                grant(
                    url,
                    args.channel,
                    args.id,
                    args.role,
                    args.country,
                    create=args.create,
                    language=args.language,
                    notify=True,
                )
            )
        except ValueError as error:
            print(f"error: {error}", file=sys.stderr)
            return 2
        print(f"database: {database_label(url)}")
        print(f"roles now: {held}")
        return 0
    if args.command == "mastery":
        from bot.admin_cli import database_label
        from bot.mastery_fit import fit_skills, table

        url = settings.database_url
        fits = asyncio.run(
            fit_skills(url, settings.library_path, args.min_answers, args.min_learners)
        )
        print(f"database: {database_label(url)}")
        print(table(fits))
        return 0
    if args.command == "catalogs":
        return _catalogs(args, settings.database_url, settings.library_path)
    if args.command == "sync":
        from bot import sync_cli

        if args.action == "schools":
            return asyncio.run(sync_cli.schools(settings))
        if args.action in ("export", "import"):
            if args.path is None:
                print(f"error: sync {args.action} needs the bundle's PATH", file=sys.stderr)
                return 2
            if args.action == "import":
                return asyncio.run(sync_cli.import_bundle(settings, args.path))
            return asyncio.run(
                sync_cli.export_bundle(settings, args.path, args.courses, every=args.all)
            )
        return asyncio.run(sync_cli.sync_now(settings))
    if args.command == "dead-letters":
        from bot.dead_letters import listing

        found = asyncio.run(
            listing(settings.database_url, settings.pseudonym_secret, args.limit, args.show)
        )
        print("\n".join(found) if found else "no dead letters")
        return 0
    if args.command == "migrate":
        from bot.storage.db import migrate

        migrate(settings.database_url)
        print("database schema is up to date")
        return 0
    if args.port is not None:
        from dataclasses import replace

        settings = replace(settings, web_port=args.port)
    from bot.workers import refusal, run_workers

    refused = refusal(settings, args.workers)
    if refused:
        print(f"error: {refused}", file=sys.stderr)
        return 2
    if args.workers > 1:
        return run_workers(settings, args.workers)
    from bot.app import serve

    asyncio.run(serve(settings))
    return 0


if __name__ == "__main__":
    sys.exit(main())
