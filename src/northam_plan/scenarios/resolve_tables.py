r"""Direct re-solve handlers of the Pyomo backend: the numbers a changed table moves in the kept
model.

A matrix-backend model needs none of this: its resolver rebuilds the new case with the
components' own code and pushes the arrays that differ
(:mod:`~northam_plan.scenarios.resolve_arrays`). The handlers below re-derive formulas of the
components, so each is a second source of them; one stays only where the array diff was
measured more than 2× slower than it in the reference case (22,483 variables) or the 12x10x26
synthetic case (35,330) of ``benchmarks/resolve.py``: the whole re-solve (update + warm solve
+ values), the range over up to four runs of medians of 1–5 interleaved repeats, wall-clock
seconds on a shared 2-core machine (CPU seconds of the process in brackets, one run); the
factor of each kept handler is at its code. The handler of capex, fixed O&M and country cost
factors (capex · κ · CRF over the live years of each source of new capacity, fom · μ) was
removed on that ground: the array diff took 0.69–1.62× its time on the reference (CPU 1.12×)
and 1.15–1.27× on the 35k case (CPU 1.18×) — the handler itself walked every source of
capacity and year of its life (0.1–0.4 s, so a whole matrix-backend build was only 1.4–2.4× its
update); those tables now take the rebuild.

Each handler reads the old and the new case and records in :class:`Changes` what must move —
never touching the model itself — so that :func:`apply_changes` (called by
:class:`~northam_plan.scenarios.resolve.Resolver`) can check every change against the compiled
form before it applies any. A change a handler cannot map
onto the kept structure raises :class:`NotDirect` (the resolver then rebuilds). The formulas
are those of the components (their docstrings state them):

``tariffs``
    ``tariff`` cost of flow (untracked, between countries): :math:`rate \cdot price^{ref}_c`.
``demand``
    with :math:`D_{r,c,t}` the demand summed over sectors (unit/yr), :math:`\sigma` 1 (0 when
    unserved demand is not allowed), slices s of weight :math:`h_s` and demand share
    :math:`d_s`: ``commodity_balance`` ≥ D, ``unserved`` ≤ σD; ``delivery_balance`` = D
    (tracked); ``energy_balance`` ≥ :math:`d_s D`, ``unserved_slice`` ≤ :math:`σ d_s D`;
    ``regional_share_min`` ≥ share · D_B and ``supplier_share_max`` ≤ cap · D_B with D_B the
    bloc's demand; ``stock_cover_min`` ≥ days/365 · D; ``reserve_margin_min`` ≥
    :math:`(1 + margin) \max_s d_s D / h_s`. The keys with D > 0 must not change.
``processes`` (``var_om`` only)
    ``variable_om``: vom · μ · act, with the activity component's own
    :func:`~northam_plan.model.components.activity.local_var_om`.
``links`` (``transport_cost``)
    ``transport``: cost · flow (and per slice on interties).
"""

from __future__ import annotations

from collections import defaultdict
from typing import cast

import highspy
import numpy as np
import pandas as pd
import pyomo.environ as pyo

from northam_plan.case.tables import LINE, SET_BY
from northam_plan.model import backends
from northam_plan.model.components.activity import local_var_om
from northam_plan.model.components.energy import slices
from northam_plan.model.components.security import bloc_members, spans
from northam_plan.model.components.trade import tariff_rates
from northam_plan.scenarios.resolve_rebuild import Kept, StructureChanged

_PYOMO = backends.get(backends.PYOMO)  # the changes move a Pyomo model's expressions

#: The columns a direct handler may see changed in each table it covers (None: any column).
COVERED = {"tariffs": None, "demand": None, "processes": ("var_om",),
           "links": ("transport_cost",)}


class NotDirect(Exception):
    """The change cannot be pushed without rebuilding (the message says why)."""


class Changes:
    """What a direct update moves: cost terms, constraint bounds, variable bounds."""

    def __init__(self) -> None:
        self.costs: dict[tuple, dict[int, tuple]] = defaultdict(dict)
        self.rows: dict[int, tuple] = {}
        self.bounds: dict[int, tuple] = {}
        self.after: list = []  # bookkeeping on the model, run once everything is applied

    def cost(self, key: tuple, var, coef: float) -> None:
        """The coefficient of ``var`` in ``annual_cost[key]`` becomes ``coef`` (M$/yr per unit)."""
        self.costs[key][id(var)] = (var, float(coef))

    def row(self, con, lower: float | None, upper: float | None) -> None:
        """The bounds of constraint ``con`` become ``lower`` ≤ body ≤ ``upper``."""
        self.rows[id(con)] = (con, lower, upper)

    def bound(self, var, lower: float | None, upper: float | None) -> None:
        self.bounds[id(var)] = (var, lower, upper)


def direct_changes(m, old, new, changed: list[str]) -> Changes:
    """The :class:`Changes` that turn the model of ``old`` into that of ``new``."""
    uncovered = [name for name in changed if name not in COVERED]
    if uncovered:
        raise NotDirect(f"no direct handler for {', '.join(uncovered)}")
    changes = Changes()
    for name in changed:
        columns = COVERED[name]
        if columns is not None:
            _only_columns(old, new, name, columns)
        HANDLERS[name](m, old, new, changes)
    return changes


def changed_tables(old, new) -> list[str]:
    """Names of the tables whose contents differ (the ``source`` column aside)."""
    changed = []
    for name in sorted(set(old.tables) | set(new.tables)):
        if name not in old.tables or name not in new.tables:
            changed.append(name)
            continue
        if old.tables[name] is new.tables[name]:
            continue
        a = old.tables[name].drop(columns=[LINE, SET_BY, "source"], errors="ignore")
        b = new.tables[name].drop(columns=[LINE, SET_BY, "source"], errors="ignore")
        if not a.reset_index(drop=True).equals(b.reset_index(drop=True)):
            changed.append(name)
    return changed


def _only_columns(old, new, name: str, columns) -> None:
    drop = [LINE, SET_BY, "source", *columns]
    a = old.tables[name].drop(columns=drop, errors="ignore").reset_index(drop=True)
    b = new.tables[name].drop(columns=drop, errors="ignore").reset_index(drop=True)
    if not a.equals(b):
        raise NotDirect(f"{name}.csv changed beyond {', '.join(columns)}")


# --- tariffs ----------------------------------------------------------------------------
# Kept: the array diff took 2.35–2.78× the time of this handler on the reference case (CPU
# 3.38×; 1.03–1.26× on the 35k case), its update alone 20–30×.
def _tariffs(m, old, new, changes: Changes) -> None:
    old_rates, new_rates = tariff_rates(old), tariff_rates(new)
    moved = {k for k in set(old_rates) | set(new_rates)
             if old_rates.get(k, 0.0) != new_rates.get(k, 0.0)}
    if any(key[2] in new.tracked for key in moved):
        raise NotDirect("tariffs on tracked commodities are per origin tag")
    price = dict(zip(new.tables["commodities"]["commodity"],
                     new.tables["commodities"]["reference_price"]))
    country_of = new.countries_of_regions
    tariff_of = m.book.flow_unit_costs[1]
    updates = {}
    for (a, b, c, t), var in m.flow.items():
        k_from, k_to = country_of[a], country_of[b]
        if k_from == k_to or c in new.tracked or (k_from, k_to, c, t) not in moved:
            continue
        value = new_rates.get((k_from, k_to, c, t), 0.0) * price[c]
        changes.cost(("tariff", k_to, t), var, value)
        updates[a, b, c, t] = value

    changes.after.append(lambda: _record(updates, tariff_of))


# --- demand -----------------------------------------------------------------------------
# Kept: the array diff took 3.48–4.42× the time of this handler on the reference case (CPU
# 3.76×; 1.18–1.46× on the 35k case), its update alone 8–11×.
def _demand_totals(case) -> pd.Series:
    return case.demand_by_year.groupby(["region", "commodity", "year"])["quantity"].sum()


def _demand(m, old, new, changes: Changes) -> None:
    before, after = _demand_totals(old), _demand_totals(new)
    if set(before[before > 0].index) != set(after[after > 0].index):
        raise NotDirect("demand becomes positive or stops being positive somewhere")
    demand = after.to_dict()
    moved = before.reindex(after.index, fill_value=0.0) != after
    share = 1.0 if new.options.allow_unserved else 0.0
    slice_of = slices(new)
    book = m.book
    for key, q in after[moved & (after > 0)].items():
        r, c, t = cast(tuple, key)
        if c in new.timesliced:
            for s, (_, d) in slice_of.items():
                changes.row(m.energy_balance[r, c, t, s], d * q, None)
                changes.bound(m.unserved_slice[r, c, t, s], 0.0, share * d * q)
            continue
        changes.bound(m.unserved[r, c, t], 0.0, share * q)
        if c in new.tracked:
            changes.row(m.delivery_balance[r, c, t], q, q)
        else:
            changes.row(m.commodity_balance[r, c, t], q, None)
            changes.after.append(lambda key=(r, c, t), q=q: book.balance_rhs.__setitem__(key, q))
    _security_rows(m, new, demand, changes)
    _stock_rows(m, new, demand, changes)
    _reserve_rows(m, new, demand, slice_of, changes)


def _security_rows(m, case, demand: dict, changes: Changes) -> None:
    members = bloc_members(case)
    country_of = case.countries_of_regions
    by_country: dict = defaultdict(float)
    for (r, c, t), q in demand.items():
        by_country[country_of[r], c, t] += q

    def bloc_demand(bloc, c, t):
        return sum(by_country.get((k, c, t), 0.0) for k in members[bloc])

    if hasattr(m, "regional_share_min"):
        floors = spans(case, "regional_shares", ["bloc", "commodity"], "share")
        for (b, c, t), con in m.regional_share_min.items():
            changes.row(con, floors[b, c, t] * bloc_demand(b, c, t), None)
    if hasattr(m, "supplier_share_max"):
        caps = spans(case, "supplier_caps", ["bloc", "commodity"], "cap")
        for (b, c, _, t), con in m.supplier_share_max.items():
            changes.row(con, None, caps[b, c, t] * bloc_demand(b, c, t))


def _stock_rows(m, case, demand: dict, changes: Changes) -> None:
    if not hasattr(m, "stock_cover_min") or not len(m.stock_cover_min):
        return
    table = case.tables["stockpiles"]
    days = dict(zip(zip(table["region"], table["commodity"]), table["min_cover_days"]))
    for (r, c, t), con in m.stock_cover_min.items():
        changes.row(con, days[r, c] / 365.0 * float(demand.get((r, c, t), 0.0)), None)


def _reserve_rows(m, case, demand: dict, slice_of, changes: Changes) -> None:
    if not hasattr(m, "reserve_margin_min"):
        return
    margins = spans(case, "reserve_margins", ["region", "commodity"], "margin")
    for (r, e, t), con in m.reserve_margin_min.items():
        peak = max(d * demand.get((r, e, t), 0.0) / h for h, d in slice_of.values() if h > 0)
        changes.row(con, (1 + margins[r, e, t]) * peak, None)


# --- processes: var_om ---------------------------------------------------------------------
# Kept: the array diff took 1.92–2.61× the time of this handler on the 35k case (CPU 2.57×; a
# warm solve of 0.2–0.5 s after it), 0.95–1.46× on the reference, its update alone 12–40×.
def _var_om(m, old, new, changes: Changes) -> None:
    country_of = new.countries_of_regions
    before, after = local_var_om(old), local_var_om(new)
    for (r, p, t), var in m.act.items():
        if before[r, p] != after[r, p]:
            changes.cost(("variable_om", country_of[r], t), var, after[r, p])


# --- links: transport_cost ----------------------------------------------------------------
# Kept: the array diff took 1.75–2.55× the time of this handler on the reference case (CPU
# 2.51×) and 1.86–2.22× on the 35k case (CPU 1.95×), its update alone 7–24×.
def _links(m, old, new, changes: Changes) -> None:
    country_of = new.countries_of_regions
    cost = {}
    for a, b, c, before, after in zip(*(new.tables["links"][col] for col in
                                        ("from", "to", "commodity")),
                                      old.tables["links"]["transport_cost"],
                                      new.tables["links"]["transport_cost"]):
        if before != after:
            cost[a, b, c] = float(after)
    transport_of = m.book.flow_unit_costs[0]
    updates = {}
    for (a, b, c, t), var in m.flow.items():
        if (a, b, c) in cost:
            changes.cost(("transport", country_of[b], t), var, cost[a, b, c])
            updates[a, b, c, t] = cost[a, b, c]
    for (a, b, c, t, _), var in getattr(m, "flow_slice", {}).items():
        if (a, b, c) in cost:
            changes.cost(("transport", country_of[b], t), var, cost[a, b, c])

    changes.after.append(lambda: _record(updates, transport_of))


HANDLERS = {"tariffs": _tariffs, "demand": _demand, "processes": _var_om, "links": _links}


def _record(updates: dict, unit_costs: dict) -> None:
    """Bring the allocation plan's unit costs (M$ per unit shipped) to the new values; a value
    of 0 removes the entry, as the build leaves out zero costs."""
    for key, value in updates.items():
        if value:
            unit_costs[key] = value
        else:
            unit_costs.pop(key, None)


def apply_changes(model, kept: Kept, highs: highspy.Highs, changes: Changes, case) -> bool:
    """Check every change of ``changes`` against the compiled form ``kept`` first (raising
    :class:`NotDirect` or :class:`~northam_plan.scenarios.resolve_rebuild.StructureChanged`
    before anything moves), then apply them all: to ``highs``, then to the Pyomo ``model``
    and its ledger. True when the costs HiGHS holds changed (the model's objective expression
    is then stale until the next solve loads it)."""
    book, weights = model.book, case.discount_weights
    cost = kept.cost.copy()
    terms_of = {}
    for key, items in changes.costs.items():
        terms = list(book.cost_terms.get(key, []))
        where: dict[int, list[int]] = {}
        for i, (_, var) in enumerate(terms):
            where.setdefault(id(var), []).append(i)
        for vid, (var, coef) in items.items():
            found = where.get(vid, [])
            if len(found) > 1:
                raise NotDirect(f"{var.name} appears twice in the {key[0]} costs")
            old = terms[found[0]][0] if found else 0.0
            if coef == old:
                continue
            j = kept.column.get(vid)
            if j is None:
                raise NotDirect(f"{var.name} is in no row or cost of the compiled model")
            cost[j] += weights[key[2]] * (coef - old)
            if found:
                terms[found[0]] = (coef, var)
            else:
                terms.append((coef, var))
        terms_of[key] = [(c, v) for c, v in terms if c]
    lower, upper = kept.row_lower.copy(), kept.row_upper.copy()
    rows = kept.rows() if changes.rows else {}
    for con, new_lower, new_upper in changes.rows.values():
        old_lower, old_upper = pyo.value(con.lower), pyo.value(con.upper)
        if (old_lower is None) != (new_lower is None) or \
                (old_upper is None) != (new_upper is None):
            raise NotDirect(f"{con.name} would change its sense")
        if id(con) not in rows:  # no variables: the compiler left it out, as it holds
            body = pyo.value(con.body)
            if (new_lower is not None and body < new_lower - 1e-9) or \
                    (new_upper is not None and body > new_upper + 1e-9):
                raise StructureChanged(f"{con.name} has no variables and cannot hold: "
                                       f"the new case is infeasible")
            continue
        for i, sense in rows[id(con)]:
            if sense <= 0:
                lower[i] += new_lower - old_lower
            if sense >= 0:
                upper[i] += new_upper - old_upper
    col_lower, col_upper = kept.col_lower.copy(), kept.col_upper.copy()
    for var, lb, ub in changes.bounds.values():
        j = kept.column.get(id(var))
        if j is None:
            raise NotDirect(f"{var.name} is in no row or cost of the compiled model")
        col_lower[j] = -np.inf if lb is None else lb
        col_upper[j] = np.inf if ub is None else ub

    # --- apply: HiGHS, then the Pyomo model and its ledger ----------------------------
    stale = kept.push(highs, cost=cost, row_lower=lower, row_upper=upper,
                      col_lower=col_lower, col_upper=col_upper)
    for con, new_lower, new_upper in changes.rows.values():
        body = con.body
        con.set_value(body == new_lower if con.equality else (new_lower, body, new_upper))
    for var, lb, ub in changes.bounds.values():
        var.setlb(lb)
        var.setub(ub)
    index = model.annual_cost.index_set()
    for key, terms in terms_of.items():
        book.cost_terms[key] = terms
        if key not in index:
            index.add(key)
        model.annual_cost[key] = _PYOMO.linear(terms)
    for step in changes.after:
        step()
    return bool(stale)
