r"""Joint finance facility (finance_facilities.csv): a yearly budget of concessional finance at
its own cost of capital, open to new capacity in the member countries of a bloc; the model
chooses which builds it finances (of the process families it names; all without).

For a facility f of bloc B, with budget :math:`F_{f,t}` (M$/yr) and cost of capital
:math:`i_f` in the years it covers, and a build key (r, p, t) of the capacity component in a
member country k(r) of B, online in such a year t, of a process p of the families the
facility names (``families``; every family where it names none):

Variables
    ``financed[f, r, p, t]`` ≥ 0 — overnight capex of the build financed by the facility (M$).

Constraints
    ``financed_max[r, p, t]``: the facilities finance at most the build's capex,
    :math:`\sum_f financed_{f,r,p,t} \le \sum_s capex_s \, x_s` (M$), over the sources s of
    the build (permits, pipeline projects; :mod:`.capacity`);

    ``finance_budget_max[f, t]``: :math:`\sum_{r,p} financed_{f,r,p,t} \le w_t \, F_{f,t}`
    (M$), with :math:`w_t` the calendar years model year t stands for. Its dual (≤ 0, M$
    present value per M$) is the facility's shadow price: minus the value of one more M$ of
    budget in year t; the plan reports :math:`-dual / W_t` (M$ of that year per M$) in
    ``finance.csv``.

Costs (annual, M$/yr, country of the region)
    ``capital``: the financed share is annualised at the facility's rate instead of the
    country's: in every year t' the build is alive (:mod:`.capacity`),
    :math:`\left(CRF(i_f, life_p) - CRF(i_k, life_p)\right) \cdot financed_{f,r,p,t}`, a
    saving when :math:`i_f < i_k`. So one more M$ of budget used on a build is worth
    :math:`\sum_{t' \text{alive}} W_{t'} \, (CRF(i_k, life_p) - CRF(i_f, life_p))` (M$, present
    value), with :math:`W` the discounted weights of the objective.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict

import pandas as pd

from northam_plan.case.checks_guarantee import families_of
from northam_plan.model.algebra import Index, constraints, sums, terms, variables
from northam_plan.model.components.capacity import crf
from northam_plan.model.components.security import bloc_members

NAME = "finance"
REQUIRES = ("permitting", "capacity")


def budgets(case) -> dict[tuple[str, int], tuple[str, float, float, set[str]]]:
    """(bloc, budget M$/yr, cost of capital, process families; empty: all) per (facility,
    model year)."""
    out = {}
    years = case.years
    for row in case.tables["finance_facilities"].itertuples(index=False):
        first = years[0] if pd.isna(row.start_year) else int(row.start_year)
        last = years[-1] if pd.isna(row.end_year) else int(row.end_year)
        for t in years:
            if first <= t <= last:
                out[row.facility, t] = (row.bloc, float(row.budget), float(row.cost_of_capital),
                                        families_of(row.families))
    return out


def add(m, case, book) -> None:
    offers = budgets(case)
    if not offers:
        return
    years, weights = case.years, case.year_weights
    country_of = case.countries_of_regions
    members = bloc_members(case)
    processes = case.tables["processes"]
    lifetime = dict(zip(processes["process"], processes["lifetime"]))
    family = dict(zip(processes["process"], processes["family"]))
    rate = dict(zip(case.tables["countries"]["country"],
                    case.tables["countries"]["cost_of_capital"]))
    sources = book.capacity_sources

    keys = [(f, r, p, t) for (f, t), (b, _, _, families) in sorted(offers.items())
            for (r, p, t_online) in sorted(sources) if t_online == t
            and country_of[r] in members.get(b, ())
            and (not families or family[p] in families)]
    variables(m, "financed", keys)
    book.declare("financed", ("facility", "region", "process", "year"), "M$", output="investment")

    # Σ_f financed − Σ_s capex_s x_s ≤ 0, per build key
    builds = Index(sorted({(r, p, t) for _, r, p, t in keys}), ("region", "process", "year"))
    capex = {key: [(-capex, var) for var, capex in sources[key] if capex] for key in builds}
    constraints(m, "financed_max", terms(m.financed, keys, at=[k[1:] for k in keys],
                                         index=builds) + sums(capex, builds) <= 0.0)
    book.declare("financed_max", builds.dims, "M$/M$")

    rows = Index(sorted(offers), ("facility", "year"))
    constraints(m, "finance_budget_max", terms(m.financed, keys, at=[(f, t) for f, _, _, t
                                                                      in keys], index=rows)
                <= {(f, t): weights[t] * offers[f, t][1] for f, t in rows})
    book.declare("finance_budget_max", rows.dims, "M$/M$", output="limit")

    change: defaultdict[tuple, float] = defaultdict(float)  # M$/yr per M$ financed, per year
    for f, r, p, t in keys:
        life = int(lifetime[p])
        delta = crf(offers[f, t][2], life) - crf(rate[country_of[r]], life)
        for alive in years[bisect_left(years, t):bisect_left(years, t + life)]:
            change[f, r, p, t, alive] += delta
    for (f, r, p, t, alive), delta in change.items():
        if delta:
            book.cost("capital", country_of[r], alive, delta, m.financed[f, r, p, t])
