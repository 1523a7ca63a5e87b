"""Variations of a case for a sweep: ``--vary`` arguments → checked override dicts → scenarios.

A **variation** changes one column of one case table to each of a list of values::

    TABLE.COLUMN=v1,v2,...                    every row of the table
    TABLE[COL=a,COL2=b|c].COLUMN=v1,v2,...    only the rows where COL = a and COL2 is b or c
    TABLE[...].COLUMN=*0.9,*1.1               scale: each matching row's own value × factor
    LABEL:TABLE[...].COLUMN=...               LABEL names it in folder names and sweep.csv

e.g. ``tariffs[from=CN,to=US].rate=0,0.25,0.6``,
``regimes[country=US,family=mine,regime=streamlined].permitting_years=1,2,3`` or
``demand.quantity=*0.9,*1.1``. A value ``v`` becomes the override
``{"table": TABLE, "where": {COL: a, ...}, "set": {COLUMN: v}}`` (the semantics of a case
file's ``[[override]]``); a scale ``*f`` becomes one override per matching row, keyed on the
table's key columns, setting ``value × f`` (rows whose cell is empty keep it empty). Scales apply
to the values of the case as loaded, before any other variation. Values are parsed as data
against the column's schema (numbers, text, true/false), never evaluated; an empty filter value
(``start_year=``) matches what an empty cell means (the column's default, or empty cells).
Commas separate values, so a text value cannot hold one.

A **scenario** is one combination: the product of all variations, the first varying slowest.
Its name, also its folder under the sweep's output folder, joins ``label=value`` with ``__``
(e.g. ``rate=0.25__permitting_years=3``; characters other than letters, digits and ``._+-=``
become ``-``, a scale ``*0.9`` is written ``x0.9``). A label is the column name, or
``table.column`` where two variations vary same-named columns.
"""

from __future__ import annotations

import hashlib
import itertools
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from northam_plan.case import Case
from northam_plan.case.schema import TABLES, Column
from northam_plan.case.tables import CellError, convert_cell

_VARY = re.compile(r"^(?:(?P<label>[^:\[\]=.]+):)?(?P<table>[A-Za-z_]\w*)"
                   r"(?:\[(?P<where>[^\]]*)\])?\.(?P<column>[A-Za-z_]\w*)=(?P<values>.*)$",
                   re.DOTALL)
_LABEL = re.compile(r"^[A-Za-z0-9_.+-]+$")
_UNSAFE = re.compile(r"[^A-Za-z0-9._+=-]")
MAX_NAME = 150  # longer scenario names are cut and given a hash, to stay a valid folder name


class SweepError(ValueError):
    """The variations cannot be used; ``problems`` names each --vary argument at fault."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


@dataclass(frozen=True)
class Choice:
    """One value of a variation: its text (as in sweep.csv) and the overrides it makes."""

    text: str
    overrides: tuple[dict, ...]


@dataclass(frozen=True)
class Variation:
    """One ``--vary`` argument, parsed and checked against the case."""

    argument: str
    label: str
    table: str
    column: str
    where: dict[str, list[str]]
    choices: tuple[Choice, ...]


@dataclass(frozen=True)
class Scenario:
    """One combination of choices: folder name, value per label, overrides in order."""

    name: str
    values: dict[str, str]
    overrides: tuple[dict, ...]


# --- parsing ------------------------------------------------------------------------------

def parse_variations(arguments: Sequence[str], case: Case) -> list[Variation]:
    """Parse and check every ``--vary`` argument against ``case``; raise :class:`SweepError`
    listing every problem (unknown table or column, unparsable value, a filter that matches no
    row) before anything is solved."""
    problems: list[str] = []
    parsed = []
    for argument in arguments:
        try:
            parsed.append(_parse_one(argument, case))
        except SweepError as err:
            problems += err.problems
    if not arguments:
        problems.append("give at least one --vary TABLE.COLUMN=v1,v2,...")
    if problems:
        raise SweepError(problems)
    return _label(parsed)


def _parse_one(argument: str, case: Case) -> Variation:
    where_ = f"--vary '{argument}'"
    match = _VARY.match(argument.strip())
    if not match:
        raise SweepError([f"{where_}: expected [LABEL:]TABLE.COLUMN=v1,v2,... or "
                          "TABLE[COL=a,COL2=b|c].COLUMN=v1,v2,... (a scale: =*0.9,*1.1)"])
    table_name, column_name = match["table"], match["column"]
    schema = TABLES.get(table_name)
    if schema is None:
        raise SweepError([f"{where_}: unknown table '{table_name}'; tables are "
                          f"{', '.join(TABLES)}"])
    problems: list[str] = []
    names = [c.name for c in schema.columns]

    def column_of(name: str, part: str) -> Column | None:
        if name in names and name != "source":
            return schema.column(name)
        problems.append(f"{where_}: {part}unknown column '{name}' of {table_name}; its "
                        f"columns are {', '.join(n for n in names if n != 'source')}")
        return None

    column = column_of(column_name, "")
    frame = case.tables[table_name]
    mask = pd.Series(True, index=frame.index)
    where: dict[str, list[str]] = {}
    for item in filter(None, (s.strip() for s in (match["where"] or "").split(","))):
        name, equals, wanted = (s.strip() for s in item.partition("="))
        filter_column = column_of(name, "filter: ") if equals else None
        if not equals:
            problems.append(f"{where_}: filter '{item}' is not COLUMN=value (or value|value)")
        if filter_column is None:
            continue
        texts = [s.strip() for s in wanted.split("|")]
        try:  # as apply_overrides matches: an empty text is the column's default
            values = [convert_cell(filter_column, t) for t in texts]
        except CellError as err:
            problems.append(f"{where_}: filter {name}: {err}")
            continue
        hits = frame[name].isin([v for v in values if v is not None])
        mask &= hits | frame[name].isna() if None in values else hits
        where[name] = texts
    label = (match["label"] or "").strip()
    if match["label"] is not None and not _LABEL.match(label):
        problems.append(f"{where_}: label '{label}' may only hold letters, digits and ._+-")
    if column is None or problems:
        raise SweepError(problems)
    if frame.empty:
        raise SweepError([f"{where_}: {table_name}.csv in {case.tables_dir} has no rows to "
                          "vary (add them in the case file with [[add]])"])
    if not mask.any():
        shown = ", ".join(f"{k}={'|'.join(v)}" for k, v in where.items()) or "(all rows)"
        known = "; ".join(f"{k} is one of {_some(frame[k])}" for k in where)
        raise SweepError([f"{where_}: [{shown}] matches no row of {table_name}.csv in "
                          f"{case.tables_dir}" + (f" ({known})" if known else "")])
    choices: list[Choice] = []
    seen: dict[str, str] = {}  # a choice's text → the value given for it
    for text in (s.strip() for s in match["values"].split(",")):
        try:
            choice = _choice(text, column, schema, frame[mask], where, table_name)
        except CellError as err:
            problems.append(f"{where_}: value '{text}': {err}")
            continue
        if choice.text in seen:
            problems.append(f"{where_}: value '{text}' is the same as '{seen[choice.text]}'")
        seen.setdefault(choice.text, text)
        choices.append(choice)
    if problems:
        raise SweepError(problems)
    return Variation(argument, label, table_name, column_name, where, tuple(choices))


def _choice(text: str, column: Column, schema, rows: pd.DataFrame, where: dict,
            table: str) -> Choice:
    """The overrides of one value ``text`` (a value, or ``*factor``) for the matching rows."""
    if not text:
        raise CellError("empty value (two commas, or a comma at the end?)")
    if not text.startswith("*"):
        value = convert_cell(column, text)
        plain_where = {k: (v[0] if len(v) == 1 else v) for k, v in where.items()}
        return Choice(_show(value), ({"table": table, "where": plain_where,
                                      "set": {column.name: value}},))
    if column.kind not in ("float", "int"):
        raise CellError(f"a scale *factor needs a numeric column; {column.name} is text")
    if column.name in schema.key:
        raise CellError(f"{column.name} is a key column of {table}; it cannot be scaled")
    try:
        factor = float(text[1:].strip())
    except ValueError:
        raise CellError(f"expected *factor with a number, e.g. *0.9, got '{text}'") from None
    if not math.isfinite(factor):
        raise CellError(f"expected a finite factor, got '{text}'")
    overrides = []
    for _, row in rows.iterrows():
        if pd.isna(row[column.name]):
            continue  # an empty cell (the column's default) stays empty
        scaled = float(row[column.name]) * factor
        if column.kind == "int" and abs(scaled - round(scaled)) < 1e-9:
            scaled = round(scaled)
        overrides.append({"table": table, "where": {k: _plain(row[k]) for k in schema.key},
                          "set": {column.name: convert_cell(column, scaled)}})
    return Choice(f"*{_show(factor)}", tuple(overrides))


def _some(column: pd.Series, limit: int = 12) -> str:
    """The distinct values of a column, for a message: 'CA, CN, MX' (or 'no rows')."""
    values = sorted({_show(_plain(v)) or "(empty)" for v in column})
    if not values:
        return "nothing (the table has no rows)"
    return ", ".join(values[:limit]) + (f", … ({len(values)} values)" if len(values) > limit
                                        else "")


def _plain(value):
    """A table cell as a TOML-like scalar for a ``where``: '' for an empty cell."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return value.item() if hasattr(value, "item") else value


def _show(value) -> str:
    """Canonical text of a value: 15 significant digits for numbers (what one types)."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, (int, float)):
        return format(value, ".15g")
    return str(value)


def _label(variations: list[Variation]) -> list[Variation]:
    """Default labels: the column name, or table.column where column names repeat."""
    out = []
    columns = [v.column for v in variations if not v.label]
    for v in variations:
        label = v.label or (v.column if columns.count(v.column) == 1 else f"{v.table}.{v.column}")
        out.append(Variation(v.argument, label, v.table, v.column, v.where, v.choices))
    labels = [v.label for v in out]
    repeated = sorted({x for x in labels if labels.count(x) > 1})
    if repeated:
        raise SweepError([f"two variations are both labelled '{x}'; name them, e.g. "
                          f"--vary cn_rate:tariffs[from=CN].rate=0,0.25" for x in repeated])
    return out


def scenarios(variations: Sequence[Variation]) -> list[Scenario]:
    """The cartesian product of the variations' choices, the first variation varying slowest."""
    out, names = [], set()
    for combo in itertools.product(*(v.choices for v in variations)):
        values = {v.label: c.text for v, c in zip(variations, combo)}
        name = "__".join(f"{k}={t.replace('*', 'x')}" for k, t in values.items())
        name = _UNSAFE.sub("-", name)
        if len(name) > MAX_NAME:
            name = f"{name[:MAX_NAME - 9]}-{hashlib.sha1(name.encode()).hexdigest()[:8]}"
        if name in names:
            raise SweepError([f"two scenarios would share the folder '{name}'; text values "
                              "that differ only in spaces or punctuation cannot be told apart"])
        names.add(name)
        out.append(Scenario(name, values, tuple(o for c in combo for o in c.overrides)))
    return out
