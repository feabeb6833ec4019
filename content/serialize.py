"""A course as plain JSON-ready data: what `content show --json` prints (schema 1)."""

from __future__ import annotations

import dataclasses
from enum import Enum
from pathlib import Path
from typing import Any

from content.model import Course, Question

SCHEMA_VERSION = 1


def course_to_dict(course: Course) -> dict[str, Any]:
    """The normalised course; media paths relative to the course's folder."""
    base = course.source.resolve().parent if course.source else None
    data = _plain(dataclasses.asdict(course), base)
    data["source"] = str(course.source) if course.source else None
    data.pop("translations", None)  # the other languages' files are not part of schema 1
    return {"schema": SCHEMA_VERSION, "course": data}


def questions_to_dict(questions: list[Question]) -> dict[str, Any]:
    """The questions of a quiz file (GIFT, Aiken) in the course model."""
    return {
        "schema": SCHEMA_VERSION,
        "questions": _plain([dataclasses.asdict(q) for q in questions], None),
    }


def _plain(value: Any, base: Path | None) -> Any:
    """Enums as their values, paths relative, tuples as lists."""
    if isinstance(value, dict):
        return {key: _plain(item, base) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item, base) for item in value]
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Path):
        return (
            value.relative_to(base).as_posix()
            if base and value.is_relative_to(base)
            else str(value)
        )
    return value
