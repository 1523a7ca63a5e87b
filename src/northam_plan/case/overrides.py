"""Apply ``[[override]]`` blocks: change the matching rows of a table, never add or drop rows."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
from pydantic import ValidationError

from northam_plan.case.casefile import (
    Add,
    Options,
    Override,
    SourcedAdd,
    SourcedOverride,
    pydantic_problems,
)
from northam_plan.case.schema import TABLES
from northam_plan.case.schema_base import Cell
from northam_plan.case.tables import LINE, SET_BY, CellError, check_duplicate_keys, convert_cell
from northam_plan.case.units import with_unit
from northam_plan.errors import ProblemList, closest, did_you_mean

#: the "file" that overrides given from Python are reported against
PYTHON = Path("<Case.with_overrides>")


def apply_additions(tables: dict[str, pd.DataFrame], folder, additions: tuple[SourcedAdd, ...],
                    problems: ProblemList) -> dict[str, pd.DataFrame]:
    """Return copies of ``tables`` with the rows of every ``[[add]]`` block appended."""
    tables = dict(tables)
    for item in additions:
        add, file = item.add, item.file
        label = f"[[add]] #{item.position} (table = \"{add.table}\")"
        schema = _table(add.table, file, label, problems)
        if schema is None:
            continue
        rows = []
        for number, raw in enumerate(add.rows, start=1):
            row, ok = {LINE: 0, SET_BY: f"{file.name} {label} row {number}"}, True
            meant = set()  # columns a mistyped name was probably meant to be
            for name in raw:
                if name not in {c.name for c in schema.columns}:
                    meant.add(closest(name, schema_names(schema)))
                    problems.add(file, f"{label}: row {number}: unknown column '{name}'"
                                       f"{did_you_mean(name, schema_names(schema))}; the "
                                       f"columns of {schema.name} are "
                                       f"{', '.join(c.name for c in schema.columns)}",
                                 column=f"rows.{name}")
                    ok = False
            for column in schema.columns:
                if column.name in meant and column.name not in raw:
                    continue  # already said: the row names it with a typo
                try:
                    row[column.name] = convert_cell(column, raw.get(column.name))
                except CellError as err:
                    problems.add(file, f"{label}: row {number}: {err}",
                                 column=f"rows.{column.name}")
                    ok = False
            if ok:
                rows.append(row)
        if rows:
            frame = tables[add.table]
            added = pd.DataFrame(rows).astype({c: t for c, t in frame.dtypes.items()})
            tables[add.table] = pd.concat([frame, added], ignore_index=True)
            check_duplicate_keys(folder / schema.file, schema, tables[add.table], problems)
    return tables


def apply_overrides(tables: dict[str, pd.DataFrame], folder, overrides: tuple[SourcedOverride, ...],
                    problems: ProblemList) -> dict[str, pd.DataFrame]:
    """Return copies of ``tables`` with every override applied in order (base case first).

    An override whose ``where`` matches no row is an error: it almost always means a typo,
    and silently doing nothing would make a scenario equal to its base.
    """
    tables = dict(tables)
    touched = set()  # tables copied (once) and changed here
    for item in overrides:
        override, file = item.override, item.file
        label = f"[[override]] #{item.position} (table = \"{override.table}\")"
        schema = _table(override.table, file, label, problems)
        if schema is None:
            continue
        frame = tables[override.table]
        mask = np.ones(len(frame), dtype=bool)
        ok = True
        for name, wanted in override.where.items():
            column = _column(schema, name, file, label, "where", problems)
            if column is None:
                ok = False
                continue
            values = wanted if isinstance(wanted, list) else [wanted]
            try:
                converted = [convert_cell(column, v) for v in values]
            except CellError as err:
                problems.add(file, f"{label}: where.{name}: {err}", column=f"where.{name}")
                ok = False
                continue
            matches = frame[name].isin([v for v in converted if v is not None]).to_numpy()
            if None in converted:  # an empty value matches empty cells
                matches |= frame[name].isna().to_numpy()
            mask &= matches
        updates: dict[str, Cell] = {}
        for name, value in override.set.items():
            column = _column(schema, name, file, label, "set", problems)
            if column is None:
                ok = False
                continue
            try:
                updates[name] = convert_cell(column, value, _unit(tables, frame, mask, column))
            except CellError as err:
                problems.add(file, f"{label}: set.{name}: {err}", column=f"set.{name}")
                ok = False
        if not ok:
            continue
        if not mask.any():
            shown = ", ".join(f"{k} = {v!r}" for k, v in override.where.items()) or "(all rows)"
            problems.add(file, f"{label}: where {{{shown}}} matches no row of "
                               f"{schema.file} in {folder}{_closest_value(frame, override)}",
                         column="where")
            continue
        if override.table not in touched:  # the caller's frame stays as it was
            frame = tables[override.table] = frame.copy()
            touched.add(override.table)
        for name, new in updates.items():
            frame.loc[mask, name] = new
        frame.loc[mask, SET_BY] = f"{file.name} {label}"
    for name in touched:
        check_duplicate_keys(folder / TABLES[name].file, TABLES[name], tables[name], problems)
    return tables


def _unit(tables, frame: pd.DataFrame, mask, column) -> str | None:
    """The column's unit with 'unit' said as the commodity's unit (``kt Li/yr``) when the
    rows an override changes are all of commodities in one unit; else None (as declared)."""
    if "commodity" not in frame or "unit" not in column.unit:
        return None
    units = dict(zip(tables["commodities"]["commodity"], tables["commodities"]["unit"]))
    found = {units.get(c) for c in frame["commodity"].to_numpy()[mask]}
    return with_unit(column.unit, found.pop()) if len(found) == 1 and None not in found \
        else None


def _closest_value(frame: pd.DataFrame, override: Override) -> str:
    """'; no row has process = 'mien' (did you mean 'mine'?)' for the first value of
    ``where`` that no row has, or '' when each value alone matches some row."""
    for name, wanted in override.where.items():
        present = {str(v) for v in frame[name].dropna()}
        for value in wanted if isinstance(wanted, list) else [wanted]:
            if str(value) not in present and str(value) != "":
                return f"; no row has {name} = {value!r}{did_you_mean(value, present)}"
    return ""


def schema_names(schema) -> list[str]:
    return [c.name for c in schema.columns]


def _table(name, file, label, problems):
    """The schema of table ``name``, or None after reporting that there is no such table."""
    schema = TABLES.get(name)
    if schema is None:
        problems.add(file, f"{label}: unknown table{did_you_mean(name, TABLES)}; tables are "
                           f"{', '.join(TABLES)}",
                     column="table")
    return schema


def _column(schema, name, file, label, part, problems):
    try:
        return schema.column(name)
    except KeyError:
        problems.add(file, f"{label}: {part}.{name}: unknown column"
                           f"{did_you_mean(name, schema_names(schema))}; the columns of "
                           f"{schema.name} are {', '.join(c.name for c in schema.columns)}",
                     column=f"{part}.{name}")
        return None


def changed_case(case, overrides, additions, name=None, options=None):
    """:meth:`Case.with_overrides`: the blocks given as dicts, applied and checked as
    :func:`~northam_plan.load_case` applies and checks a case file's."""
    from northam_plan.case.checks import check_case
    from northam_plan.case.leadtimes import rounding_warnings

    problems = ProblemList()
    parsed_adds: list[SourcedAdd] = []
    parsed_overrides: list[SourcedOverride] = []
    for kind, items in (("add", additions), ("override", overrides)):
        for position, item in enumerate(items, start=1):
            try:
                block = (Add if kind == "add" else Override).model_validate(dict(item))
            except (ValidationError, TypeError, ValueError) as err:
                if isinstance(err, ValidationError):
                    problems.items += pydantic_problems(
                        PYTHON, err, f"{kind} #{position}: ",
                        model=Add if kind == "add" else Override)
                else:
                    problems.add(PYTHON, f"{kind} #{position}: expected a dict, got {item!r}")
                continue
            if isinstance(block, Add):  # (sibling classes: an Add exactly when kind is "add")
                parsed_adds.append(SourcedAdd(block, PYTHON, position))
            else:
                parsed_overrides.append(SourcedOverride(block, PYTHON, position))
    new_options = case.options
    if options:
        try:
            new_options = Options.model_validate({**case.options.model_dump(), **options})
        except ValidationError as err:
            problems.items += pydantic_problems(PYTHON, err, "options.", model=Options)
    problems.raise_if_any()
    tables = apply_additions(dict(case.tables), case.tables_dir, tuple(parsed_adds), problems)
    tables = apply_overrides(tables, case.tables_dir, tuple(parsed_overrides), problems)
    problems.raise_if_any()
    warnings = check_case(tables, case.tables_dir, case.years_spec, problems)
    problems.raise_if_any()
    recorded = tuple({"file": str(PYTHON), **o.override.model_dump()}
                     for o in parsed_overrides) + tuple(
        {"file": str(PYTHON), "add": a.add.model_dump()} for a in parsed_adds)
    new = type(case)(name=name or case.name, description=case.description, path=case.path,
                     chain=case.chain, tables_dir=case.tables_dir, years_spec=case.years_spec,
                     options=new_options, tables=tables, warnings=tuple(warnings),
                     resolved_overrides=(*case.resolved_overrides, *recorded))
    return replace(new, warnings=(*new.warnings, *rounding_warnings(new)))
