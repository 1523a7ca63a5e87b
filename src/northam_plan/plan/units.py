"""Units and solver noise in the tables of a plan.

**Zero tolerance.** HiGHS solves to absolute tolerances of about 1e-7, so a plan carries values
such as a 0.00035 kt/yr build or a 2e-8 flow that are noise, not decisions. Every number whose
magnitude is below :data:`ZERO_TOLERANCE` *in its table's unit* (1e-6 kt/yr = 1 kg/yr,
1e-6 TWh = 1 MWh, 1e-6 M$ = 1 $, a share of 1e-6) is written as 0 — in the tables, in the
arrays of ``plan.nc``, and wherever the report and the comparison decide that a number or a
difference is zero. One constant, used everywhere.

Tables that list flows (:data:`FLOW_TABLES`: what is built, permitted, shipped, bought, sold,
generated, delivered, paid) drop the rows whose quantities are all 0 after that; the other
tables (activity, prices, balances, security) keep one row per key, zeros included.

**Units.** Tables whose rows mix commodities or processes carry a ``unit`` column (see
:func:`add_units`): the commodity's unit (quantities per year in it, prices in M$ per it), or for
capacity the unit of capacity (``kt Li/yr``; ``GW`` for power plants whose capacity is counted in
GW with 8.76 TWh per GW-year). Money is always M$ and shares are fractions.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: values of smaller magnitude than this, in the table's unit, are solver noise: written as 0
ZERO_TOLERANCE = 1e-6

#: tables that list flows → the columns whose all being 0 makes a row nothing to list
FLOW_TABLES = {
    "investments": ["capacity"], "permits": ["capacity"], "projects": ["capacity"],
    "flows": ["quantity"], "purchases": ["quantity"], "sales": ["quantity"],
    "generation": ["output", "charge"], "interties": ["quantity"],
    "passport": ["quantity"], "tariff_revenue": ["quantity", "revenue"],
}


def zero_noise(values):
    """``values`` (a Series, DataFrame, array or number) with magnitudes below the tolerance
    set to 0 (NaN stays NaN)."""
    if isinstance(values, pd.Series):
        return values.mask(values.abs() < ZERO_TOLERANCE, 0.0)
    if isinstance(values, pd.DataFrame):
        return values.mask(values.abs() < ZERO_TOLERANCE, 0.0)
    return np.where(np.abs(values) < ZERO_TOLERANCE, 0.0, values)


def clean_table(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """The table with noise written as 0 in its float columns; a flow table without the rows
    that are then all 0."""
    frame = frame.copy(deep=False)  # (copy on write: the columns set below are new arrays)
    floats = [c for c in frame.columns if pd.api.types.is_float_dtype(frame[c])]
    for column in floats:
        values = frame[column].to_numpy(dtype=float)
        noise = np.abs(values) < ZERO_TOLERANCE
        if noise.any():
            frame[column] = np.where(noise, 0.0, values)
    quantities = [c for c in FLOW_TABLES.get(name, ()) if c in frame.columns]
    if quantities and len(frame):
        keep = np.zeros(len(frame), dtype=bool)
        for column in quantities:
            values = pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=float)
            keep |= ~np.isnan(values) & (values != 0)
        frame = frame[keep].reset_index(drop=True)
    return frame


def commodity_units(case) -> dict[str, str]:
    commodities = case.tables["commodities"]
    return dict(zip(commodities["commodity"], commodities["unit"].astype(str)))


def capacity_units(case) -> dict[str, str]:
    """Per process, the unit of its capacity: its main output's unit per year, or, for a
    process with ``activity_per_capacity`` (e.g. 8.76 TWh per GW-year), GW (or MW) where the
    output is in TWh (GWh) and 8.76 of it make one unit, else "<n> <unit>/yr"."""
    units = commodity_units(case)
    processes = case.tables["processes"]
    per = processes["activity_per_capacity"] if "activity_per_capacity" in processes else \
        pd.Series(np.nan, index=processes.index)
    return {p: capacity_unit(units.get(c, "unit"), n)
            for p, c, n in zip(processes["process"], processes["main_output"], per)}


def capacity_unit(unit: str, per_capacity: float | None) -> str:
    """The unit of a capacity whose main output is in ``unit`` and one unit of which makes
    ``per_capacity`` of it a year (see :func:`capacity_units`)."""
    if per_capacity is None or pd.isna(per_capacity) or per_capacity == 1:
        return f"{unit}/yr"
    if abs(per_capacity - 8.76) < 1e-9 and unit in ("TWh", "GWh"):
        return {"TWh": "GW", "GWh": "MW"}[unit]
    return f"{per_capacity:g} {unit}/yr"


def _insert_after(frame: pd.DataFrame, after: str, name: str, values) -> pd.DataFrame:
    frame = frame.copy(deep=False)  # (copy on write: inserting leaves the caller's alone)
    position = list(frame.columns).index(after) + 1 if after in frame.columns else \
        len(frame.columns)
    frame.insert(position, name, pd.Series(np.asarray(values, dtype=object), index=frame.index,
                                           dtype=object) if len(frame) else
                 pd.Series(dtype=object))
    return frame


def _mapped(column: pd.Series, mapping: dict) -> list:
    """``column.map(mapping)`` (NaN where a value has no entry), as a list: a dict look-up per
    cell instead of pandas' indexer over the text column."""
    return [mapping.get(value, np.nan) for value in column.tolist()]


#: table → (column holding the commodity or process, column after which ``unit`` goes)
_BY_COMMODITY = {
    "flows": "quantity", "purchases": "quantity", "sales": "quantity", "prices": "price",
    "unserved": "unserved", "passport": "quantity", "tariff_revenue": "quantity",
    "security": "exports", "security_imports": "quantity", "emissions": "quantity",
    "interties": "quantity", "energy_prices": "price", "generation": "charge",
    "passport_summary": "cost", "guarantee": "exports_to_members",
    "offtakes": "quantity", "end_of_life": "collected", "recycled_supply": "quantity",
}
_BY_CAPACITY = {"investments": "capacity", "permits": "capacity", "projects": "capacity"}


def add_units(tables: dict[str, pd.DataFrame], case) -> dict[str, pd.DataFrame]:
    """The tables with their unit columns (a table already carrying ``unit`` is kept)."""
    units, capacity = commodity_units(case), capacity_units(case)
    output_unit = {p: units.get(c, "unit") for p, c in zip(
        case.tables["processes"]["process"], case.tables["processes"]["main_output"])}
    out = dict(tables)
    for name, frame in tables.items():
        if "unit" in frame.columns or not len(frame.columns):
            continue
        if name in _BY_CAPACITY:
            out[name] = _insert_after(frame, _BY_CAPACITY[name], "unit",
                                      _mapped(frame["process"], capacity))
        elif name == "generation":
            out[name] = _insert_after(frame, "charge", "unit",
                                      _mapped(frame["process"], output_unit))
        elif name == "activity":
            frame = _insert_after(frame, "capacity", "unit",
                                  _mapped(frame["process"], output_unit))
            out[name] = _insert_after(frame, "unit", "capacity_unit",
                                      _mapped(frame["process"], capacity))
        elif name == "security_costs":
            commodity = frame["where"].map(lambda w: str(w).split(" / ")[1]
                                           if " / " in str(w) else "")
            out[name] = _insert_after(frame, "cost", "unit", commodity.map(units))
        elif name in _BY_COMMODITY and "commodity" in frame.columns:
            out[name] = _insert_after(frame, _BY_COMMODITY[name], "unit",
                                      _mapped(frame["commodity"], units))
    return out
