"""User text in a spreadsheet stays text: no cell of an export is ever a formula.

A spreadsheet takes a cell starting with ``=``, ``+``, ``-`` or ``@`` (or a tab, carriage return,
line feed or NUL before one) as a formula, and a formula can fetch a link or run a command on the
machine of whoever opens the file (OWASP, "CSV Injection"; ASVS 4.0 5.3.10 / 5.0 1.2.10: escape
such a first character with a single quote). Comments, action owners and service names are typed
by people, so every export writes them inertly:

- CSV: every text field is quoted (so no separator inside one can start a new cell) and one that
  starts like a formula gets a leading ``'``; numbers stay bare numbers;
- XLSX: every text cell is typed as a string, never a formula, and one that starts like a
  formula is marked as typed with a leading apostrophe (``quotePrefix``), so that editing it
  keeps it text. The text itself is kept exactly.
"""

from __future__ import annotations

from collections.abc import Iterable

from openpyxl.cell.cell import Cell
from openpyxl.worksheet.worksheet import Worksheet

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\0")


def looks_like_a_formula(value: object) -> bool:
    """True for text a spreadsheet would read as a formula."""
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def csv_value(value: object) -> object:
    """A CSV field's value: text that starts like a formula gets a leading ``'``."""
    return f"'{value}" if looks_like_a_formula(value) else value


def append_inert(sheet: Worksheet, values: Iterable[object]) -> None:
    """``sheet.append(values)``, every text cell a string (openpyxl makes ``=...`` a formula).

    The cells are made here and appended as cells: finding the row just appended afterwards
    (``sheet.max_row`` looks at every cell) made a 6,000-row export take 6 s more."""
    cells = []
    for value in values:
        cell = Cell(sheet, value=value)
        if isinstance(cell.value, str):  # as openpyxl keeps it (bytes, for one, become text)
            cell.data_type = "s"
            if looks_like_a_formula(cell.value):
                cell.quotePrefix = True
        cells.append(cell)
    sheet.append(cells)
