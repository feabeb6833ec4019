"""Statements are SQLAlchemy Core constructs written against the tables of the models
(`bot/storage/sql.py`), so a renamed column fails at import and in mypy. The few written as
text are documented exceptions, each marked `# SQL text:` with its reason; they still fit
the schema: a renamed or misspelt table or column fails here, with its file and line, not at
run time in front of a learner."""

from __future__ import annotations

from tests.sql_statements import ROOT, Statement, problem, schema, statements

MARK = "# SQL text:"

# Statements sqlglot cannot read whole (a clause put together at run time, a CTE over an
# INSERT); each of them runs in the integration tests. The number may only go down.
MAY_BE_UNREADABLE = 15


def test_every_statement_names_tables_and_columns_that_exist() -> None:
    tables = schema()
    found = statements()
    verdicts = [(s, problem(s, tables)) for s in found]
    wrong = [f"{s}: {p[1]}" for s, p in verdicts if p and p[0] == "wrong"]
    unreadable = [f"{s}: {p[1]}" for s, p in verdicts if p and p[0] == "unreadable"]
    assert wrong == []
    assert len(unreadable) <= MAY_BE_UNREADABLE, "\n".join(unreadable)


def test_a_misspelt_column_is_caught_where_it_is_written() -> None:
    tables = schema()
    cases = {
        "INSERT INTO data_saving (user_id, light, updatd_at) VALUES (:uid, :on, :now)": (
            "no column 'updatd_at' in data_saving"
        ),
        "UPDATE users SET locael = :lang WHERE id = :uid": "no column 'locael' in users",
        "SELECT u.contry FROM users u WHERE u.id = :uid": "Unknown column: contry",
        "DELETE FROM user WHERE id = :uid": "no table 'user'",  # the table is `users`
    }
    for sql, expected in cases.items():
        verdict = problem(Statement("bot/x.py", 1, sql), tables)
        assert verdict is not None and verdict[0] == "wrong", sql
        assert expected in verdict[1], verdict


def test_a_statement_written_as_text_says_why() -> None:
    found = statements()
    documented = {s.sql for s in found if _marked(s)}  # a constant marked where it is written
    undocumented = [str(s) for s in found if s.sql not in documented]
    assert undocumented == [], (
        "write these as SQLAlchemy Core statements (bot/storage/sql.py), or say why not in a "
        f"`{MARK}` comment on their first line or just above"
    )


def test_statements_written_as_text_are_found() -> None:
    found = {s.line: _marked(s) for s in statements("tests/fixtures/sql_text")}
    assert found == {7: True, 8: False}, "the documented one, and the other"


def _marked(statement: Statement) -> bool:
    """Whether a `# SQL text:` comment stands on the statement's line, at the end of the line
    above (`run(  # SQL text: ...`), or in the comment lines just above."""
    lines = (ROOT / statement.file).read_text(encoding="utf-8").splitlines()
    at = statement.line - 1
    if MARK in lines[at] or (at > 0 and MARK in lines[at - 1]):
        return True
    above = at - 1
    while above >= 0 and lines[above].lstrip().startswith("#"):
        if MARK in lines[above]:
            return True
        above -= 1
    return False
