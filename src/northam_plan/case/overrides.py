"""Apply ``[[override]]`` blocks: change the matching rows of a table, never add or drop rows."""

from __future__ import annotations

import pandas as pd

from northam_plan.case.casefile import SourcedOverride
from northam_plan.case.schema import TABLES
from northam_plan.case.tables import SET_BY, CellError, check_duplicate_keys, convert_cell
from northam_plan.errors import ProblemList


def apply_overrides(tables: dict[str, pd.DataFrame], folder, overrides: tuple[SourcedOverride, ...],
                    problems: ProblemList) -> dict[str, pd.DataFrame]:
    """Return copies of ``tables`` with every override applied in order (base case first).

    An override whose ``where`` matches no row is an error: it almost always means a typo,
    and silently doing nothing would make a scenario equal to its base.
    """
    tables = dict(tables)
    touched = set()
    for item in overrides:
        override, file = item.override, item.file
        label = f"[[override]] #{item.position} (table = \"{override.table}\")"
        schema = TABLES.get(override.table)
        if schema is None:
            problems.add(file, f"{label}: unknown table; tables are {', '.join(TABLES)}",
                         column="table")
            continue
        frame = tables[override.table].copy()
        mask = pd.Series(True, index=frame.index)
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
            matches = frame[name].isin([v for v in converted if v is not None])
            if None in converted:  # an empty value matches empty cells
                matches |= frame[name].isna()
            mask &= matches
        updates = {}
        for name, value in override.set.items():
            column = _column(schema, name, file, label, "set", problems)
            if column is None:
                ok = False
                continue
            try:
                updates[name] = convert_cell(column, value)
            except CellError as err:
                problems.add(file, f"{label}: set.{name}: {err}", column=f"set.{name}")
                ok = False
        if not ok:
            continue
        if not mask.any():
            shown = ", ".join(f"{k} = {v!r}" for k, v in override.where.items()) or "(all rows)"
            problems.add(file, f"{label}: where {{{shown}}} matches no row of "
                               f"{schema.file} in {folder}", column="where")
            continue
        for name, value in updates.items():
            frame.loc[mask, name] = value
        frame.loc[mask, SET_BY] = f"{file.name} {label}"
        tables[override.table] = frame
        touched.add(override.table)
    for name in touched:
        check_duplicate_keys(folder / TABLES[name].file, TABLES[name], tables[name], problems)
    return tables


def _column(schema, name, file, label, part, problems):
    try:
        return schema.column(name)
    except KeyError:
        problems.add(file, f"{label}: {part}.{name}: unknown column; the columns of "
                           f"{schema.name} are {', '.join(c.name for c in schema.columns)}",
                     column=f"{part}.{name}")
        return None
