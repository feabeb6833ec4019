"""Teachers' course files (images, sounds, documents) written out beside the database, so
a course's text is parsed as `<root>/<course_id>/course.md` and its media paths resolve for
every channel, the web server and the booklets."""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterable
from pathlib import Path

from sqlalchemy.engine import make_url

NAME = re.compile(r"(images|audio|docs)/[A-Za-z0-9][A-Za-z0-9._-]{0,100}")
COURSE_ID = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")


def default_root(database_url: str) -> Path:
    """Beside the SQLite file (`var/authored`), else `var/authored` in the working folder."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        return Path(url.database).resolve().parent / "authored"
    if url.get_backend_name() == "sqlite":
        return Path(tempfile.gettempdir()) / "imaginecole-authored"
    return Path("var/authored").resolve()


def course_folder(root: Path, course_id: str) -> Path:
    """A course's folder (created); its id is a slug, so it stays inside `root`."""
    if not COURSE_ID.fullmatch(course_id):
        raise ValueError(f"not a course id: {course_id!r}")
    folder = root / course_id
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def missing(folder: Path, names: Iterable[str]) -> list[str]:
    """The names among `names` whose file is not written yet."""
    return [name for name in names if NAME.fullmatch(name) and not (folder / name).is_file()]


def write(folder: Path, name: str, data: bytes) -> None:
    """Write one file atomically (a reader never sees half a file)."""
    if not NAME.fullmatch(name):
        return
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".part-")
    with os.fdopen(handle, "wb") as out:
        out.write(data)
    os.replace(temporary, path)
