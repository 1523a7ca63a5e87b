r"""Strategic stockpiles (stockpiles.csv).

Variables (per stockpile region r, commodity c and model year t)
    ``stock[r, c, t]`` ≥ 0 — stock at the end of year t (unit), at most ``capacity``;
    ``stock_fill[r, c, t]``, ``stock_draw[r, c, t]`` ≥ 0 — filling and drawing (unit/yr), at
    most ``max_fill`` / ``max_draw``.

Constraints
    ``stock_balance[r, c, t]``:
    :math:`stock_t = stock_{t-1} + w_t \, (fill_t - draw_t)` (unit), with
    :math:`stock_{t_0 - 1} = initial`;
    ``stock_cover_min[r, c, t]``: :math:`stock_t \ge days / 365 \cdot demand_{r,c,t}` (unit),
    where ``min_cover_days`` > 0.

Balance terms
    :math:`draw - fill` in the commodity balance of r, c, t (per origin tag, in the passport
    component, for tracked commodities).

Costs (annual, M$/yr, country of the region)
    ``stockpile``: :math:`holding\_cost \cdot stock_{r,c,t}`.
"""

from __future__ import annotations

import numpy as np

from northam_plan.model.algebra import Index, columns, constraints, terms, variables

NAME = "stockpile"
REQUIRES = ("demand",)


def add(m, case, book) -> None:
    table = case.tables["stockpiles"]
    years = case.years
    weights = case.year_weights
    country_of = case.countries_of_regions
    rows = {(r, c): row for r, c, row in zip(table["region"], table["commodity"],
                                             table.itertuples(index=False))}
    keys = Index([(r, c, t) for (r, c) in rows for t in years],
                 ("region", "commodity", "year"))
    for name, unit, limit in (("stock", "unit", "capacity"), ("stock_fill", "unit/yr", "max_fill"),
                              ("stock_draw", "unit/yr", "max_draw")):
        variables(m, name, keys, upper={(r, c, t): getattr(rows[r, c], limit)
                                        for r, c, t in keys})  # NaN: no limit
        book.declare(name, keys.dims, unit, output="operation")

    # stock_t − stock_{t−1} − w_t (fill − draw) = 0, = initial stock in the first model year
    later = np.array([i for i, (_, _, t) in enumerate(keys) if t != years[0]], dtype=np.int64)
    w = [weights[t] for _, _, t in keys]
    balance = terms(m.stock, index=keys) - terms(columns(m.stock)[later - 1], at=later,
                                                 index=keys) \
        - terms(m.stock_fill, index=keys, coefs=w) + terms(m.stock_draw, index=keys, coefs=w)
    constraints(m, "stock_balance", balance == {
        (r, c, t): rows[r, c].initial_stock if t == years[0] else 0.0 for r, c, t in keys})
    book.declare("stock_balance", keys.dims, "M$/unit")

    demand = case.demand_by_year.groupby(["region", "commodity", "year"])["quantity"].sum()
    cover = Index([(r, c, t) for (r, c, t) in keys if rows[r, c].min_cover_days > 0], keys.dims)
    constraints(m, "stock_cover_min", terms(m.stock, index=cover) >= {
        (r, c, t): rows[r, c].min_cover_days / 365.0 * float(demand.get((r, c, t), 0.0))
        for r, c, t in cover})
    book.declare("stock_cover_min", cover.dims, "M$/unit", output="limit")

    for (r, c, t) in keys:
        if c not in case.tracked:  # the passport component splits tracked ones by origin
            book.supply(r, c, t, 1.0, m.stock_draw[r, c, t])
            book.supply(r, c, t, -1.0, m.stock_fill[r, c, t])
        if rows[r, c].holding_cost:
            book.cost("stockpile", country_of[r], t, rows[r, c].holding_cost, m.stock[r, c, t])
