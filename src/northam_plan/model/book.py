"""The shared ledger that components write into while the model is built.

Components never edit each other's constraints (STYLE.md §1). Instead they add

* terms to the **commodity balance** of (region, commodity, year): supply with a positive
  coefficient, use with a negative one, and exogenous demand on the right-hand side;
* terms to the **annual cost** of (category, country, year) in M$/yr;
* **sources of new capacity** of (region, process, online year): permits, pipeline projects;

and declare the dimension names of the variables and constraints they create, so that results
come out labelled with the vocabulary (region, process, commodity, year …).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from northam_plan.model.algebra import linear  # noqa: F401  (re-exported)


@dataclass
class Book:
    balance_terms: dict = field(default_factory=lambda: defaultdict(list))
    balance_rhs: dict = field(default_factory=lambda: defaultdict(float))
    cost_terms: dict = field(default_factory=lambda: defaultdict(list))
    cost_constant: dict = field(default_factory=lambda: defaultdict(float))
    cost_spans: list = field(default_factory=list)
    capacity_sources: dict = field(default_factory=lambda: defaultdict(list))
    dims: dict[str, tuple[str, ...]] = field(default_factory=dict)
    units: dict[str, str] = field(default_factory=dict)

    def supply(self, region: str, commodity: str, year: int, coef: float, var) -> None:
        """Add ``coef · var`` to the supply side of a commodity balance (negative = use)."""
        self.balance_terms[region, commodity, year].append((coef, var))

    def demand(self, region: str, commodity: str, year: int, quantity: float) -> None:
        """Add exogenous use (unit/yr) to the right-hand side of a commodity balance."""
        self.balance_rhs[region, commodity, year] += quantity
        self.balance_terms.setdefault((region, commodity, year), [])

    def cost(self, category: str, country: str, year: int, coef: float, var) -> None:
        """Add ``coef · var`` (M$/yr in model year ``year``) to a cost category of a country."""
        self.cost_terms[category, country, year].append((coef, var))

    def cost_each_year(self, category: str, country: str, years: list, coef: float,
                       var) -> None:
        """Add ``coef · var`` (M$/yr) to a cost category of a country in each model year of
        ``years`` — one entry for what would be a term per year (pass the same list object for
        many variables: the matrix route expands each distinct list once)."""
        self.cost_spans.append((category, country, years, coef, var))

    def new_capacity(self, region: str, process: str, year: int, var, capex: float) -> None:
        """Register ``var`` (unit/yr) as new capacity of a process online in ``year``, costing
        ``capex`` (M$ per unit/yr, overnight) — a permit, a pipeline project, …"""
        self.capacity_sources[region, process, year].append((var, capex))

    def declare(self, name: str, dims: tuple[str, ...], unit: str) -> None:
        """Record the dimension names and unit of a variable or constraint called ``name``."""
        self.dims[name] = dims
        self.units[name] = unit
