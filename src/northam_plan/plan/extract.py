"""Extract the solved plan: labelled arrays (xarray) and the tables planners read.

Money is in M$ and quantities in each commodity's unit, as in the case (tables that mix
units say which in a ``unit`` column; values below ``ZERO_TOLERANCE`` are 0: see
:mod:`northam_plan.plan.units`). ``prices`` are the
duals of the commodity balances divided by the year's discount weight: the marginal cost, in
M$/unit of that year (undiscounted), of one more unit of the commodity in the region.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyomo.environ as pyo
import xarray as xr

from northam_plan.case import Case
from northam_plan.model import backends
from northam_plan.plan.circular import circular_tables
from northam_plan.plan.energy import ENERGY_TABLES, energy_arrays, energy_tables
from northam_plan.plan.frames import items_of
from northam_plan.plan.guarantee import guarantee_arrays, guarantee_tables
from northam_plan.plan.labelled import key_index, labelled
from northam_plan.plan.passport import (
    PASSPORT_TABLES,
    passport_arrays,
    passport_tables,
    tariff_tables,
)
from northam_plan.plan.permits import permit_tables
from northam_plan.plan.security import security_tables
from northam_plan.plan.table_arrays import table_arrays
from northam_plan.plan.units import ZERO_TOLERANCE, add_units, clean_table

TINY = ZERO_TOLERANCE  # the one tolerance of every table (kept under its old name)


@dataclass
class Plan:
    """The solved plan: ``dataset`` (named dimensions) and ``tables`` (tidy DataFrames).
    ``left_out``: the names of tables not made (``extract_plan(..., without=...)``)."""

    dataset: xr.Dataset
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    costs: dict[str, float] = field(default_factory=dict)
    left_out: frozenset[str] = frozenset()


#: groups of tables a caller may leave out (``extract_plan(..., without=...)``) → the tables
#: each can make (tests/test_energy.py and test_passport.py check that leaving one out removes
#: only those, and that the other tables stay the same)
OPTIONAL_TABLES = {"energy": ENERGY_TABLES, "passport": PASSPORT_TABLES}


def _series(component, dims: tuple[str, ...], values) -> pd.Series:
    return pd.Series(np.asarray(values, dtype=float),
                     index=key_index(list(component.keys()), tuple(dims)))


def variable_values(m, name: str) -> pd.Series:
    """Values of variable or expression ``name`` as a Series on its named dimensions."""
    component = getattr(m, name)
    dims = m.book.dims[name]
    values = np.asarray(backends.of(m).values(component), dtype=float)
    with np.errstate(invalid="ignore"):  # (NaN: 0, as below the tolerance)
        kept = np.abs(values) >= ZERO_TOLERANCE
    return _series(component, dims, np.where(kept, values, 0.0))


def dual_values(m, name: str) -> pd.Series:
    """Duals of constraint ``name`` (M$ per unit of its right-hand side, discounted)."""
    component = getattr(m, name)
    return _series(component, m.book.dims[name], backends.of(m).duals(component))


INVESTMENT_TABLES = ("investments", "permits", "projects", "throughput", "finance")


def extract_plan(m, case: Case, tables_in_dataset: bool = True,
                 arrays: Collection[str] | None = None, without: Collection[str] = ()) -> Plan:
    """Collect the plan of a solved model ``m`` built from ``case``.

    In a stochastic case, operational results carry a ``scenario`` dimension (a ``scenario``
    column in the tables); investments are one plan for all scenarios; ``costs`` are expected
    values (investment + Σ probability × operations). ``tables_in_dataset=False`` leaves out
    the tables' copies in the dataset (:func:`with_table_arrays` adds them: what ``plan.nc``
    holds), for a caller that reads only the tables. ``arrays``: the names of the labelled
    arrays to make (None: every one, as ``plan.nc`` holds them; a name this case's components
    do not declare, or a variable with no keys, is left out, as it is from the whole dataset);
    the tables are whole either way. ``without``: groups of :data:`OPTIONAL_TABLES` not to
    make (their names go to ``Plan.left_out``; with ``arrays=None`` their arrays are left out
    of the dataset too). The explorer makes only the arrays the brief reads
    (:data:`northam_plan.report.facts.DATASET_ARRAYS`) and leaves the energy and passport
    tables out: the brief does not read them (a read of a left-out table raises,
    ``SolvedPlan.table``).
    """
    unknown = set(without) - set(OPTIONAL_TABLES)
    if unknown:
        raise ValueError(f"without: no group of tables {sorted(unknown)}; the groups are "
                         f"{sorted(OPTIONAL_TABLES)}")
    plan = _extract_all(m, case, arrays, frozenset(without))  # tables clean already
    _add_custom(m, plan)
    plan.tables["custom_constraints"] = clean_table("custom_constraints",
                                                    plan.tables["custom_constraints"])
    plan.tables = add_units(plan.tables, case)
    plan.left_out = frozenset(name for group in without for name in OPTIONAL_TABLES[group])
    return with_table_arrays(plan) if tables_in_dataset else plan


def with_table_arrays(plan: Plan) -> Plan:
    """The plan with its tables' copies in the dataset (what ``plan.nc`` holds); ``plan``
    itself is not changed."""
    dataset = plan.dataset.copy()
    dataset.update(table_arrays(plan.tables))
    return Plan(dataset=dataset, tables=dict(plan.tables), costs=dict(plan.costs),
                left_out=plan.left_out)


def _extract_all(m, case: Case, arrays: Collection[str] | None = None,
                 without: frozenset[str] = frozenset()) -> Plan:
    names = getattr(m, "scenario_names", None)
    if not names:
        return _extract(m, m, case, 1.0, arrays, without)
    probability = dict(zip(case.tables["scenarios"]["scenario"],
                           case.tables["scenarios"]["probability"]))
    parts = {s: _extract(m, m.scenario[s], case, probability[s], arrays, without)
             for s in names}
    first = parts[names[0]]
    tables = {}
    for name, frame in first.tables.items():
        if name in INVESTMENT_TABLES:
            tables[name] = frame
        else:
            tables[name] = pd.concat([parts[s].tables[name].assign(scenario=s) for s in names],
                                     ignore_index=True)
    index = pd.Index(names, name="scenario")
    investment = m.book.outputs["investment"]  # one plan for every scenario
    dataset = xr.Dataset({name: first.dataset[name] for name in first.dataset.data_vars
                          if name in investment})
    for var in first.dataset.data_vars:
        if var not in investment:
            dataset[var] = xr.concat([parts[s].dataset[var] for s in names], dim=index,
                                     join="outer")
    dataset["probability"] = xr.DataArray([probability[s] for s in names], coords=[index])
    costs: dict[str, float] = {}
    for s in names:
        for category, value in parts[s].costs.items():
            costs[category] = costs.get(category, 0.0) + probability[s] * value
    return Plan(dataset=dataset, tables=tables, costs=costs)


def _extract(top, ops, case: Case, probability: float,
             arrays: Collection[str] | None = None,
             without: frozenset[str] = frozenset()) -> Plan:
    """The plan of one set of operations ``ops`` (the model, or a scenario's block); of the
    labelled arrays, only those named in ``arrays`` (None: all); no table of the groups
    ``without``."""
    country_of = case.countries_of_regions
    weights = pd.Series(case.year_weights, name="weight").rename_axis("year")
    discount = pd.Series(case.discount_weights, name="discount").rename_axis("year")
    outputs = {}
    for block, kind in ((top, "investment"), (ops, "operation")):  # what components declared
        for name in block.book.outputs[kind]:
            outputs[name] = variable_values(block, name)
    price = dual_values(ops, "commodity_balance")
    price = price / (probability * discount.reindex(
        price.index.get_level_values("year")).to_numpy())
    annual = variable_values(ops, "annual_cost")
    if ops is not top:
        # investment costs on the model, operations (and a scenario's share of link
        # expansion) on the block: the same category, country and year may appear in both
        annual = pd.concat([variable_values(top, "annual_cost"), annual]).groupby(
            level=["category", "country", "year"]).sum()

    tables = {
        **permit_tables(top, case),
        "activity": _activity(outputs["act"], outputs["cap"], country_of),
        "flows": _flows(ops, outputs.get("flow")),
        "purchases": _traded(ops, case, "purchase", outputs.get("purchase")),
        "sales": _traded(ops, case, "sale", outputs.get("sale")),
        "prices": price.rename("price").reset_index(),
        "unserved": _unserved(case, outputs.get("unserved"), ops),
        "costs": _costs(annual, weights, discount),
    }
    tables.update(security_tables(ops, case, tables, probability))
    tariffs = tariff_tables(ops, case, tables, probability)  # (completes flows and prices)
    if "passport" not in without:
        tables.update(passport_tables(ops, case, probability))
    tables.update(tariffs)  # (after the passport's tables, as plan.nc has always held them)
    if "energy" not in without:
        tables.update(energy_tables(ops, case, tables["activity"], probability))
    tables.update(guarantee_tables(top, ops, case, tables, probability))
    tables.update(circular_tables(case, outputs, tables["activity"]))
    tables = {name: clean_table(name, frame) for name, frame in tables.items()}
    totals = tables["costs"].groupby("category")[["undiscounted", "discounted"]].sum()
    costs = {k: float(v) for k, v in items_of(totals["discounted"])}
    units = {**top.book.units, **ops.book.units, "price": "M$/unit (undiscounted)"}
    if arrays is not None:  # only these, on the union of their coordinates
        named = {**outputs, "price": price, "annual_cost": annual}
        dataset = xr.Dataset({name: labelled(named[name]) for name in arrays
                              if name in named and not named[name].empty})
        return Plan(dataset=_with_units(dataset, units), tables=tables, costs=costs)
    dataset = xr.Dataset({name: labelled(series) for name, series in outputs.items()
                          if not series.empty})
    later = {"price": labelled(price), "annual_cost": labelled(annual)}
    for block in {id(top): top, id(ops): ops}.values():
        for constraint in block.book.outputs["limit"]:
            if len(getattr(block, constraint)):
                later[f"dual_{constraint}"] = labelled(dual_values(block, constraint))
    dataset.update(later)  # on the variables' coordinates (one alignment, not one each)
    dataset = _with_units(dataset, units)
    dataset.update({**passport_arrays(tables), **guarantee_arrays(tables)})
    # outer: the energy arrays' commodities (elec, co2) join the shared commodity index
    dataset = xr.merge([dataset, xr.Dataset(energy_arrays(tables))], join="outer",
                       combine_attrs="override")
    return Plan(dataset=dataset, tables=tables, costs=costs)


def _with_units(dataset: xr.Dataset, units: dict[str, str]) -> xr.Dataset:
    """Each array's ``unit`` attribute: the declared unit, or for a dual the limit's."""
    for var in dataset.data_vars:  # (names given as text; xarray's are any Hashable)
        name = str(var)
        dataset[var].attrs["unit"] = "M$ per unit of the limit (present value)" \
            if name.startswith("dual_") else units.get(name, "")
    return dataset


def custom_constraints(m) -> list[str]:
    """Names of the constraints on the model that no component made: those added by a
    researcher (``model.<name> = pyo.Constraint(...)`` or ``build_model(case, extra=[fn])``),
    plus any declared with :func:`northam_plan.declare`."""
    if "extra" not in backends.of(m).features:  # built from the components alone
        return []
    declared = list(getattr(m, "custom_names", []))
    found = [c.local_name for c in m.component_objects(pyo.Constraint, descend_into=False)
             if c.local_name not in m.book.dims]
    return [name for name in dict.fromkeys(declared + found)
            if isinstance(getattr(m, name, None), pyo.Constraint)]


def custom_constraint_table(m, name: str) -> pd.DataFrame:
    """One row per index of constraint ``name``: body, bound, slack (≥ 0 when it holds; 0
    when it binds) and dual (M$ per unit of the bound, present value; Pyomo's signs)."""
    component = getattr(m, name)
    duals = m.dual if hasattr(m, "dual") else {}
    rows = []
    for key, con in component.items():
        body = pyo.value(con.body, exception=False)
        lower, upper = pyo.value(con.lower), pyo.value(con.upper)
        lslack = np.inf if lower is None or body is None else body - lower
        uslack = np.inf if upper is None or body is None else upper - body
        bound = lower if lslack < uslack else upper
        slack = min(lslack, uslack)
        if body is None:
            slack = np.nan
        rows.append({"name": name, "index": key, "body": body, "lower": lower, "upper": upper,
                     "bound": bound, "slack": 0.0 if abs(slack) < ZERO_TOLERANCE else slack,
                     "dual": duals.get(con, np.nan)})
    return pd.DataFrame(rows, columns=["name", "index", "body", "lower", "upper", "bound",
                                       "slack", "dual"])


def _custom_dims(m, name: str, component) -> tuple[str, ...]:
    if name in m.book.dims:
        return tuple(m.book.dims[name])
    if not component.is_indexed():
        return ()
    first = next(iter(component.keys()), None)
    width = len(first) if isinstance(first, tuple) else 1
    return tuple(f"index_{i}" for i in range(width))


def _add_custom(m, plan: Plan) -> None:
    """``dual_<name>``, ``slack_<name>`` and the ``custom_constraints`` table."""
    frames = []
    for name in custom_constraints(m):
        component = getattr(m, name)
        table = custom_constraint_table(m, name)
        dims = _custom_dims(m, name, component)
        unit = m.book.units.get(name, "") or "M$ per unit of the bound (present value)"
        frames.append(table.assign(dual_unit=unit))  # constraints may differ in units
        for column in ("dual", "slack"):
            if not dims:
                array = xr.DataArray(float(table[column].iloc[0]) if len(table) else np.nan)
            elif not len(table):
                continue
            else:
                index = pd.MultiIndex.from_tuples(list(table["index"]), names=dims) \
                    if len(dims) > 1 else pd.Index(list(table["index"]), name=dims[0])
                array = xr.DataArray.from_series(pd.Series(
                    table[column].to_numpy(dtype=float), index=index))
            array.attrs["unit"] = unit if column == "dual" else \
                "unit of the constraint's body (≥ 0 when it holds, 0 when it binds)"
            plan.dataset[f"{column}_{name}"] = array
    plan.tables["custom_constraints"] = pd.concat(frames, ignore_index=True) if frames else \
        pd.DataFrame(columns=["name", "index", "body", "lower", "upper", "bound", "slack",
                              "dual", "dual_unit"])


def _activity(act: pd.Series, cap: pd.Series, country_of) -> pd.DataFrame:
    frame = pd.DataFrame({"activity": act, "capacity": cap.reindex(act.index)}).reset_index()
    frame.insert(1, "country", frame["region"].map(country_of))
    return frame


def _traded(m, case: Case, name: str, values: pd.Series | None) -> pd.DataFrame:
    """What was bought (``purchase``) or sold (``sale``) on the world market: quantity
    (unit/yr), price (M$/unit at the region), value (M$/yr: a cost for a purchase, revenue for
    a sale)."""
    value = "cost" if name == "purchase" else "revenue"
    columns = ["region", "country", "commodity", "tier", "year", "quantity", "price", value]
    if values is None or values.empty:
        return pd.DataFrame(columns=columns)
    frame = values[values > 0].rename("quantity").reset_index()
    terms = m.book.traded[name]  # (price, quantity) as the market component built them
    frame["price"] = [terms[key][0] for key in frame[
        ["region", "commodity", "tier", "year"]].itertuples(index=False, name=None)]
    frame[value] = frame["quantity"] * frame["price"]
    frame.insert(1, "country", frame["region"].map(case.countries_of_regions))
    return frame[columns]


def _flows(m, flow: pd.Series | None) -> pd.DataFrame:
    columns = ["from", "to", "commodity", "year", "quantity", "transport_cost", "tariff_cost"]
    if flow is None or flow.empty:
        return pd.DataFrame(columns=columns)
    frame = flow[flow > 0].rename("quantity").reset_index()
    transport, tariff = m.book.flow_unit_costs
    keys = list(frame[["from", "to", "commodity", "year"]].itertuples(index=False, name=None))
    frame["transport_cost"] = frame["quantity"] * np.array([transport.get(k, 0.0) for k in keys])
    frame["tariff_cost"] = frame["quantity"] * np.array([tariff.get(k, 0.0) for k in keys])
    return frame[columns]


def _unserved(case, unserved: pd.Series | None, ops) -> pd.DataFrame:
    """Demand and unserved demand per region, commodity and year (timesliced ones summed over
    their slices)."""
    demand = case.demand_by_year.groupby(["region", "commodity", "year"])["quantity"].sum()
    frame = pd.DataFrame({"demand": demand})
    short = unserved if unserved is not None else pd.Series(dtype=float)
    if hasattr(ops, "unserved_slice") and len(ops.unserved_slice):
        summed: dict[tuple, float] = {}
        for key, var in ops.unserved_slice.items():
            summed[key[:3]] = summed.get(key[:3], 0.0) + (var.value or 0.0)
        short = pd.concat([short, pd.Series(summed)])
    frame["unserved"] = short.reindex(frame.index).fillna(0.0)
    frame["share"] = np.where(frame["demand"] > 0, frame["unserved"] / frame["demand"], 0.0)
    return frame.reset_index()


def _costs(annual: pd.Series, weights: pd.Series, discount: pd.Series) -> pd.DataFrame:
    frame = annual.rename("annual").reset_index()
    frame["undiscounted"] = frame["annual"] * frame["year"].map(weights)
    frame["discounted"] = frame["annual"] * frame["year"].map(discount)
    return frame.groupby(["country", "category"], as_index=False)[
        ["undiscounted", "discounted"]].sum()
