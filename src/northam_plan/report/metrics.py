r"""The numbers of the committee view, per plan, and their comparison across plans.

Every number comes from a plan's result folder (``tables/*.csv``, ``plan.nc``) and its case
file (commodity kinds and units, process recipes, the country of each region); none is made
up: a metric whose table a plan does not have (security, passport, emissions, stock) is one row
with no value and the note "not modelled in this case".

Definitions (USMCA = US, CA, MX; t a model year):

* **self-sufficiency** of mineral m in year t, in %:
  :math:`100 \cdot P_{m,t} / D_{m,t}`, where :math:`P_{m,t}` is the output of m by the
  processes in US, CA and MX regions (mines; activity × output ratio, unit of m per year) and
  :math:`D_{m,t} = \sum_{g} \sum_{r \in USMCA} demand_{r,g,t} \cdot q_{m,g}` is the USMCA
  demand (all sectors of demand.csv) for m itself and every good g made from it, expressed in
  units of m: :math:`q_{m,g}` is the amount of m in one unit of g, the product of the input
  ratios along the recipe chain mineral → material → component (process_io.csv; the largest
  when several recipes lead to g, i.e. the recipe that uses m; recycling is left out).
  Above 100 % the region mines more than its own chain needs.
* **import dependence on the top outside supplier** of commodity c in year t, in %: the largest
  share that one country outside the USMCA has in what USMCA regions receive of c from all
  countries outside the USMCA (flows.csv, quantities shipped); 0 when nothing is imported.
* **delivered cost** of commodity c in year t: the marginal cost of one more unit of c at the
  USMCA regions that demand it (dual of the commodity balance, prices.csv, M$ per unit of that
  year = $/kg for kt units), weighted by their demand.
* **total cost**: the objective, discounted to the first model year (costs.csv, M$);
  **investment**: overnight capital cost of the new capacity coming online over the horizon,
  undiscounted (investments.csv, M$), by country and sector (the process family: mine,
  refinery, manufacturing, …).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd

from northam_plan.compare import USMCA, SolvedPlan

NOT_MODELLED = "not modelled in this case"

#: sheets of the workbook, in order, with what each holds
TOPICS = {
    "headline": "The few numbers that decide: cost, investment, unserved demand, "
                "self-sufficiency, import dependence, stock, emissions, cost of security",
    "investments": "New capacity and its overnight capital cost, by country, sector, process, "
                   "source (permitting regime or pipeline project) and online year",
    "permits": "Capacity entering permitting by country, process, regime and permit start "
               "year; permitting workload and its limit; pipeline projects chosen",
    "flows": "Trade between countries: quantity shipped, transport and tariff cost",
    "security": "Self-sufficiency per mineral, imports from outside the USMCA by supplier, "
                "stock and the security constraints of the case",
    "passport": "Origin of delivered goods (product passport)",
    "costs": "Cost by country and category (present value and undiscounted), cost per year, "
             "delivered cost of each commodity in the USMCA",
}

#: key columns of every comparison row ('' where a key does not apply)
KEYS = ["metric", "country", "sector", "commodity", "process", "regime", "category", "from",
        "to", "detail", "year"]

HEADLINE = {  # headline metric → its heading in the HTML table
    "Total cost": "Cost",
    "Cost by country": "Cost",
    "Investment": "Investment",
    "Unserved demand": "Unserved demand",
    "Unserved demand penalty": "Unserved demand",
    "Self-sufficiency": "Self-sufficiency (USMCA)",
    "Import dependence on top outside supplier": "Import dependence (USMCA)",
    "Strategic stock": "Stock",
    "Emissions": "Emissions",
    "Cost of security": "Cost of security",
}
KIND_ORDER = {"mineral": 0, "material": 1, "component": 2, "energy": 3}


def headline_years(years: list[int]) -> list[int]:
    """The years the headline shows: the first round decade after the start, and the end."""
    if not years:
        return []
    later = [y for y in years if y % 10 == 0 and y > years[0]]
    return sorted({*later[:1], years[-1]})


@dataclass
class Rows:
    """Rows of one plan's metrics, appended in display order."""

    items: list[dict] = field(default_factory=list)

    def add(self, topic: str, metric: str, value, unit: str, additive: bool = True,
            note: str = "", **keys) -> None:
        row = {"topic": topic, **{k: "" for k in KEYS}, "metric": metric, "unit": unit,
               "value": np.nan if value is None else float(value), "note": note,
               "additive": additive}
        for key, item in keys.items():
            name = "from" if key == "origin" else key
            row[name] = "" if item is None or (isinstance(item, float) and np.isnan(item)) \
                else str(int(item) if name == "year" else item)
        self.items.append(row)

    def frame(self) -> pd.DataFrame:
        columns = ["topic", *KEYS, "unit", "value", "note", "additive"]
        return pd.DataFrame(self.items, columns=columns)


class Facts:
    """Quantities derived from one plan, shared by metrics, charts and the IAMC file."""

    def __init__(self, plan: SolvedPlan):
        self.plan = plan
        self.chain = plan.chain
        self.years = plan.years
        self.weights = {t: self.chain.year_weights.get(t, 1) for t in self.years}

    def country(self, region: str) -> str:
        return self.chain.country_of.get(region, region)

    def table(self, name: str) -> pd.DataFrame:
        """A table of the plan; in a stochastic plan (a ``scenario`` column) the expected
        value: float columns weighted by each disruption scenario's probability and summed."""
        frame = self.plan.table(name)
        if frame is None:
            return pd.DataFrame()
        if "scenario" in frame.columns and self.probability:
            return expected(frame, self.probability)
        return frame.copy()

    @cached_property
    def probability(self) -> dict[str, float]:
        ds = self.plan.dataset
        if "probability" not in ds.data_vars:
            return {}
        p = ds["probability"]
        dim = p.dims[0]
        return {str(k): float(v) for k, v in zip(p[dim].values, p.values)}

    # --- case knowledge -------------------------------------------------------------------
    @cached_property
    def kinds(self) -> dict[str, str]:
        c = self.chain.commodities
        return {} if c is None else dict(zip(c["commodity"], c["kind"]))

    @cached_property
    def prices(self) -> dict[str, float]:
        c = self.chain.commodities
        return {} if c is None else dict(zip(c["commodity"], c["reference_price"].astype(float)))

    @cached_property
    def family(self) -> dict[str, str]:
        p = self.chain.processes
        return {} if p is None else dict(zip(p["process"], p["family"]))

    @cached_property
    def output(self) -> dict[str, str]:
        p = self.chain.processes
        return {} if p is None else dict(zip(p["process"], p["main_output"]))

    def unit(self, commodity: str) -> str:
        return self.chain.unit(commodity)

    def capacity_unit(self, process: str) -> str:
        commodity = self.output.get(process)
        return f"{self.unit(commodity)}/yr" if commodity else "unit/yr"

    def minerals(self) -> list[str]:
        return sorted(c for c, k in self.kinds.items() if k == "mineral")

    @cached_property
    def requirements(self) -> dict[str, dict[str, float]]:
        """q[m][g]: units of mineral m in one unit of good g along the recipe chain."""
        if not self.chain.known:
            return {}
        edges = defaultdict(list)  # input commodity → (main output, units in per unit out)
        for p, ratios in (self.chain.ratios or {}).items():
            if self.family.get(p) == "recycling":
                continue
            out = self.output[p]
            for c, ratio in ratios:
                if ratio < 0:
                    edges[c].append((out, -ratio))
        def walk(best: dict[str, float], c: str, amount: float, seen: set[str]) -> None:
            """Depth-first along the recipes; a path never visits a commodity twice."""
            for g, per_unit in edges.get(c, ()):
                if g in seen:
                    continue
                q = amount * per_unit
                if q > best.get(g, 0.0):
                    best[g] = q
                walk(best, g, q, seen | {g})

        req: dict[str, dict[str, float]] = {}
        for m in self.minerals():
            req[m] = {m: 1.0}
            walk(req[m], m, 1.0, {m})
        return req

    # --- plan quantities ------------------------------------------------------------------
    @cached_property
    def activity(self) -> pd.DataFrame:
        frame = self.table("activity")
        if frame.empty:
            return pd.DataFrame(columns=["region", "country", "process", "year", "activity",
                                         "capacity"])
        if "country" not in frame:
            frame["country"] = frame["region"].map(self.country)
        return frame

    @cached_property
    def production(self) -> pd.DataFrame:
        """Output per country, commodity and year (activity × output ratio), unit/yr."""
        rows = []
        ratios = self.chain.ratios or {}
        for country, process, year, act in self.activity[
                ["country", "process", "year", "activity"]].itertuples(index=False):
            if not act:
                continue
            for c, ratio in ratios.get(process, ()):
                if ratio > 0:
                    rows.append((country, c, int(year), act * ratio))
        frame = pd.DataFrame(rows, columns=["country", "commodity", "year", "quantity"])
        return frame.groupby(["country", "commodity", "year"], as_index=False)["quantity"].sum()

    @cached_property
    def use(self) -> pd.DataFrame:
        """Inputs consumed per country, input commodity, main output and year, unit/yr."""
        rows = []
        ratios = self.chain.ratios or {}
        for country, process, year, act in self.activity[
                ["country", "process", "year", "activity"]].itertuples(index=False):
            if not act:
                continue
            for c, ratio in ratios.get(process, ()):
                if ratio < 0:
                    rows.append((country, c, self.output.get(process, process), int(year),
                                 -act * ratio))
        frame = pd.DataFrame(rows, columns=["country", "commodity", "output", "year",
                                            "quantity"])
        return frame.groupby(["country", "commodity", "output", "year"],
                             as_index=False)["quantity"].sum()

    @cached_property
    def demand(self) -> pd.DataFrame:
        """Demand and unserved per region (with country), commodity and year, unit/yr."""
        frame = self.table("unserved")
        if frame.empty:
            return pd.DataFrame(columns=["region", "country", "commodity", "year", "demand",
                                         "unserved"])
        frame["country"] = frame["region"].map(self.country)
        return frame

    @cached_property
    def flows(self) -> pd.DataFrame:
        frame = self.table("flows")
        if frame.empty:
            return pd.DataFrame(columns=["from", "to", "commodity", "year", "quantity",
                                         "transport_cost", "tariff_cost", "from_country",
                                         "to_country"])
        frame["from_country"] = frame["from"].map(self.country)
        frame["to_country"] = frame["to"].map(self.country)
        return frame

    @cached_property
    def outside_imports(self) -> pd.DataFrame:
        """USMCA imports from outside countries: commodity, supplier, year, quantity."""
        f = self.flows
        f = f[~f["from_country"].isin(USMCA) & f["to_country"].isin(USMCA)]
        return f.groupby(["commodity", "from_country", "year"], as_index=False)[
            "quantity"].sum().rename(columns={"from_country": "supplier"})

    @cached_property
    def outside_exports(self) -> pd.DataFrame:
        f = self.flows
        f = f[f["from_country"].isin(USMCA) & ~f["to_country"].isin(USMCA)]
        return f.groupby(["commodity", "year"], as_index=False)["quantity"].sum()

    @cached_property
    def self_sufficiency(self) -> pd.DataFrame:
        """Per mineral and year: USMCA output, USMCA chain demand in mineral units, share %."""
        req = self.requirements
        if not req:
            return pd.DataFrame(columns=["commodity", "year", "output", "demand", "share"])
        prod = self.production[self.production["country"].isin(USMCA)]
        prod = prod.groupby(["commodity", "year"])["quantity"].sum()
        dem = self.demand[self.demand["country"].isin(USMCA)]
        dem = dem.groupby(["commodity", "year"])["demand"].sum()
        rows = []
        for m, goods in req.items():
            for t in self.years:
                d = sum(dem.get((g, t), 0.0) * q for g, q in goods.items())
                p = prod.get((m, t), 0.0)
                rows.append((m, t, p, d, 100.0 * p / d if d > 0 else np.nan))
        return pd.DataFrame(rows, columns=["commodity", "year", "output", "demand", "share"])

    @cached_property
    def import_dependence(self) -> pd.DataFrame:
        """Per commodity and year: top outside supplier, its share of outside imports (%)."""
        imports = self.outside_imports
        rows = []
        for (c, t), group in imports.groupby(["commodity", "year"]):
            total = group["quantity"].sum()
            if total <= 0:
                continue
            top = group.sort_values(["quantity", "supplier"], ascending=[False, True]).iloc[0]
            rows.append((c, int(t), top["supplier"], 100.0 * top["quantity"] / total, total))
        return pd.DataFrame(rows, columns=["commodity", "year", "supplier", "share", "imports"])

    @cached_property
    def delivered_cost(self) -> pd.DataFrame:
        """Demand-weighted marginal cost at USMCA regions with demand: commodity, year, cost."""
        prices = self.table("prices")
        dem = self.demand[self.demand["country"].isin(USMCA) & (self.demand["demand"] > 0)]
        if prices.empty or dem.empty:
            return pd.DataFrame(columns=["commodity", "year", "cost"])
        merged = dem.merge(prices, on=["region", "commodity", "year"], how="inner")
        merged["weighted"] = merged["price"] * merged["demand"]
        grouped = merged.groupby(["commodity", "year"], as_index=False)[
            ["weighted", "demand"]].sum()
        grouped["cost"] = grouped["weighted"] / grouped["demand"]
        return grouped[["commodity", "year", "cost"]]

    @cached_property
    def costs(self) -> pd.DataFrame:
        return self.table("costs")

    @cached_property
    def investments(self) -> pd.DataFrame:
        frame = self.table("investments")
        if frame.empty:
            return pd.DataFrame(columns=["region", "country", "process", "source",
                                         "permit_start_year", "online_year", "capacity",
                                         "capex", "sector"])
        frame["sector"] = frame["process"].map(lambda p: self.family.get(p, "unknown"))
        return frame

    def total_cost(self) -> float:
        return float(self.costs["discounted"].sum()) if not self.costs.empty else np.nan


def expected(frame: pd.DataFrame, probability: dict[str, float]) -> pd.DataFrame:
    """Probability-weighted sum over the ``scenario`` column of the float columns."""
    values = [c for c in frame.columns if pd.api.types.is_float_dtype(frame[c])]
    keys = [c for c in frame.columns if c not in values and c != "scenario"]
    weighted = frame[values].mul(frame["scenario"].astype(str).map(probability).fillna(0.0),
                                 axis=0)
    weighted[keys] = frame[keys]
    return weighted.groupby(keys, as_index=False, dropna=False)[values].sum()[frame.columns
                                                                             .drop("scenario")]


# --- one plan's rows --------------------------------------------------------------------------

def plan_rows(plan: SolvedPlan, years: list[int] | None = None) -> pd.DataFrame:
    """Every metric of one plan as a long table (topic, keys, unit, value, note, additive)."""
    facts = Facts(plan)
    years = years if years is not None else headline_years(facts.years)
    rows = Rows()
    _headline(facts, rows, years)
    _investments(facts, rows)
    _permits(facts, rows)
    _flows(facts, rows)
    _security(facts, rows)
    if not _generic(facts, rows, "passport", "passport"):
        rows.add("passport", "Passport", None, "", additive=False, note=NOT_MODELLED)
    _costs(facts, rows)
    frame = rows.frame()
    index = ["topic", *KEYS, "unit"]
    if frame.duplicated(index).any():  # a later table with keys we do not know: add them up
        frame = frame.groupby(index, as_index=False, sort=False).agg(
            value=("value", lambda v: v.sum(min_count=1)), note=("note", "first"),
            additive=("additive", "first"))
    return frame


def _headline(f: Facts, rows: Rows, years: list[int]) -> None:
    h = "headline"
    rows.add(h, "Total cost", f.total_cost(), "M$ (present value)")
    if not f.costs.empty:
        for country, value in f.costs.groupby("country")["discounted"].sum().items():
            rows.add(h, "Cost by country", value, "M$ (present value)", country=country)
    inv = f.investments
    if not inv.empty:
        for (country, sector), value in inv.groupby(["country", "sector"])["capex"].sum().items():
            rows.add(h, "Investment", value, "M$ (overnight)", country=country,
                     sector=sector)
    dem = f.demand
    if not dem.empty:
        weighted = dem.assign(u=dem["unserved"] * dem["year"].map(f.weights))
        rows.add(h, "Unserved demand", weighted["u"].sum(),
                 "units (all commodities, all years)")
        by = weighted.groupby("commodity")["u"].sum()
        for c, value in by[by > 0].items():
            rows.add(h, "Unserved demand", value, f"{f.unit(c)} (all years)", commodity=c)
    if not f.costs.empty and "unserved" in set(f.costs["category"]):
        rows.add(h, "Unserved demand penalty",
                 f.costs.loc[f.costs["category"] == "unserved", "discounted"].sum(),
                 "M$ (present value)")
    if f.chain.known:
        ss = f.self_sufficiency.set_index(["commodity", "year"])
        for m in f.minerals():
            for t in years:
                if (m, t) in ss.index:
                    rows.add(h, "Self-sufficiency", ss.at[(m, t), "share"], "%",
                             additive=False, commodity=m, year=t)
    else:
        rows.add(h, "Self-sufficiency", None, "%", additive=False, note=f.chain.note)
    dep = f.import_dependence.set_index(["commodity", "year"])
    imported = sorted(set(f.outside_imports["commodity"]),
                      key=lambda c: (KIND_ORDER.get(f.kinds.get(c), 9), c))
    for c in imported:
        for t in years:
            if (c, t) in dep.index:
                rec = dep.loc[(c, t)]
                rows.add(h, "Import dependence on top outside supplier", rec["share"], "%",
                         commodity=c, year=t, note=_supplier_note(rec, f.unit(c)))
            else:
                rows.add(h, "Import dependence on top outside supplier", 0.0, "%",
                         commodity=c, year=t, note="no outside imports")
    _stock(f, rows, years)
    _emissions(f, rows, years)
    _cost_of_security(f, rows, years)


def _supplier_note(rec, unit: str) -> str:
    return f"top supplier {rec['supplier']} of {rec['imports']:,.4g} {unit}/yr imported"


def _stock(f: Facts, rows: Rows, years: list[int]) -> None:
    ds = f.plan.expected
    if "stock" not in ds.data_vars:
        rows.add("headline", "Strategic stock", None, "", additive=False, note=NOT_MODELLED)
        return
    array = ds["stock"]
    stock = array.to_series().dropna().rename("stock").reset_index()
    stock["country"] = stock["region"].map(f.country)
    stock = stock[stock["country"].isin(USMCA)]
    by = stock.groupby(["commodity", "year"])["stock"].sum()
    for (c, t), value in by.items():
        if int(t) in years:
            rows.add("headline", "Strategic stock", value, f"{f.unit(c)} (end of year)",
                     commodity=c, year=int(t))
    for (r, c, t), value in array.to_series().dropna().items():
        rows.add("security", "Stock", value, f"{f.unit(c)} (end of year)", country=f.country(r),
                 commodity=c, detail=f"region {r}", year=int(t))


def _value_column(frame: pd.DataFrame, preferred: tuple[str, ...]) -> str | None:
    for name in preferred:
        if name in frame.columns and pd.api.types.is_numeric_dtype(frame[name]):
            return name
    return None


def _emissions(f: Facts, rows: Rows, years: list[int]) -> None:
    table = _present(f, "emissions")
    column = None if table is None else _value_column(table, ("emissions", "value",
                                                              "quantity"))
    if table is None or column is None or "year" not in table:
        note = NOT_MODELLED if table is None else "emissions.csv has no year and emissions columns"
        rows.add("headline", "Emissions", None, "", additive=False, note=note)
        return
    unit = str(table["unit"].iloc[0]) if "unit" in table else "as in emissions.csv"
    by = table.groupby("year")[column].sum()
    for t in years:
        if t in by.index:
            rows.add("headline", "Emissions", by[t], unit, year=t)
    _generic(f, rows, "emissions", "costs")


def _present(f: Facts, name: str) -> pd.DataFrame | None:
    """A table of a later component, or None when the plan has none or it is empty."""
    table = f.table(name)
    return None if table.empty else table


def _cost_of_security(f: Facts, rows: Rows, years: list[int]) -> None:
    """Duals of the security constraints (security_costs.csv: constraint, where, year, cost
    in M$ per unit of that year), at the headline years."""
    table, column = _present(f, "security_costs"), "cost"
    if table is None or column not in table:
        table, column = _present(f, "security"), "cost_of_security"
    if table is None or column not in table or table[column].isna().all():
        rows.add("headline", "Cost of security", None, "", additive=False, note=NOT_MODELLED)
        return
    table = table[table[column].notna()]
    for record in table.to_dict("records"):
        if "year" in record and not pd.isna(record["year"]) and int(record["year"]) not in years:
            continue
        keys, detail = _split_keys(record, exclude={column, "unit", "source", *NOTE_COLUMNS})
        rows.add("headline", "Cost of security", record[column],
                 "M$ per unit (of that year)", additive=False, detail=detail, **keys)


#: string columns of later tables that are values (shown as notes), not keys
NOTE_COLUMNS = ("top_supplier",)


def _split_keys(record: dict, exclude: set[str]) -> tuple[dict, str]:
    known = {"country", "sector", "commodity", "process", "regime", "category", "from", "to",
             "year"}
    keys, other = {}, []
    for name, value in record.items():
        if name in exclude or isinstance(value, (float, np.floating)) and name != "year":
            continue
        if name in known:
            keys["origin" if name == "from" else name] = value
        elif value is not None and str(value) != "" and not pd.isna(value):
            other.append(f"{name} {value}")
    return keys, "; ".join(other)


def _generic(f: Facts, rows: Rows, table_name: str, topic: str) -> bool:
    """A table of a later component: every numeric column is a metric, the rest are keys.
    Returns False when the plan has no such table (or it is empty)."""
    table = _present(f, table_name)
    if table is None:
        return False
    numeric = [c for c in table.columns if c != "year" and
               pd.api.types.is_numeric_dtype(table[c])]
    unit = "as in " + f"{table_name}.csv"
    for record in table.to_dict("records"):
        keys, detail = _split_keys(record, exclude={*numeric, "unit", "source", *NOTE_COLUMNS})
        note = "; ".join(f"{c.replace('_', ' ')} {record[c]}" for c in NOTE_COLUMNS
                         if c in record and isinstance(record[c], str) and record[c])
        for column in numeric:
            rows.add(topic, f"{table_name}: {column}", record[column],
                     str(record.get("unit", unit)), additive=False, detail=detail, note=note,
                     **keys)
    return True


def _investments(f: Facts, rows: Rows) -> None:
    inv = f.investments
    if inv.empty:
        return
    keys = ["country", "sector", "process", "source", "online_year"]
    grouped = inv.groupby(keys, as_index=False, dropna=False)[["capacity", "capex"]].sum()
    for rec in grouped.itertuples(index=False):
        common = dict(country=rec.country, sector=rec.sector, process=rec.process,
                      regime=rec.source, year=rec.online_year)
        rows.add("investments", "New capacity", rec.capacity, f.capacity_unit(rec.process),
                 **common)
        rows.add("investments", "Overnight capex", rec.capex, "M$", **common)


def _permits(f: Facts, rows: Rows) -> None:
    permits = f.table("permits")
    if not permits.empty:
        grouped = permits.groupby(["country", "process", "regime", "permit_start_year"],
                                  as_index=False)["capacity"].sum()
        for rec in grouped.itertuples(index=False):
            rows.add("permits", "Capacity entering permitting", rec.capacity,
                     f.capacity_unit(rec.process), country=rec.country, process=rec.process,
                     regime=rec.regime, year=rec.permit_start_year)
    throughput = f.table("throughput")
    for rec in throughput.itertuples(index=False):
        common = dict(country=rec.country, regime=rec.regime, year=rec.year)
        rows.add("permits", "Permitting workload used", rec.used, "workload/yr", **common)
        rows.add("permits", "Permitting workload limit", rec.limit, "workload/yr",
                 additive=False, **common)
        rows.add("permits", "Value of more permitting throughput", rec.value,
                 "M$ per workload/yr (present value)", additive=False, **common)
    projects = f.table("projects")
    for rec in projects.itertuples(index=False):
        rows.add("permits", "Pipeline project built", rec.capacity, f.capacity_unit(rec.process),
                 country=rec.country, process=rec.process, detail=f"project {rec.project}",
                 regime=rec.stage, year=rec.online_year)


def _flows(f: Facts, rows: Rows) -> None:
    flows = f.flows
    if flows.empty:
        return
    grouped = flows.groupby(["from_country", "to_country", "commodity", "year"],
                            as_index=False)[["quantity", "transport_cost", "tariff_cost"]].sum()
    for rec in grouped.itertuples(index=False):
        common = dict(origin=rec.from_country, to=rec.to_country, commodity=rec.commodity,
                      year=rec.year)
        rows.add("flows", "Shipped", rec.quantity, f"{f.unit(rec.commodity)}/yr", **common)
        rows.add("flows", "Transport cost", rec.transport_cost, "M$/yr", **common)
        rows.add("flows", "Tariff cost", rec.tariff_cost, "M$/yr", **common)


def _security(f: Facts, rows: Rows) -> None:
    s = "security"
    if f.chain.known:
        for rec in f.self_sufficiency.itertuples(index=False):
            unit = f.unit(rec.commodity)
            rows.add(s, "Self-sufficiency", rec.share, "%", additive=False,
                     commodity=rec.commodity, year=rec.year)
            rows.add(s, "USMCA output of the mineral", rec.output, f"{unit}/yr",
                     commodity=rec.commodity, year=rec.year)
            rows.add(s, "USMCA demand of the mineral's chain", rec.demand, f"{unit}/yr",
                     commodity=rec.commodity, year=rec.year,
                     detail="in mineral content (see definitions)")
    else:
        rows.add(s, "Self-sufficiency", None, "%", additive=False, note=f.chain.note)
    for _, rec in f.import_dependence.iterrows():
        rows.add(s, "Import dependence on top outside supplier", rec["share"], "%",
                 commodity=rec["commodity"], year=rec["year"],
                 note=_supplier_note(rec, f.unit(rec["commodity"])))
    for rec in f.outside_imports.itertuples(index=False):
        rows.add(s, "Imports from outside the USMCA", rec.quantity, f"{f.unit(rec.commodity)}/yr",
                 commodity=rec.commodity, origin=rec.supplier, year=rec.year)
    found = [_generic(f, rows, name, s) for name in ("security", "security_imports",
                                                     "security_costs")]
    if not any(found):
        rows.add(s, "Security constraints", None, "", additive=False, note=NOT_MODELLED)


def _costs(f: Facts, rows: Rows) -> None:
    c = "costs"
    for rec in f.costs.itertuples(index=False):
        rows.add(c, "Cost (present value)", rec.discounted, "M$", country=rec.country,
                 category=rec.category)
    for rec in f.costs.itertuples(index=False):
        rows.add(c, "Cost (undiscounted)", rec.undiscounted, "M$", country=rec.country,
                 category=rec.category)
    ds = f.plan.expected
    if "annual_cost" in ds.data_vars:
        series = ds["annual_cost"].to_series().dropna()
        for (category, country, year), value in series.items():
            rows.add(c, "Annual cost", value, "M$/yr", country=country, category=category,
                     year=int(year))
    for rec in f.delivered_cost.itertuples(index=False):
        rows.add(c, "Delivered cost (marginal, USMCA)", rec.cost,
                 f"M$/{f.unit(rec.commodity)}", additive=False, commodity=rec.commodity,
                 year=rec.year)


# --- comparison -------------------------------------------------------------------------------

@dataclass
class Comparison:
    """Metrics of several plans side by side, with differences from the base.

    ``table``: one row per topic and key (see :data:`KEYS`) with the row's ``unit``, a value
    column per scenario, a difference column ``"<scenario> - <base>"`` per other scenario
    (in the row's unit; percentage points for %), and a ``note: <scenario>`` column per scenario
    (top supplier, "not modelled in this case").
    """

    plans: list[SolvedPlan]
    base: str
    table: pd.DataFrame
    warnings: list[str] = field(default_factory=list)

    @property
    def scenarios(self) -> list[str]:
        return [p.name for p in self.plans]

    @property
    def others(self) -> list[str]:
        return [s for s in self.scenarios if s != self.base]

    def diff_column(self, scenario: str) -> str:
        return f"{scenario} - {self.base}"

    def note_column(self, scenario: str) -> str:
        return f"note: {scenario}"

    def topic(self, name: str) -> pd.DataFrame:
        return self.table[self.table["topic"] == name].reset_index(drop=True)

    @cached_property
    def facts(self) -> dict[str, Facts]:
        return {p.name: Facts(p) for p in self.plans}


def build_comparison(plans: list[SolvedPlan], base: str, warnings=()) -> Comparison:
    """Metrics of every plan, aligned on their keys, with differences from ``base``."""
    years = headline_years(plans[0].years)
    frames = {p.name: plan_rows(p, years) for p in plans}
    index_columns = ["topic", *KEYS, "unit"]
    topic_order = {t: i for i, t in enumerate(TOPICS)}
    ordered = pd.concat(frames.values(), ignore_index=True)
    ordered = ordered.drop_duplicates(index_columns)[[*index_columns, "additive"]]
    # order: topic, then each key in order of first appearance (years by number), so that
    # a row only one plan has lands among its kind
    sort = pd.DataFrame({"topic": ordered["topic"].map(topic_order)})
    for column in KEYS:
        if column == "year":
            sort[column] = [int(y) if y else -1 for y in ordered[column]]
        else:
            rank = {v: i for i, v in enumerate(pd.unique(ordered[column]))}
            sort[column] = ordered[column].map(rank)
    table = ordered.iloc[np.lexsort([sort[c].to_numpy() for c in reversed(sort.columns)])]
    table = table.reset_index(drop=True)
    key = pd.MultiIndex.from_frame(table[index_columns])
    for name, frame in frames.items():
        series = frame.set_index(index_columns)
        values = series["value"].reindex(key).to_numpy()
        table[name] = np.where(np.isnan(values) & table["additive"].to_numpy()
                               & _has_topic(series, table), 0.0, values)
    for name in frames:
        if name != base:
            table[f"{name} - {base}"] = table[name] - table[base]
    for name, frame in frames.items():
        notes = frame.set_index(index_columns)["note"].reindex(key).fillna("").to_numpy()
        table[f"note: {name}"] = notes
    table = table.drop(columns="additive")
    table["year"] = pd.array([int(y) if y != "" else pd.NA for y in table["year"]],
                             dtype="Int64")
    return Comparison(plans=plans, base=base, table=table, warnings=list(warnings))


def _has_topic(series: pd.DataFrame, table: pd.DataFrame) -> np.ndarray:
    """Rows whose metric the plan reports at all (a missing key there means zero)."""
    metrics = set(zip(series.index.get_level_values("topic"),
                      series.index.get_level_values("metric")))
    return np.array([(t, m) in metrics for t, m in zip(table["topic"], table["metric"])])
