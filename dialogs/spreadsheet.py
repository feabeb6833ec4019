"""CSV files a person opens in a spreadsheet, without formulas anyone typed.

A cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return is read as a formula
by Excel, LibreOffice and Google Sheets: a student named `=HYPERLINK("http://…","Cliquez")`
would put a link (or worse, with DDE) in the teacher's file. Following OWASP's guidance on CSV
injection, every text cell that starts with one of these characters is prefixed with a single
quote, which spreadsheets show as text. Numbers are written as they are (a negative number
is not a text anyone typed).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def neutral(cell: object) -> object:
    """The cell as a spreadsheet will read it: a text starting like a formula gets a quote."""
    if isinstance(cell, str) and cell.startswith(FORMULA_STARTS):
        return "'" + cell
    return cell


def csv_bytes(rows: Iterable[Iterable[object]]) -> bytes:
    """The rows as CSV, UTF-8 with a BOM (so spreadsheets read the accents), formulas defused."""
    out = io.StringIO()
    writer = csv.writer(out)
    for row in rows:
        writer.writerow([neutral(cell) for cell in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")
