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

This module holds the topics and headline headings of the committee view and
:func:`build_comparison`; the quantities of one plan are derived in
:mod:`northam_plan.report.facts` (:class:`Facts`) and written as rows in
:mod:`northam_plan.report.metric_rows` (:func:`plan_rows`, :data:`KEYS`); both are re-exported
here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd

from northam_plan.plan.units import zero_noise

# re-exported: the writers, charts and tests import these from northam_plan.report.metrics
from northam_plan.report.facts import Facts, expected
from northam_plan.report.metric_rows import (
    KEYS,
    KIND_ORDER,
    NOT_MODELLED,
    Rows,
    headline_years,
    plan_rows,
)
from northam_plan.scenarios.compare_plan import SolvedPlan

__all__ = ["HEADLINE", "KEYS", "KIND_ORDER", "NOT_MODELLED", "TOPICS", "Comparison", "Facts",
           "Rows", "build_comparison", "expected", "headline_years", "plan_rows"]

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
        if name != base:  # a difference below the tables' tolerance is solver noise: 0
            table[f"{name} - {base}"] = zero_noise(table[name] - table[base])
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
