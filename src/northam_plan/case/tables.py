"""Read case tables from CSV and convert every cell against its schema.

Every problem is collected (file, line, column, what was expected) rather than raised at the
first one, so that a user fixes a file in one pass. A ``_line`` column keeps, for each row, the
line of the CSV it came from, for the messages of later checks.
"""

from __future__ import annotations

import csv
import difflib
import math
import re
from pathlib import Path

import pandas as pd

from northam_plan.case.schema import Column, Table
from northam_plan.case.schema_base import Cell
from northam_plan.case.units import with_unit
from northam_plan.errors import ProblemList

LINE = "_line"
SET_BY = "_set_by"  # the override that last changed a row, for messages about the row
MAX_INT = 10**9  # whole numbers are years, lifetimes and lead times: never larger
MAX_ROWS = 2_000_000  # a case table larger than this is refused before it fills memory
#: no quantity in the model's units (kt, TWh, GW, Mt, M$, shares, years) comes near this;
#: a larger magnitude is a unit mistake and would wreck the LP's numerics (1e300 · weights = inf)
MAX_MAGNITUDE = 1e12
_TRUE = {"true", "yes", "1", "y", "t"}
_FALSE = {"false", "no", "0", "n", "f"}


class CellError(ValueError):
    """A cell's value does not fit its column; the message says what was expected."""


def convert_cell(column: Column, raw: object, unit: str | None = None) -> Cell:
    """Return ``raw`` as the column's type, or raise :class:`CellError`.

    ``raw`` is a CSV string or a TOML value (override). Empty means the column's default.
    ``unit`` is the column's unit as messages say it (e.g. ``kt Li/yr`` for ``unit/yr``).
    """
    unit = column.unit if unit is None else unit
    if raw is None or (isinstance(raw, str) and raw.strip() == ""):
        if column.required:
            raise CellError(f"a value is required ({_expected(column, unit)})")
        return column.default
    if column.kind == "str":
        value = str(raw).strip()
        if column.choices is not None and value not in column.choices:
            raise CellError(f"expected one of {', '.join(column.choices)}, got '{value}'")
        return value
    if column.kind == "bool":
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise CellError(f"expected true or false, got '{raw}'")
    number = _number(column, raw, unit)
    _check_range(column, number, unit)
    return number


def _number(column: Column, raw: object, unit: str) -> float | int:
    if isinstance(raw, bool):
        raise CellError(f"expected {_expected(column, unit)}, got '{raw}'")
    try:
        value = float(str(raw).strip().replace("_", "")) if isinstance(raw, str) \
            else float(raw)  # type: ignore[arg-type]  # any value: float() refusing it is caught
    except (TypeError, ValueError):
        raise CellError(f"expected {_expected(column, unit)}, got '{raw}'") from None
    if math.isnan(value):
        raise CellError(f"expected {_expected(column, unit)}, got NaN")
    if math.isinf(value):
        raise CellError(f"expected a finite number, got '{raw}'")
    if column.kind == "float" and abs(value) > MAX_MAGNITUDE:
        raise CellError(f"expected a number of magnitude at most {MAX_MAGNITUDE:.0e}"
                        f"{f' {unit}' if unit and unit != '1' else ''}, "
                        f"got '{raw}': check the unit")
    if column.kind == "int":
        if value != int(value):
            raise CellError(f"expected a whole number, got '{raw}'")
        if abs(value) > MAX_INT:
            raise CellError(f"expected a whole number of at most {MAX_INT:,}, got '{raw}'")
        return int(value)
    return value


def _check_range(column: Column, value: float, unit: str) -> None:
    if column.min is not None and (value < column.min
                                   or (column.min_exclusive and value <= column.min)):
        raise CellError(f"expected {_expected(column, unit)}, got {value:g}")
    if column.max is not None and (value > column.max
                                   or (column.max_exclusive and value >= column.max)):
        raise CellError(f"expected {_expected(column, unit)}, got {value:g}")


def _expected(column: Column, unit: str | None = None) -> str:
    unit = column.unit if unit is None else unit
    kind = {"float": "a number", "int": "a whole number", "str": "text",
            "bool": "true or false"}[column.kind]
    lower = "<" if column.min_exclusive else "≤"
    if column.min is not None and column.max is not None:
        upper = "<" if column.max_exclusive else "≤"
        kind += f" with {column.min:g} {lower} value {upper} {column.max:g}"
    elif column.min is not None:
        kind += f" {'>' if column.min_exclusive else '≥'} {column.min:g}"
    if unit and unit != "1":
        kind += f", in {unit}"
    return kind


def empty_table(table: Table) -> pd.DataFrame:
    frame = pd.DataFrame({c.name: pd.Series(dtype=_dtype(c)) for c in table.columns})
    frame[LINE] = pd.Series(dtype="int64")
    frame[SET_BY] = pd.Series(dtype="object")
    return frame


def _dtype(column: Column) -> str:
    return {"str": "object", "float": "float64", "int": "Int64", "bool": "bool"}[column.kind]


def read_table(folder: Path, table: Table, problems: ProblemList,
               units: dict[str, str] | None = None) -> pd.DataFrame:
    """Read ``folder/<table>.csv`` and convert it; problems go to ``problems``.

    A missing optional table is an empty table. Rows that fail conversion are kept out.
    ``units`` (commodity → unit text) lets a message say ``kt Li/yr`` for ``unit/yr``.
    """
    path = folder / table.file
    if not path.is_file():
        if table.required:
            problems.add(path, f"file not found: the case needs the table '{table.name}' "
                               f"({table.description})")
        return empty_table(table)
    records = _read_records(path, problems)
    if records is None:
        return empty_table(table)
    if not records:
        problems.add(path, "the file is empty; expected a header line with the columns "
                           + ", ".join(c.name for c in table.columns), line=1)
        return empty_table(table)
    header_line, header = records[0]
    header = [name.strip() for name in header]
    while header and header[-1] == "":  # a trailing comma after the last column name
        header.pop()

    known = {c.name for c in table.columns}
    for name in header:
        if name not in known:
            close = difflib.get_close_matches(name, known, n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            problems.add(path, f"unknown column '{name}'{hint}; the columns of {table.name} "
                               "are " + ", ".join(sorted(known)), line=header_line, column=name)
    missing = [c for c in table.columns if c.required and c.name not in header]
    for column in missing:
        problems.add(path, f"missing column '{column.name}' ({column.description})",
                     line=header_line, column=column.name)
    if missing:
        return empty_table(table)

    columns: dict[str, list] = {c.name: [] for c in table.columns}
    lines: list[int] = []
    present = [(i, table.column(name)) for i, name in enumerate(header) if name in known]
    width = len(header)
    commodity_at = header.index("commodity") if units and "commodity" in header else None
    for line, row in records[1:]:
        if len(row) > width and any(cell.strip() for cell in row[width:]):
            problems.add(path, f"{len(row)} fields on this line but {width} columns in the "
                               "header", line=line)
            continue
        row = row + [""] * (width - len(row))
        converted = {}
        ok = True
        for i, column in present:
            try:
                converted[column.name] = convert_cell(column, row[i])
            except CellError as first:
                err = first  # said again in the commodity's unit where the column has one
                if commodity_at is not None and units and re.search(r"\bunit\b", column.unit):
                    unit = with_unit(column.unit, units.get(row[commodity_at].strip()))
                    try:
                        convert_cell(column, row[i], unit)
                    except CellError as said:
                        err = said
                problems.add(path, str(err), line=line, column=column.name)
                ok = False
        if not ok:
            continue
        for column in table.columns:
            columns[column.name].append(converted.get(column.name, column.default))
        lines.append(line)

    frame = pd.DataFrame({c.name: pd.Series(columns[c.name], dtype=_dtype(c))
                          for c in table.columns})
    frame[LINE] = pd.Series(lines, dtype="int64")
    frame[SET_BY] = pd.Series([""] * len(lines), dtype="object")
    check_duplicate_keys(path, table, frame, problems)
    return frame


def set_by_note(set_by: str) -> str:
    """' (value set by <case file> [[override]] #n)' for a row an override changed."""
    return f" (value set by {set_by})" if set_by else ""


def _read_records(path: Path, problems: ProblemList) -> list[tuple[int, list[str]]] | None:
    """The non-blank records of a CSV file, each with the line it starts on (header = 1)."""
    records = []
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.reader(handle, skipinitialspace=True)
            next_line = 1
            for row in reader:
                if row and any(cell.strip() for cell in row):
                    records.append((next_line, row))
                    if len(records) > MAX_ROWS + 1:
                        problems.add(path, f"more than {MAX_ROWS:,} rows; refusing a table "
                                           "this large")
                        return None
                next_line = reader.line_num + 1
    except UnicodeDecodeError as err:
        problems.add(path, f"not UTF-8 text (byte {err.start}); save the file as UTF-8 CSV")
        return None
    except csv.Error as err:
        problems.add(path, f"cannot be read as CSV: {err}", line=reader.line_num)
        return None
    except OSError as err:
        problems.add(path, f"cannot be read: {err.strerror}")
        return None
    return records


def check_duplicate_keys(path, table: Table, frame: pd.DataFrame, problems: ProblemList) -> None:
    """Two rows with the same key columns are ambiguous: report each repeat with its first line."""
    key = list(table.key)
    if frame.empty:
        return
    normalised = frame[key].astype(object).where(frame[key].notna(), None)
    seen: dict[tuple, int] = {}
    for values, line, set_by in zip(normalised.itertuples(index=False, name=None), frame[LINE],
                                    frame[SET_BY]):
        if values in seen:
            shown = ", ".join(f"{k}={'(empty)' if v is None else v}" for k, v in zip(key, values))
            problems.add(path, f"duplicate key ({shown}); first given on line {seen[values]}"
                               + set_by_note(set_by), line=int(line), column=key[0])
        else:
            seen[values] = int(line)
