"""The whole job on one case: load → build → solve → extract → write, timed stage by stage."""

from __future__ import annotations

import platform
import time
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

from northam_plan.case import Case, load_case
from northam_plan.log import get_logger
from northam_plan.model import backends, build_model
from northam_plan.model.backends import DEFAULT_BACKEND, PYOMO
from northam_plan.plan import Plan, extract_plan, write_plan
from northam_plan.solve import SolveOptions, SolveResult, solve
from northam_plan.solve.numerics import health_warnings

log = get_logger(__name__)
#: HiGHS's log of the solve, beside the plan in the result folder
HIGHS_LOG = "highs.log"


@dataclass
class CaseRun:
    """Everything one run produced; ``plan`` is None unless the solve was optimal."""

    case: Case
    result: SolveResult
    summary: dict
    plan: Plan | None
    out: Path | None


def default_out(case: Case) -> Path:
    return Path("results") / case.path.stem


def run_case(path: Path | str, out: Path | str | None = None,
             options: SolveOptions | None = None, write: bool = True,
             data_roots: tuple | list = (), backend: str = DEFAULT_BACKEND) -> CaseRun:
    """Load the case at ``path``, then :func:`run` it: solve, and (if optimal and ``write``)
    write the plan to ``out`` (default ``results/<case file stem>``).

    ``data_roots``: folders the case may read besides its own (:mod:`northam_plan.case.roots`).

    Raises :class:`northam_plan.errors.CaseError` for invalid input.
    """
    tic = time.perf_counter()
    log.info("loading %s", path)
    case = load_case(path, data_roots)
    loaded = time.perf_counter() - tic
    if write and out is None:
        out = default_out(case)
    return run(case, options, backend=backend, out=out if write else None,
               timings={"load": loaded})


def run(case: Case, options: SolveOptions | None = None, *, backend: str = DEFAULT_BACKEND,
        extra=(), out: Path | str | None = None, timings: dict | None = None,
        summary_extra: dict | None = None) -> CaseRun:
    """The one runner (CLI, sweeps, the notebooks' :func:`~northam_plan.solve_case`): build
    → solve → extract → (``out`` given and optimal) write, timed stage by stage.

    ``backend``: what the model is built as (:mod:`northam_plan.model.backends`) —
    ``"matrix"`` (:data:`~northam_plan.model.backends.DEFAULT_BACKEND`: the components' LP as
    flat arrays, fastest) or ``"pyomo"`` (a Pyomo model and Pyomo's compiler); both give the
    same LP. ``extra``: callables that add a researcher's Pyomo components; they need the Pyomo
    backend, which ``extra`` therefore selects.

    ``summary_extra``: entries added to the summary (e.g. a sweep's scenario) before it is
    written. The result folder also gets ``highs.log``, HiGHS's log of the solve.
    """
    options = options or SolveOptions()
    timings = dict(timings or {})
    if extra:
        backend = PYOMO
    tic = time.perf_counter()
    log.info("building the model of %s (%s backend)", case.name, backend)
    model = build_model(case, extra=extra, backend=backend)
    timings["build"] = time.perf_counter() - tic

    result = solve(model, options)
    timings.update(result.timings)
    return finish(case, model, result, options, out=out, timings=timings,
                  summary_extra=summary_extra)


def finish(case: Case, model, result: SolveResult, options: SolveOptions, *,
           out: Path | str | None = None, timings: dict | None = None,
           summary_extra: dict | None = None) -> CaseRun:
    """The end of :func:`run` after the solve of ``model``: (optimal) extract the plan, make the
    summary, (``out`` given) write summary.json, plan.nc, tables/ and highs.log. A warm
    re-solve (:mod:`northam_plan.scenarios.sweep_warm`) ends here too, so its plan is written
    by the same writer as a cold run's."""
    timings = dict(timings or {})
    plan = None
    if result.optimal:
        tic = time.perf_counter()
        log.info("extracting the plan")
        plan = extract_plan(model, case)
        timings["extract"] = time.perf_counter() - tic
    summary = make_summary(case, result, plan, options, timings, backends.of(model).name)
    summary.update(summary_extra or {})
    written = None
    if plan is not None and out is not None:
        tic = time.perf_counter()
        written = Path(out)
        log.info("writing %s", written)
        write_plan(plan, summary, written)  # summary.json holds the stages before writing
        (written / HIGHS_LOG).write_text("\n".join(result.log) + "\n")
        timings["write"] = time.perf_counter() - tic
        summary["timings"]["write"] = round(timings["write"], 4)
    return CaseRun(case=case, result=result, summary=summary, plan=plan, out=written)


def make_summary(case: Case, result: SolveResult, plan: Plan | None, options: SolveOptions,
                 timings: dict, backend: str = PYOMO, hash_case: bool = True) -> dict:
    """What ``summary.json`` holds. ``hash_case=False`` leaves ``case_hash`` None (the hash
    writes every table as CSV: 0.02 s on the reference), for a summary that is only read,
    never written (the explorer's brief)."""
    unserved = None
    if plan is not None:
        table = plan.tables["unserved"]
        if "scenario" in table:  # expected value over the disruption scenarios
            probability = dict(zip(case.tables["scenarios"]["scenario"],
                                   case.tables["scenarios"]["probability"]))
            table = table.assign(unserved=table["unserved"] * table["scenario"].map(probability))
        unserved = float(table["unserved"].sum())
    return {
        "case": case.name,
        "case_file": str(case.path),
        "case_hash": case.hash if hash_case else None,
        "status": result.status,
        "objective": result.objective,
        "objective_unit": "M$ (present value in the first model year)",
        "costs": plan.costs if plan else None,
        "unserved_total": unserved,
        "sizes": result.sizes,
        "timings": {k: round(v, 4) for k, v in timings.items()},
        "years": list(case.years),
        "options": {"model": case.options.model_dump(), "solve": vars(options),
                    "backend": backend},
        "overrides": list(case.resolved_overrides),
        "extends": [str(p) for p in case.chain],
        "numerics": result.ranges.to_dict() if result.ranges else None,
        "warnings": [*case.warnings,
                     *(health_warnings(result.ranges, case) if result.ranges else [])],
        "versions": {"northam_plan": version("northam-plan"), "pyomo": version("pyomo"),
                     "highspy": version("highspy"), "python": platform.python_version()},
    }
