"""The shared ledger that components write into while the model is built.

Components never edit each other's constraints (STYLE.md §1). Instead they add

* terms to the **commodity balance** of (region, commodity, year): supply with a positive
  coefficient, use with a negative one, and exogenous demand on the right-hand side;
* terms to the **annual cost** of (category, country, year) in M$/yr;
* **sources of new capacity** of (region, process, online year): permits, pipeline projects;

``supply_many`` and ``cost_many`` add a whole family of terms at once (one array per field,
variables from :func:`~northam_plan.model.algebra.columns`): the matrix backend keeps such a
family as arrays, the Pyomo backend turns it into single terms. Components also
declare the dimension names of the variables and constraints they create, so that results
come out labelled with the vocabulary (region, process, commodity, year …), and which of them
are outputs of the plan (:data:`OUTPUTS`).

What a component hands to later components and to extraction is a field of the ledger too,
written once by the component that makes it: :attr:`Book.cap_keys` (capacity),
:attr:`Book.permit_online`, :attr:`Book.permit_throughput_limit` and
:attr:`Book.project_first_online` (permitting), :attr:`Book.flow_unit_costs` (trade),
:attr:`Book.traded` (market), :attr:`Book.passport_tariffs` (passport). The model's own
ledger is ``model.book``; a disruption scenario's block has its own for its operations.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np

from northam_plan.model.expr import Cols

#: the kinds of output a component declares (:meth:`Book.declare`)
OUTPUTS = ("investment", "operation", "limit")


@dataclass
class Book:
    balance_terms: dict = field(default_factory=lambda: defaultdict(list))
    balance_rhs: dict = field(default_factory=lambda: defaultdict(float))
    cost_terms: dict = field(default_factory=lambda: defaultdict(list))
    capacity_sources: dict = field(default_factory=lambda: defaultdict(list))
    # families of terms the matrix backend keeps as arrays (supply_many, cost_many)
    balance_bulk: list = field(default_factory=list)
    cost_bulk: list = field(default_factory=list)
    dims: dict[str, tuple[str, ...]] = field(default_factory=dict)
    units: dict[str, str] = field(default_factory=dict)
    #: what extraction reads, by kind (:data:`OUTPUTS`), in the order declared
    outputs: dict[str, list[str]] = field(default_factory=lambda: {k: [] for k in OUTPUTS})
    # --- what components hand on ---------------------------------------------------------
    #: (region, process, year) of every capacity alive, sorted (capacity; read by activity,
    #: energy, reserves, security, passport, emissions, offtake)
    cap_keys: list[tuple] = field(default_factory=list)
    #: (region, process, regime, start year) → online year of each permit (permitting)
    permit_online: dict[tuple, int] = field(default_factory=dict)
    #: (country, regime, year) → an agency's yearly throughput limit, workload (permitting)
    permit_throughput_limit: dict[tuple, float] = field(default_factory=dict)
    #: pipeline project → its first online year (permitting)
    project_first_online: dict[str, int] = field(default_factory=dict)
    #: transport and tariff per unit shipped (M$/unit) by (from, to, commodity, year) (trade)
    flow_unit_costs: tuple[dict, dict] = field(default_factory=lambda: ({}, {}))
    #: "purchase" / "sale" → (price M$/unit, quantity cap) by (region, commodity, tier, year),
    #: in the order of the variables (market)
    traded: dict[str, dict] = field(default_factory=dict)
    #: (from, to, commodity, (mined, processed region), year) → [(basis, origin country,
    #: M$/unit)] of the tariffs a tagged flow pays (passport)
    passport_tariffs: dict[tuple, list] = field(default_factory=dict)

    def supply(self, region: str, commodity: str, year: int, coef: float, var) -> None:
        """Add ``coef · var`` to the supply side of a commodity balance (negative = use)."""
        self.balance_terms[region, commodity, year].append((coef, var))

    def supply_many(self, regions, commodities, years, coefs, variables) -> None:
        """:meth:`supply` for a whole family of terms: ``coefs[i] · variables[i]`` in the
        balance of (regions[i], commodities[i], years[i]). ``variables`` from
        :func:`~northam_plan.model.algebra.columns`; ``coefs`` one number or one per term."""
        keys = list(zip(_listed(regions), _listed(commodities), _listed(years)))
        coefs = _per_term(coefs, len(keys))
        if isinstance(variables, Cols):  # the matrix backend keeps the family as arrays
            self.balance_bulk.append((keys, variables.ids, coefs))
            return
        terms = self.balance_terms
        for key, coef, var in zip(keys, coefs.tolist(), variables):
            terms[key].append((coef, var))

    def demand(self, region: str, commodity: str, year: int, quantity: float) -> None:
        """Add exogenous use (unit/yr) to the right-hand side of a commodity balance."""
        self.balance_rhs[region, commodity, year] += quantity
        self.balance_terms.setdefault((region, commodity, year), [])

    def cost(self, category: str, country: str, year: int, coef: float, var) -> None:
        """Add ``coef · var`` (M$/yr in model year ``year``) to a cost category of a country."""
        self.cost_terms[category, country, year].append((coef, var))

    def cost_many(self, category: str, countries, years, coefs, variables) -> None:
        """:meth:`cost` for a whole family of terms: ``coefs[i] · variables[i]`` (M$/yr) in the
        cost ``category`` of countries[i] in model year years[i] (see :meth:`supply_many`)."""
        coefs = _per_term(coefs, len(countries))
        if isinstance(variables, Cols):
            self.cost_bulk.append((category, countries, years, variables.ids, coefs))
            return
        terms = self.cost_terms
        for k, t, coef, var in zip(_listed(countries), _listed(years), coefs.tolist(),
                                   variables):
            terms[category, k, t].append((coef, var))

    def new_capacity(self, region: str, process: str, year: int, var, capex: float) -> None:
        """Register ``var`` (unit/yr) as new capacity of a process online in ``year``, costing
        ``capex`` (M$ per unit/yr, overnight) — a permit, a pipeline project, …"""
        self.capacity_sources[region, process, year].append((var, capex))

    def declare(self, name: str, dims: tuple[str, ...], unit: str,
                output: str | None = None) -> None:
        """Record the dimension names and unit of a variable, expression or constraint called
        ``name``, and whether it is an output of the plan (:data:`OUTPUTS`): ``"investment"``
        (values decided once for every disruption scenario), ``"operation"`` (values per
        scenario) or ``"limit"`` (a constraint whose duals go into plan.nc as
        ``dual_<name>``). Extraction reads these declarations, not a list of names."""
        if output is not None and output not in OUTPUTS:
            raise ValueError(f"output of {name} must be one of {OUTPUTS}, not {output!r}")
        self.dims[name] = dims
        self.units[name] = unit
        if output is not None and name not in self.outputs[output]:
            self.outputs[output].append(name)


def _listed(values) -> list:
    """Python objects (str, int) from a numpy array or any sequence."""
    return values.tolist() if isinstance(values, np.ndarray) else list(values)


def _per_term(coefs, n: int) -> np.ndarray:
    """One float coefficient per term from a number or a sequence of n."""
    coefs = np.asarray(coefs, dtype=float)
    if coefs.ndim == 0:
        return np.full(n, float(coefs))
    if len(coefs) != n:
        raise ValueError(f"{len(coefs)} coefficients for {n} terms")
    return coefs
