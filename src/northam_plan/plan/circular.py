"""Plan tables of offtake contracts and recycling (present only when the case has them).

* ``offtakes`` — per contract and year: kind, region, commodity, quantity (bought, or output
  covered by the floor; unit/yr), price (contract or floor price, M$/unit), payment per unit
  (M$/unit) and budget_cost (M$/yr, the government's outlay, outside the objective);
* ``end_of_life`` — per region, product, sector, scrap commodity and year: scrap available
  from the stock in use and collected (unit/yr);
* ``recycled_supply`` — per region, recycling process, commodity and year: what recycling
  processes made (unit/yr).
"""

from __future__ import annotations

from collections import defaultdict

import pandas as pd

from northam_plan.model.components.activity import process_ratios
from northam_plan.model.components.offtake import budget
from northam_plan.model.components.recycling import end_of_life, uncounted
from northam_plan.plan.units import ZERO_TOLERANCE

OFFTAKE_COLUMNS = ["contract", "kind", "region", "commodity", "year", "quantity", "price",
                   "payment", "budget_cost"]


def circular_tables(case, arrays: dict[str, pd.Series],
                    activity: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The tables of the module's docstring from the solved values ``arrays``
    (``offtake_covered``, ``eol_supply``: Series on their named dimensions) and the plan's
    activity table."""
    out: dict[str, pd.DataFrame] = {}
    if not case.tables["offtakes"].empty:
        covered = arrays.get("offtake_covered", pd.Series(dtype=float))
        by_key: dict[tuple[str, int], float] = {
            (str(key[0]), int(key[1])): float(v)  # type: ignore[index]
            for key, v in covered.items()}
        out["offtakes"] = pd.DataFrame(budget(case, by_key),
                                       columns=OFFTAKE_COLUMNS)
    if not case.tables["end_of_life"].empty:
        collected = dict(arrays.get("eol_supply", pd.Series(dtype=float)).items())
        out["end_of_life"] = pd.DataFrame(
            [(*key, q, collected.get(key, 0.0)) for key, (q, _) in end_of_life(case).items()],
            columns=["region", "product", "sector", "commodity", "year", "available",
                     "collected"])
        out["recycled_supply"] = recycled_output(case, activity)
    return out


def recycled_output(case, activity: pd.DataFrame) -> pd.DataFrame:
    """Output of recycling processes per region, process, commodity and year (unit/yr), from
    the plan's activity table (by-products included, inputs left out; rows of 0 left out)."""
    recycling, _ = uncounted(case)
    ratios = process_ratios(case)
    rows: dict[tuple, float] = defaultdict(float)
    for r, p, t, act in activity[activity["process"].isin(recycling)][
            ["region", "process", "year", "activity"]].itertuples(index=False):
        for c, ratio in ratios[p]:
            if ratio > 0:
                rows[r, p, c, int(t)] += ratio * float(act)
    return pd.DataFrame([(*k, v) for k, v in rows.items() if abs(v) >= ZERO_TOLERANCE],
                        columns=["region", "process", "commodity", "year", "quantity"])
