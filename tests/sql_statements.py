"""Every SQL statement written as text in `bot/`, read back against the tables of
`bot/storage/models.py` (the schema the migrations build), with sqlglot.

A statement is found where the code writes it: a string, an f-string or a `+` of them whose
text starts with SELECT, INSERT, UPDATE, DELETE or WITH (module-level string constants used
inside are read too). What varies at run time (a list of `:i0, :i1` marks, a `{where}`
clause) is left out: the rest is still checked. A statement sqlglot cannot read is reported
as unreadable, never as wrong.
"""

from __future__ import annotations

import ast
import importlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import sqlglot
from sqlglot import exp
from sqlglot.errors import OptimizeError, ParseError
from sqlglot.optimizer.qualify import qualify

from bot.storage.models import Base

ROOT = Path(__file__).resolve().parents[1]
START = re.compile(r"^\s*(SELECT|INSERT|UPDATE|DELETE|WITH) ")
PARAMETER = re.compile(r"(?<![:\w]):[A-Za-z_]\w*|\?|\$\d+")
HOLE = "{}"  # what an unknown part of an f-string becomes before parsing
# Pseudo-columns of one engine, and what sqlglot cannot follow (a CTE over an INSERT).
UNREADABLE = ("missing source schemas",)


@dataclass(frozen=True)
class Statement:
    """One statement of the code, where it is written."""

    file: str
    line: int
    sql: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


def schema() -> dict[str, dict[str, str]]:
    """Each table's columns, from the models."""
    return {t.name: {c.name: "TEXT" for c in t.columns} for t in Base.metadata.tables.values()}


def statements(folder: str = "bot") -> list[Statement]:
    """The statements written in the code of `folder` (migrations excepted: they are the
    schema's history)."""
    found: list[Statement] = []
    for path in sorted((ROOT / folder).rglob("*.py")):
        relative = path.relative_to(ROOT)
        if "migrations" in relative.parts:
            continue
        module = importlib.import_module(".".join(relative.with_suffix("").parts))
        found += _in_module(path, str(relative), module)
    return found


def _in_module(path: Path, name: str, module: ModuleType) -> Iterator[Statement]:
    """The statements of one module (the outermost expression that spells each)."""
    seen: set[int] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if id(node) in seen or not isinstance(node, ast.expr):
            continue
        text = _text(node, module)
        if text and START.match(text):
            seen.update(id(sub) for sub in ast.walk(node))
            yield Statement(name, node.lineno, text)


def _text(node: ast.expr, module: ModuleType) -> str | None:
    """The text an expression spells, unknown parts as holes; None when it is no text."""
    if isinstance(node, ast.Constant):
        return node.value if isinstance(node.value, str) else None
    if isinstance(node, ast.Name):
        value = getattr(module, node.id, None)
        return value if isinstance(value, str) else None
    if isinstance(node, ast.JoinedStr):
        parts = []
        for part in node.values:
            if isinstance(part, ast.Constant):
                parts.append(str(part.value))
            else:
                assert isinstance(part, ast.FormattedValue)
                parts.append(_text(part.value, module) or HOLE)
        return "".join(parts)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _text(node.left, module), _text(node.right, module)
        return left + right if left is not None and right is not None else None
    return None


def problem(statement: Statement, tables: dict[str, dict[str, str]]) -> tuple[str, str] | None:
    """("wrong", why) for a table or column the schema lacks, ("unreadable", why) for what
    sqlglot cannot read, None when the statement fits the schema."""
    sql = re.sub(r"\(\{\w*\}\)", "(NULL)", statement.sql)  # IN ({marks}) of .format()
    sql = re.sub(r"\{\w*\}", " ", sql)  # a clause of .format() or of an f-string
    sql = PARAMETER.sub("NULL", sql)
    try:
        tree = sqlglot.parse_one(sql, read="postgres")
    except ParseError as error:
        return "unreadable", str(error).splitlines()[0]
    try:
        qualify(tree, schema=tables, validate_qualify_columns=True, dialect="postgres")
    except OptimizeError as error:
        reason = str(error)
        return ("unreadable" if any(u in reason for u in UNREADABLE) else "wrong"), reason
    named = {cte.alias for cte in tree.find_all(exp.CTE)}
    for table_node in tree.find_all(exp.Table):
        if table_node.name and table_node.name not in tables and table_node.name not in named:
            return "wrong", f"no table {table_node.name!r}"
    for written in _written_columns(tree):
        table, column = written
        if table not in tables:
            return "wrong", f"no table {table!r}"
        if column not in tables[table]:
            return "wrong", f"no column {column!r} in {table}"
    return None


def _written_columns(tree: exp.Expression) -> Iterator[tuple[str, str]]:
    """(table, column) of every column an INSERT or an UPDATE writes (qualify reads only
    what is read)."""
    for insert in tree.find_all(exp.Insert):
        if isinstance(insert.this, exp.Schema):
            for column in insert.this.expressions:
                yield insert.this.this.name, column.name
    for update in tree.find_all(exp.Update):
        for assignment in update.expressions:
            yield update.this.name, assignment.left.name
