r"""Recycling: end-of-life supply from the stock in use (end_of_life.csv, stock_in_use.csv).

What a region r puts in use of a product q in calendar year y, :math:`A_{r,q,y}` (unit/yr), is
its final demand of q (demand.csv, of one sector or of all; linear between the given years) from
the first model year :math:`t_0` on, and before it the stock put in use (stock_in_use.csv;
linear between the given years, the nearest given value outside them, 0 without rows). With a
lifetime L, a scrap content :math:`\kappa` (unit of scrap per unit of product) and a collection
rate :math:`\gamma`, the scrap s collected in calendar year y is

.. math:: E_{r,q,s,y} = \gamma \, \kappa \, A_{r,q,y-L}

and a model year t that stands for :math:`w_t` calendar years has their mean,
:math:`\bar E_{r,q,s,t} = \frac{1}{w_t} \sum_{y=t}^{t+w_t-1} E_{r,q,s,y}` (unit/yr).

Variables
    ``eol_supply[r, q, sector, s, t]`` — scrap collected, :math:`0 \le eol\_supply \le \bar
    E_{r,q,s,t}` (unit/yr).

Balance terms
    ``eol_supply`` as supply of the scrap commodity s in r. Recycling processes (family
    ``recycling`` in processes.csv) turn scrap into material like any other process: capacity,
    capital cost, permits and lead times, process_io.csv for their inputs and yields (the
    recovery rate).

Costs (annual, M$/yr, country of the region)
    ``collection``: :math:`collection\_cost \cdot eol\_supply`.

Sourcing floors (security component)
    the output of recycling processes in a bloc counts as the bloc's own production toward its
    floor on a commodity (``regional_share_min``) only in the years recycled_content.csv gives
    for the bloc and commodity; otherwise it serves use but is left out of :math:`P`
    (:func:`uncounted`).
"""

from __future__ import annotations

import numpy as np

from northam_plan.model.algebra import Index, columns, variables

NAME = "recycling"
REQUIRES: tuple[str, ...] = ()
KEY = ("region", "product", "sector", "commodity", "year")


def put_in_use(case, region: str, product: str, sector: str, years) -> np.ndarray:
    r""":math:`A_{r,q,y}` (unit/yr) for calendar ``years``: demand from the first model year
    on, stock_in_use.csv before it (see the module's docstring)."""
    years = np.asarray(years, dtype=float)
    start = case.years[0]
    out = np.zeros(len(years))
    demand = case.tables["demand"]
    rows = demand[(demand["region"] == region) & (demand["commodity"] == product)
                  & ((demand["sector"] == sector) if sector else True)]
    later = years >= start
    for _, group in rows.groupby("sector"):
        group = group.sort_values("year")
        out[later] += np.interp(years[later], group["year"].to_numpy(dtype=float),
                                group["quantity"].to_numpy(dtype=float))
    history = case.tables["stock_in_use"]
    rows = history[(history["region"] == region) & (history["product"] == product)
                   & (history["sector"] == sector)].sort_values("year")
    if len(rows):
        out[~later] = np.interp(years[~later], rows["year"].to_numpy(dtype=float),
                                rows["quantity"].to_numpy(dtype=float))
    return out


def end_of_life(case) -> dict[tuple, tuple[float, float]]:
    r"""(:math:`\bar E` in unit/yr, collection cost in M$/unit) per (region, product, sector,
    scrap, model year)."""
    out: dict[tuple, tuple[float, float]] = {}
    weights = case.year_weights
    for row in case.tables["end_of_life"].itertuples(index=False):
        calendar = {t: np.arange(t, t + weights[t]) - row.lifetime for t in case.years}
        used = put_in_use(case, row.region, row.product, row.sector,
                          np.concatenate(list(calendar.values())))
        start = 0
        for t, years in calendar.items():
            mean = used[start:start + len(years)].mean()
            start += len(years)
            out[row.region, row.product, row.sector, row.scrap, t] = (
                float(row.collection_rate * row.content * mean), float(row.collection_cost))
    return out


def uncounted(case) -> tuple[frozenset[str], frozenset[tuple[str, str, int]]]:
    """The recycling processes (family ``recycling``) and the (bloc, commodity, year) in which
    their output counts toward the bloc's sourcing floor (recycled_content.csv)."""
    processes = case.tables["processes"]
    recycling = frozenset(processes.loc[processes["family"] == "recycling", "process"])
    counted = frozenset(case.by_year("recycled_content", ["bloc", "commodity"], "bloc"))
    return recycling, counted


def add(m, case, book) -> None:
    if case.tables["end_of_life"].empty:
        return
    supply = end_of_life(case)
    keys = Index(list(supply), KEY)
    variables(m, "eol_supply", keys, upper={key: q for key, (q, _) in supply.items()})
    book.declare("eol_supply", KEY, "unit/yr", output="operation")
    collected = columns(m.eol_supply)
    book.supply_many([k[0] for k in keys.keys], [k[3] for k in keys.keys],
                     [k[4] for k in keys.keys], 1.0, collected)
    country_of = case.countries_of_regions
    book.cost_many("collection", [country_of[k[0]] for k in keys.keys],
                   [k[4] for k in keys.keys], [supply[k][1] for k in keys.keys], collected)
