"""Energy tables of a plan (timesliced commodities such as electricity, and emissions).

* ``generation`` — region, country, process, year, slice, output (unit/yr of the year's total,
  e.g. TWh), and ``charge`` for storage;
* ``interties`` — from, to, commodity, year, slice, quantity shipped;
* ``energy_prices`` — region, commodity, year, slice, price: the dual of the slice's balance
  divided by the discount weight. The balance counts the energy delivered in the slice over
  the year (TWh), so its dual is already M$ per unit delivered in that slice (M$/TWh =
  $/MWh) — not to be divided by the slice's share of the hours;
* ``emissions`` — region, country, commodity, year, quantity emitted (unit/yr, e.g. Mt CO2).

Each carries a ``unit`` column (the commodity's); :func:`energy_arrays` puts them into
plan.nc as ``generation``, ``charge``, ``intertie``, ``energy_price`` and ``emissions``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from northam_plan.model.components.activity import process_ratios
from northam_plan.plan.labelled import labelled
from northam_plan.plan.units import ZERO_TOLERANCE

TINY = ZERO_TOLERANCE  # the one tolerance of every table (plan/units.py)


def _values(component) -> list[tuple]:
    return [(*key, var.value or 0.0) for key, var in component.items()]


#: the tables :func:`energy_tables` makes (those a case without electricity has are empty)
ENERGY_TABLES = ("generation", "interties", "energy_prices", "emissions")


def energy_tables(m, case, activity: pd.DataFrame, probability: float = 1.0
                  ) -> dict[str, pd.DataFrame]:
    """:data:`ENERGY_TABLES` of the model or scenario block ``m`` (the module docstring)."""
    country_of = case.countries_of_regions
    tables = {}
    if hasattr(m, "act_slice") and len(m.act_slice):
        generation = pd.DataFrame(_values(m.act_slice), columns=[
            "region", "process", "year", "slice", "output"])
        if hasattr(m, "charge_slice") and len(m.charge_slice):
            charge = pd.DataFrame(_values(m.charge_slice), columns=[
                "region", "process", "year", "slice", "charge"])
            generation = generation.merge(charge, how="left",
                                          on=["region", "process", "year", "slice"])
        else:
            generation["charge"] = 0.0
        generation["charge"] = generation["charge"].fillna(0.0)
        generation.insert(1, "country", generation["region"].map(country_of))
        tables["generation"] = generation[(generation["output"] > TINY)
                                          | (generation["charge"] > TINY)]
    if hasattr(m, "flow_slice") and len(m.flow_slice):
        flows = pd.DataFrame(_values(m.flow_slice), columns=[
            "from", "to", "commodity", "year", "slice", "quantity"])
        tables["interties"] = flows[flows["quantity"] > TINY].reset_index(drop=True)
    if hasattr(m, "energy_balance") and len(m.energy_balance):
        top = m.model()
        duals = top.dual if hasattr(top, "dual") else {}
        discount = case.discount_weights
        rows = [(r, e, t, s, duals.get(con, np.nan) / (probability * discount[t]))
                for (r, e, t, s), con in m.energy_balance.items()]
        tables["energy_prices"] = pd.DataFrame(rows, columns=[
            "region", "commodity", "year", "slice", "price"])
    tables["emissions"] = _emissions(case, activity)
    return tables


def _emissions(case, activity: pd.DataFrame) -> pd.DataFrame:
    commodities = case.tables["commodities"]
    gases = set(commodities.loc[commodities["kind"] == "emission", "commodity"])
    columns = ["region", "country", "commodity", "year", "quantity"]
    if not gases or activity.empty:
        return pd.DataFrame(columns=columns)
    rates = pd.DataFrame([(p, c, x) for p, items in process_ratios(case).items()
                          for c, x in items if c in gases and x > 0],
                         columns=["process", "commodity", "rate"])
    emitted = activity.merge(rates, on="process")
    emitted["quantity"] = emitted["activity"] * emitted["rate"]
    return emitted.groupby(["region", "country", "commodity", "year"], as_index=False)[
        ["quantity"]].sum()[columns]


#: energy table → (array name in plan.nc, key columns, value column, unit of the value)
ENERGY_ARRAYS = (
    ("generation", "generation", ["region", "process", "year", "slice"], "output",
     "unit/yr of the output (e.g. TWh), per slice"),
    ("generation", "charge", ["region", "process", "year", "slice"], "charge",
     "unit/yr taken in by storage, per slice"),
    ("interties", "intertie", ["from", "to", "commodity", "year", "slice"], "quantity",
     "unit/yr shipped, per slice"),
    ("energy_prices", "energy_price", ["region", "commodity", "year", "slice"], "price",
     "M$/unit delivered in the slice (undiscounted)"),
    ("emissions", "emissions", ["region", "commodity", "year"], "quantity", "unit/yr"),
)


def energy_arrays(tables: dict[str, pd.DataFrame]) -> dict:
    """The energy results as labelled arrays for plan.nc (NaN where a table has no row)."""
    out = {}
    for table, name, keys, column, unit in ENERGY_ARRAYS:
        frame = tables.get(table)
        if frame is None or frame.empty:
            continue
        out[name] = labelled(frame.set_index(keys)[column].astype(float))
        out[name].attrs["unit"] = unit
    return out
