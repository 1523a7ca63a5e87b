r"""Build the model of a case from its components, on either backend (Pyomo or matrix, see
:mod:`northam_plan.model.backends`).

:func:`build_model` adds each component in order (checking that what it requires came before),
then closes the shared ledger:

``commodity_balance[r, c, t]`` (unit/yr) — supply ≥ use for every region, commodity and year
that any component touches:

.. math::
    \sum_p out_{p,c}\,act + \sum_{in} (1 - loss)\,flow + unserved
        \;\ge\; \sum_p in_{p,c}\,act + \sum_{out} flow + demand

A surplus may be discarded (free disposal), so the dual — the marginal cost of supplying one
more unit in r, c, t — is never negative.

``annual_cost[category, country, t]`` (M$/yr) and the objective (M$, present value in the
first model year):

.. math:: \min \sum_{category,k,t} W_t \cdot annual\_cost_{category,k,t}

with :math:`W_t = \sum_{y \in t} (1+d)^{-(y - t_0)}` the discounted weight of model year t.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable
from contextlib import contextmanager

from northam_plan.case import Case
from northam_plan.model import backends
from northam_plan.model.algebra import (
    PYOMO,
    Index,
    blocks,
    building,
    constraints,
    new_model,
    sums,
    terms,
)
from northam_plan.model.book import Book
from northam_plan.model.components import (
    activity,
    capacity,
    demand,
    emissions,
    energy,
    finance,
    guarantee,
    market,
    offtake,
    passport,
    permitting,
    recycling,
    reserves,
    security,
    stockpile,
    trade,
)
from northam_plan.model.costs import add_costs
from northam_plan.model.expr import Cols

#: Components in build order; each is a module with NAME, REQUIRES and add(m, case, book).
COMPONENTS = (permitting, capacity, finance, activity, market, trade, reserves, demand,
              stockpile, recycling, offtake, security, guarantee, energy, emissions, passport)


#: Components decided once for all disruption scenarios (first stage); the others operate.
INVESTMENT = ("permitting", "capacity", "finance")


def build_model(case: Case, extra: Iterable[Callable] = (), components=COMPONENTS,
                backend: str = PYOMO):
    r"""Return the model of ``case``: a Pyomo ``ConcreteModel`` (``backend="pyomo"``, the
    default: the model researchers extend) or a
    :class:`~northam_plan.model.matrix.MatrixModel` (``backend="matrix"``: the
    same LP as flat arrays, no Pyomo objects, for fast solves — see
    :mod:`northam_plan.model.algebra`).

    With disruption scenarios (scenarios.csv) the model is the extensive form of a two-stage
    stochastic program: permits and builds (the INVESTMENT components) are decided once on the
    model; every other component is added once per scenario s to the block
    ``model.scenario[s]``, whose costs count with the scenario's probability:

    .. math:: \min\; invest + \sum_s \pi_s \, operate_s

    ``extra`` are callables ``fn(model, case)`` run after the model is complete, the public hook
    for researchers to add their own variables and constraints.
    """
    if extra and "extra" not in backends.get(backend).features:
        raise ValueError(f"extra components need a Pyomo model (backend='pyomo'), "
                         f"not backend='{backend}'")
    with gc_paused(), building(backend):
        m = _build(case, components)
    for fn in extra:
        fn(m, case)
    return m


@contextmanager
def gc_paused():
    """Pause Python's cyclic garbage collector: building millions of Pyomo objects otherwise
    triggers it again and again (benchmarks/README.md: build 4× faster on 200 k variables).

    On the way out, what was made meanwhile moves to the oldest generation at once (freeze,
    then unfreeze): otherwise the first young collection walks all of it, then the middle one
    again, before the next full collection does (0.7–1 s at a million variables)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.freeze()
            gc.unfreeze()
            gc.enable()


def _build(case: Case, components):
    m = new_model(case.name)
    book = m.book = Book()  # the model's ledger, readable by the components that follow
    _check_order(components)
    scenarios = dict(zip(case.tables["scenarios"]["scenario"],
                         case.tables["scenarios"]["probability"]))
    if not scenarios:
        for component in components:
            component.add(m, case, book)
        _add_balance(m, book)
        add_costs(m, case, [(m, book, 1.0)])
    else:
        for component in components:
            if component.NAME in INVESTMENT:
                component.add(m, case, book)
        m.scenario_names = list(scenarios)
        blocks(m, "scenario", m.scenario_names)
        books = [(m, book, 1.0)]
        for name, probability in scenarios.items():
            block = m.scenario[name]
            block.scenario_name = name
            block.book = Book()
            for component in components:
                if component.NAME not in INVESTMENT:
                    component.add(block, case, block.book)
            _add_balance(block, block.book)
            books.append((block, block.book, float(probability)))
        add_costs(m, case, books)
    m.components_added = tuple(c.NAME for c in components)
    if "table-handlers" not in backends.of(m).features:  # the arrays hold the terms now
        for ledger in [book, *(m.scenario[s].book for s in getattr(m, "scenario_names", []))]:
            ledger.balance_terms.clear()
            ledger.cost_terms.clear()
            ledger.capacity_sources.clear()
            ledger.balance_bulk.clear()
            ledger.cost_bulk.clear()
    return m


def _check_order(components) -> None:
    added: list[str] = []
    for component in components:
        missing = [name for name in component.REQUIRES if name not in added]
        if missing:
            raise ValueError(f"component '{component.NAME}' requires {missing} to be added "
                             f"before it; order now: {added}")
        added.append(component.NAME)


def _add_balance(m, book: Book) -> None:
    """``commodity_balance[r, c, t]``: the ledger's supply terms ≥ its demand (module
    docstring), one row per (r, c, t) with a term, in sorted order."""
    present = {key for key, items in book.balance_terms.items() if items}
    for keys, _, _ in book.balance_bulk:
        present.update(keys)
    rows = Index(sorted(present), ("region", "commodity", "year"))
    supply = sums(book.balance_terms, rows)
    for keys, ids, coefs in book.balance_bulk:  # families of supply_many (matrix backend)
        supply = supply + terms(Cols(m.model(), ids), at=keys, coefs=coefs, index=rows)
    constraints(m, "commodity_balance", supply >= book.balance_rhs)
    book.declare("commodity_balance", ("region", "commodity", "year"), "M$/unit")
