"""Where a constraint or variable of the model comes from in the case's tables.

Messages about the model — an infeasible subset (:mod:`northam_plan.solve.explain`), an extreme
coefficient (:mod:`northam_plan.solve.numerics`) — name the CSV rows behind it
("regional_shares.csv, line 2") or the case-file override that last changed them, so that a planner
knows what to edit.
"""

from __future__ import annotations

import pandas as pd

from northam_plan.case import Case
from northam_plan.case.tables import LINE, SET_BY

#: component name → (table, table columns matched by the index positions (None: skip that
#: position), does the table's row span years (start_year/end_year)?)
SOURCES = {
    # constraints
    "regional_share_min": ("regional_shares", ("bloc", "commodity"), True),
    "supplier_share_max": ("supplier_caps", ("bloc", "commodity", None), True),
    "export_max": ("disruptions", ("exporter", "commodity"), True),
    "content_share_min": ("content_rules", ("destination", "commodity", "origin", "basis"), True),
    "emission_max": ("emission_caps", ("scope", "commodity"), True),
    "reserve_margin_min": ("reserve_margins", ("region", "commodity"), True),
    "stock_cover_min": ("stockpiles", ("region", "commodity"), False),
    "extraction_max": ("reserves", ("region", "commodity"), False),
    "permit_throughput_max": ("throughput", ("country", "regime"), True),
    "project_max": ("projects", ("project",), False),
    "project_commit_min": ("projects", ("project",), False),
    "flow_max": ("links", ("from", "to", "commodity"), False),
    "intertie_max": ("links", ("from", "to", "commodity"), False),
    "build_max": ("processes", (None, "process"), False),
    "growth_max": ("growth_limits", ("country", "family"), False),
    "activity_max": ("existing_capacity", ("region", "process"), False),
    "commodity_balance": ("demand", ("region", "commodity"), False),
    "delivery_balance": ("demand", ("region", "commodity"), False),
    "energy_balance": ("demand", ("region", "commodity"), False),
    # variables
    "unserved": ("demand", ("region", "commodity"), False),
    "unserved_slice": ("demand", ("region", "commodity"), False),
    "act": ("processes", (None, "process"), False),
    "act_slice": ("processes", (None, "process"), False),
    "project_build": ("projects", ("project",), False),
    "permit": ("processes", (None, "process"), False),
    "flow": ("links", ("from", "to", "commodity"), False),
    "flow_slice": ("links", ("from", "to", "commodity"), False),
    "stock": ("stockpiles", ("region", "commodity"), False),
    "stock_fill": ("stockpiles", ("region", "commodity"), False),
    "stock_draw": ("stockpiles", ("region", "commodity"), False),
}
#: balance rows whose coefficient on a process's activity is that process's ratio
_BALANCES = ("commodity_balance", "energy_balance")
_ACTIVITIES = ("act", "act_slice")


def index_of(component_data) -> tuple:
    index = component_data.index()
    return index if isinstance(index, tuple) else (index,)


def data_rows(case: Case, family: str, index: tuple, limit: int = 5) -> list[str]:
    """The table rows a constraint or variable was made from: 'path, line N' (or the
    override that set them), at most ``limit``."""
    if family not in SOURCES:
        return []
    table, columns, spans = SOURCES[family]
    return _rows(case, table, {c: v for c, v in zip(columns, index) if c is not None},
                 index[-1] if spans and len(index) > len(columns) else None, limit)


def coefficient_rows(case: Case, con, var, limit: int = 5) -> list[str]:
    """The table rows behind the coefficient of ``var`` in ``con``: a process's input/output
    ratio (process_io.csv) in a balance row, else the rows behind either of them."""
    family, var_family = con.parent_component().local_name, var.parent_component().local_name
    row, column = index_of(con), index_of(var)
    if family in _BALANCES and var_family in _ACTIVITIES:
        found = _rows(case, "process_io", {"process": column[1], "commodity": row[1]}, None,
                      limit)
        if found:
            return found
    return (data_rows(case, family, row, limit) or data_rows(case, var_family, column, limit))


def _rows(case: Case, table: str, match: dict, year: int | None, limit: int) -> list[str]:
    frame = case.tables[table]
    mask = pd.Series(True, index=frame.index)
    for column, value in match.items():
        mask &= frame[column] == value
    if year is not None:
        start = frame["start_year"].fillna(case.years[0]).astype(int)
        end = frame["end_year"].fillna(case.years[-1]).astype(int)
        mask &= (start <= year) & (year <= end)
    rows = []
    for line, set_by in zip(frame.loc[mask, LINE], frame.loc[mask, SET_BY]):
        rows.append(set_by if set_by else f"{case.tables_dir / f'{table}.csv'}, line {int(line)}")
    return rows[:limit]
