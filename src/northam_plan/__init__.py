"""northam-plan: co-planning of North American critical minerals and energy (Pyomo + HiGHS).

The stages, each usable alone from a notebook::

    case = load_case("cases/reference.toml")      # TOML + CSV → validated Case
    model = build_model(case)                     # Case → Pyomo model (backend="matrix": arrays)
    result = solve(model)                         # HiGHS → SolveResult (status, objective, timings)
    plan = extract_plan(model, case)              # → Plan (.dataset: xarray, .tables: pandas)

and for researchers (docs/guides/researchers.md; notebooks/)::

    case.with_overrides({"table": ..., "where": {...}, "set": {...}}, add=[...])  # → new Case
    build_model(case, extra=[fn])                 # fn(model, case) adds your own components
    declare(model, "my_cap", ("year",), "M$/kt")  # dims of a custom constraint → dual_my_cap
    resolver = Resolver(model, case); resolver.solve(); resolver.update(changed_case)
    run = solve_case(case, extra=[fn])            # build + solve + extract → CaseRun (.plan)
    compare({"ref": run_a, "ban": run_b})         # → xarray.Dataset along `scenario`
"""

from importlib.metadata import version as _version

from northam_plan.case import Case, load_case
from northam_plan.errors import CaseError
from northam_plan.model import build_model
from northam_plan.plan import Plan, extract_plan
from northam_plan.research import Resolver, StructureChanged, as_run, declare, solve_case
from northam_plan.scenarios.compare import compare  # plans along a `scenario` dimension (xarray)
from northam_plan.solve import SolveOptions, SolveResult, solve

__version__ = _version("northam-plan")  # one source: pyproject.toml [project] version

__all__ = ["Case", "CaseError", "Plan", "Resolver", "SolveOptions", "SolveResult",
           "StructureChanged", "as_run", "build_model", "compare", "declare", "solve_case",
           "extract_plan", "load_case", "solve", "__version__"]
