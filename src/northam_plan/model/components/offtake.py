r"""Government offtake and price-floor contracts (offtakes.csv), held linearly.

A contract o covers a region r, a commodity c and the model years of its span.

**Purchase** (kind ``purchase``): the government buys :math:`Q_o` a year at the contract price
:math:`P_o` into the region's stockpile (stockpiles.csv), so the stockpile must take at least
what the contracts deliver, net of what is drawn in the same year (the stock grows by the
purchases while the contracts run; it may be drawn afterwards):

``offtake_fill_min[r, c, t]``:
    :math:`stock\_fill_{r,c,t} - stock\_draw_{r,c,t} \ge \sum_{o \in (r,c,t)} Q_o`
    (unit/yr).

What it costs the economy — producing or importing the goods, holding them — is in the model's
costs already; the payment :math:`P_o Q_o` (M$/yr) goes from the government to the sellers
and is reported as the contract's budget cost, outside the objective.

**Price floor** (kind ``floor``): the government tops up the market price :math:`p_o` to the
floor :math:`F_o` on the region's output of c, up to :math:`V_o` a year; the payment per unit
is :math:`s_{o} = \max(0, F_o - p_o)` (M$/unit), a production subsidy up to a volume.

Variables
    ``offtake_covered[o, t]`` — output covered by the floor, :math:`0 \le covered \le V_o`
    (unit/yr; no upper bound without a quantity).

Constraints
    ``offtake_covered_max[r, c, t]``:
    :math:`\sum_{o \in (r,c,t)} covered_{o,t} \le \sum_p out_{p,c} \, act_{r,p,t}` (unit/yr):
    only what the region's processes make is covered (sold or stockpiled; the balance's free
    disposal stands for the producer's own stock, which the contract also covers).

Costs (annual, M$/yr, country of the region)
    ``offtake_subsidy``: :math:`-s_{o} \cdot covered_{o,t}` — the top-up is revenue of the
    producers, a negative cost, as tariffs are a cost of the buyers: the objective is what
    market participants pay, and the government's side — its budget cost
    :math:`s_o \, covered_{o,t}` — is reported apart (plan table ``offtakes``), as tariff
    revenue is.
"""

from __future__ import annotations

from collections import defaultdict

import pandas as pd

from northam_plan.model.algebra import Index, columns, constraints, sums, terms, variables
from northam_plan.model.components.activity import process_ratios

NAME = "offtake"
REQUIRES = ("activity", "stockpile")


def contracts(case, kind: str) -> dict[tuple[str, int], tuple]:
    """(region, commodity, quantity or NaN, price, market_price) per (contract, model year)
    of one kind."""
    table = case.tables["offtakes"]
    table = table[table["kind"] == kind]
    start, end = case.years[0], case.years[-1]
    out: dict[tuple[str, int], tuple] = {}
    for row in table.itertuples(index=False):
        first = start if pd.isna(row.start_year) else int(row.start_year)
        last = end if pd.isna(row.end_year) else int(row.end_year)
        for t in case.years:
            if first <= t <= last:
                out[row.contract, t] = (row.region, row.commodity, float(row.quantity),
                                        float(row.price), float(row.market_price))
    return out


def budget(case, covered: dict[tuple[str, int], float] | None = None) -> list[tuple]:
    """Rows (contract, kind, region, commodity, year, quantity unit/yr, price M$/unit,
    payment M$/unit, budget_cost M$/yr): purchases from the contracts, floors from the output
    ``covered`` per (contract, year) of a solved model."""
    rows = []
    for (o, t), (r, c, q, price, _) in contracts(case, "purchase").items():
        rows.append((o, "purchase", r, c, t, q, price, price, price * q))
    for (o, t), (r, c, _, price, market) in contracts(case, "floor").items():
        quantity = (covered or {}).get((o, t), 0.0)
        top_up = max(0.0, price - market)
        rows.append((o, "floor", r, c, t, quantity, price, top_up, top_up * quantity))
    return rows


def add(m, case, book) -> None:
    if case.tables["offtakes"].empty:
        return
    purchases: dict[tuple, float] = defaultdict(float)
    for (_, t), (r, c, q, _, _) in contracts(case, "purchase").items():
        purchases[r, c, t] += q
    rows = Index(sorted(purchases), ("region", "commodity", "year"))
    constraints(m, "offtake_fill_min", terms(m.stock_fill, index=rows)
                - terms(m.stock_draw, index=rows) >= dict(purchases))
    book.declare("offtake_fill_min", rows.dims, "M$/unit")

    floors = contracts(case, "floor")
    keys = Index(sorted(floors), ("contract", "year"))
    variables(m, "offtake_covered", keys, upper={k: floors[k][2] for k in keys.keys})
    book.declare("offtake_covered", keys.dims, "unit/yr", output="operation")
    covered = columns(m.offtake_covered)
    country_of = case.countries_of_regions
    book.cost_many("offtake_subsidy", [country_of[floors[k][0]] for k in keys.keys],
                   [k[1] for k in keys.keys],
                   [-max(0.0, floors[k][3] - floors[k][4]) for k in keys.keys], covered)

    made: dict[tuple, list] = defaultdict(list)
    wanted = {(r, c) for r, c, *_ in floors.values()}
    ratios = process_ratios(case)
    for (r, p, t) in m.model().book.cap_keys:
        for c, ratio in ratios[p]:
            if ratio > 0 and (r, c) in wanted:
                made[r, c, t].append((ratio, m.act[r, p, t]))
    claims: dict[tuple, list] = defaultdict(list)
    for o, t in keys.keys:
        r, c = floors[o, t][:2]
        claims[r, c, t].append((1.0, m.offtake_covered[o, t]))
    rows = Index(sorted(claims), ("region", "commodity", "year"))
    constraints(m, "offtake_covered_max", sums(claims, rows) - sums(made, rows) <= 0.0)
    book.declare("offtake_covered_max", rows.dims, "M$/unit", output="limit")
