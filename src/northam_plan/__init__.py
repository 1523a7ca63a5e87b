"""northam-plan: co-planning of North American critical minerals and energy (Pyomo + HiGHS).

The stages, each usable alone from a notebook::

    case = load_case("cases/reference.toml")      # TOML + CSV → validated Case
    model = build_model(case)                     # Case → pyomo.ConcreteModel
    result = solve(model)                         # HiGHS → SolveResult (status, objective, timings)
    plan = extract_plan(model, case)              # → Plan (.dataset: xarray, .tables: pandas)
"""

from northam_plan.case import Case, load_case
from northam_plan.compare import compare  # plans along a `scenario` dimension (xarray)
from northam_plan.errors import CaseError
from northam_plan.model import build_model
from northam_plan.plan import Plan, extract_plan
from northam_plan.solve import SolveOptions, SolveResult, solve

__version__ = "0.1.0"

__all__ = ["Case", "CaseError", "Plan", "SolveOptions", "SolveResult", "build_model", "compare",
           "extract_plan", "load_case", "solve", "__version__"]
