"""For researchers: declare your own components, and re-solve without rebuilding.

Add a constraint to a built model (or in a ``build_model(case, extra=[fn])`` callable), name its
dimensions, solve, and its duals and slacks come out in the plan like the built-in limits::

    model = build_model(case)
    years = [t for t in case.years if t > 2030]
    model.cn_ndpr_cap = pyo.Constraint(years, rule=lambda m, t:
                                       m.flow["CN", "US", "ndpr_oxide", t] <= 0.5)
    declare(model, "cn_ndpr_cap", ("year",), "M$ per kt (present value)")
    solve(model); plan = extract_plan(model, case)
    plan.dataset["dual_cn_ndpr_cap"]; plan.tables["custom_constraints"]

:class:`~northam_plan.scenarios.resolve.Resolver` (defined in
:mod:`northam_plan.scenarios.resolve`, re-exported here) keeps the compiled standard form and the
HiGHS instance of a solve, so that a case that differs only in numbers — tariffs, demand, costs,
caps, shares, capacities — is pushed into HiGHS and re-solved from the last basis, directly for the
tables that have a handler and by a
rebuild and a diff of the numbers for the others::

    resolver = Resolver(model, case)           # build is yours; this compiles and solves
    first = resolver.solve()
    second = resolver.update(case.with_overrides(
        {"table": "tariffs", "where": {"from": "CN", "to": "US"}, "set": {"rate": 0.25}}))
    plan = extract_plan(resolver.model, resolver.case)  # the plan of the re-solve
"""

from __future__ import annotations

import pyomo.environ as pyo

from northam_plan.case import Case
from northam_plan.scenarios.resolve import Resolver, StructureChanged
from northam_plan.solve import SolveOptions, SolveResult

__all__ = ["Resolver", "StructureChanged", "as_run", "declare", "solve_case"]


def as_run(case: Case, result: SolveResult, plan, options: SolveOptions | None = None):
    """A solve done by hand (build, solve, extract) as a :class:`~northam_plan.pipeline.CaseRun`,
    which :func:`~northam_plan.scenarios.compare` accepts: ``compare({"ref": run_a, "ban":
    run_b})``."""
    from northam_plan.pipeline import CaseRun, make_summary
    return CaseRun(case=case, result=result, plan=plan, out=None, summary=make_summary(
        case, result, plan, options or SolveOptions(), dict(result.timings)))


def solve_case(case: Case, extra=(), options: SolveOptions | None = None, **kwargs):
    """Build (with ``extra`` callables), solve and extract ``case`` in memory → CaseRun
    (``.case``, ``.result``, ``.plan``; ``.plan`` is None unless optimal), through the one
    runner :func:`northam_plan.pipeline.run` (the CLI's: the matrix backend, or the Pyomo backend
    when ``extra`` adds Pyomo components)."""
    from northam_plan.pipeline import run

    return run(case, options or SolveOptions(**kwargs), extra=extra)


def declare(model: pyo.ConcreteModel, name: str, dims: tuple[str, ...] | list[str],
            unit: str = "") -> None:
    """Name the dimensions (and the unit of the dual) of your component ``model.<name>``.

    A constraint declared so, or any constraint on the model that no component made, is a
    *custom constraint*: :func:`~northam_plan.extract_plan` puts ``dual_<name>`` and
    ``slack_<name>`` into ``plan.dataset`` on these dimensions and a row per index into
    ``plan.tables["custom_constraints"]``. Undeclared custom constraints get the dimensions
    ``index_0, index_1, …``.
    """
    component = getattr(model, name, None)
    if component is None:
        raise AttributeError(f"the model has no component '{name}'; add it before declaring")
    dims = tuple(dims)
    if component.is_indexed() and len(component):
        first = next(iter(component.keys()))
        width = len(first) if isinstance(first, tuple) else 1
        if width != len(dims):
            raise ValueError(f"'{name}' is indexed by {width} value(s) per key ({first!r}) "
                             f"but {len(dims)} dimension name(s) were given: {dims}")
    elif not component.is_indexed() and dims:
        raise ValueError(f"'{name}' is not indexed; declare it with dims=()")
    model.book.declare(name, dims, unit)
    custom = getattr(model, "custom_names", None)
    if custom is None:
        custom = model.custom_names = []
    if name not in custom:
        custom.append(name)
