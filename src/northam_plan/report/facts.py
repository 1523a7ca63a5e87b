"""Quantities derived from one solved plan, shared by the metrics, the charts and the IAMC file.

:class:`Facts` reads the plan's tables (a two-stage plan: their expected value, see
:func:`expected`) and its case chain, and derives production and use per country, demand and
unserved demand, trade between countries and imports into the USMCA from outside, mineral
self-sufficiency, import dependence on the top outside supplier, delivered cost, costs and
investments. The definitions and units of these numbers are in
:mod:`northam_plan.report.metrics`.
"""

from __future__ import annotations

from collections import defaultdict
from functools import cached_property

import numpy as np
import pandas as pd

from northam_plan.plan.frames import groups_of
from northam_plan.plan.units import capacity_unit
from northam_plan.scenarios.compare_plan import USMCA, SolvedPlan

#: the labelled arrays of a plan (``plan.nc``) the report reads; the rest of it is in the tables
#: (``probability`` comes with a two-stage plan's dataset)
DATASET_ARRAYS = ("annual_cost", "stock")


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
        return self._units.get(commodity, "unit")

    @cached_property
    def _units(self) -> dict[str, str]:
        c = self.chain.commodities
        return {} if c is None else {str(k): str(u) for k, u in zip(c["commodity"], c["unit"])}

    def capacity_unit(self, process: str) -> str:
        """The unit of the process's capacity (GW for power plants, kt Li/yr for a mine):
        :func:`northam_plan.plan.units.capacity_unit`."""
        commodity = self.output.get(process)
        if not commodity:
            return "unit/yr"
        return capacity_unit(self.unit(commodity), self.per_capacity.get(process))

    @cached_property
    def per_capacity(self) -> dict[str, float]:
        p = self.chain.processes
        if p is None or "activity_per_capacity" not in p:
            return {}
        return dict(zip(p["process"], p["activity_per_capacity"].astype(float)))

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
    def _active_ratios(self) -> pd.DataFrame:
        """country, process, year, activity, commodity, ratio: every input (ratio < 0) and
        output (> 0) of every process with activity, in the activity table's order (a process's
        commodities in its recipe's)."""
        ratios = pd.DataFrame([(p, c, float(x)) for p, items in (self.chain.ratios or {}).items()
                               for c, x in items if x != 0],
                              columns=["process", "commodity", "ratio"])
        act = self.activity[["country", "process", "year", "activity"]]
        act = act[act["activity"] != 0]
        # (an inner merge keeps the left rows' order, each with its matches in their order)
        rows = act.merge(ratios, on="process", how="inner")
        return rows.astype({"year": int})

    @cached_property
    def production(self) -> pd.DataFrame:
        """Output per country, commodity and year (activity × output ratio), unit/yr."""
        rows = self._active_ratios
        made = rows[rows["ratio"] > 0]
        frame = pd.DataFrame({"country": made["country"], "commodity": made["commodity"],
                              "year": made["year"],
                              "quantity": made["activity"] * made["ratio"]})
        return frame.groupby(["country", "commodity", "year"], as_index=False)[
            ["quantity"]].sum()

    @cached_property
    def use(self) -> pd.DataFrame:
        """Inputs consumed per country, input commodity, main output and year, unit/yr."""
        rows = self._active_ratios
        taken = rows[rows["ratio"] < 0]
        frame = pd.DataFrame({"country": taken["country"], "commodity": taken["commodity"],
                              "output": taken["process"].map(lambda p: self.output.get(p, p)),
                              "year": taken["year"],
                              "quantity": -taken["activity"] * taken["ratio"]})
        return frame.groupby(["country", "commodity", "output", "year"],
                             as_index=False)[["quantity"]].sum()

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
            ["quantity"]].sum().rename(columns={"from_country": "supplier"})

    @cached_property
    def outside_exports(self) -> pd.DataFrame:
        f = self.flows
        f = f[f["from_country"].isin(USMCA) & ~f["to_country"].isin(USMCA)]
        return f.groupby(["commodity", "year"], as_index=False)[["quantity"]].sum()

    @cached_property
    def self_sufficiency(self) -> pd.DataFrame:
        """Per mineral and year: USMCA output, USMCA chain demand in mineral units, share %."""
        req = self.requirements
        if not req:
            return pd.DataFrame(columns=["commodity", "year", "output", "demand", "share"])
        production = self.production[self.production["country"].isin(USMCA)]
        prod = production.groupby(["commodity", "year"])["quantity"].sum()
        demand = self.demand[self.demand["country"].isin(USMCA)]
        dem = demand.groupby(["commodity", "year"])["demand"].sum()
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
        for (c, t), group in groups_of(imports.groupby(["commodity", "year"])):
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
