"""Reading solved plans for the comparison: a result folder (``summary.json``, ``plan.nc``,
``tables/*.csv`` as written by ``northam-plan solve``), a case file (solved on the fly, or the
earlier result in ``results/<case file name>/`` reused when its case hash and model version
match), an in-memory :class:`~northam_plan.pipeline.CaseRun` or a :class:`SolvedPlan`; and
scenario names made unique.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from importlib.metadata import version
from pathlib import Path

import pandas as pd

from northam_plan.log import get_logger
from northam_plan.scenarios.compare_plan import CompareError, NotOptimal, SolvedPlan, chain_of_case

log = get_logger(__name__)


def load_result(folder: Path | str, name: str | None = None) -> SolvedPlan:
    """Read a result folder written by ``northam-plan solve``."""
    folder = Path(folder)
    if not folder.exists():
        raise CompareError(f"{folder}: no such folder or file")
    if not folder.is_dir():
        raise CompareError(f"{folder}: not a result folder (a folder with summary.json) nor a "
                           "case file (.toml)")
    path = folder / "summary.json"
    if not path.is_file():
        raise CompareError(f"{folder}: no summary.json here, so this is not a solved plan; "
                           "solve a case into it first (northam-plan solve CASE --out "
                           f"{folder})")
    try:
        summary = json.loads(path.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise CompareError(f"{path}: not valid JSON ({err})") from None
    if not isinstance(summary, dict) or "case_hash" not in summary:
        raise CompareError(f"{path}: not a northam-plan summary (no case_hash)")
    if summary.get("status") != "optimal":
        raise CompareError(f"{folder}: the plan is not optimal (status "
                           f"'{summary.get('status')}'), so there is nothing to compare")
    tables = {}
    for csv in sorted((folder / "tables").glob("*.csv")):
        try:
            tables[csv.stem] = pd.read_csv(csv)
        except pd.errors.EmptyDataError:  # a table with no columns: nothing of its kind
            tables[csv.stem] = pd.DataFrame()
        except Exception as err:
            raise CompareError(f"{csv}: cannot be read as CSV ({err})") from None
    if not tables:
        raise CompareError(f"{folder}: tables/ is missing or empty; solve the case again")
    return SolvedPlan(name=name or _default_name(summary, folder), summary=summary,
                      tables=tables, folder=folder)


def from_run(run, name: str | None = None) -> SolvedPlan:
    """A :class:`~northam_plan.pipeline.CaseRun` (solved in this process) as a SolvedPlan."""
    if run.plan is None:
        raise NotOptimal(f"{run.case.path}: the solver ended with status "
                           f"'{run.result.status}', so there is no plan to compare")
    return SolvedPlan(name=name or run.case.path.stem, summary=run.summary,
                      tables=dict(run.plan.tables), folder=run.out,
                      dataset_=run.plan.dataset, chain_=chain_of_case(run.case))


def resolve(item, name: str | None = None, results: Path | str = "results",
            on_solve=None) -> SolvedPlan:
    """A result folder, a case file, a CaseRun or a SolvedPlan → SolvedPlan.

    A case file is solved into ``results/<case file name>/`` unless that folder already holds
    an optimal plan of the same case hash and model version, which is then reused.
    ``on_solve(path, out)`` is called before a solve (the CLI prints a line).
    """
    if isinstance(item, SolvedPlan):
        return item
    if hasattr(item, "plan") and hasattr(item, "case"):
        return from_run(item, name)
    path = Path(item)
    if path.suffix.lower() == ".toml":
        return _solve_or_reuse(path, name, Path(results), on_solve)
    log.info("reading the plan in %s", path)
    return load_result(path, name)


def _solve_or_reuse(path: Path, name, results: Path, on_solve) -> SolvedPlan:
    from northam_plan.case import load_case
    from northam_plan.pipeline import run_case
    from northam_plan.solve import SolveOptions

    if not path.is_file():
        raise CompareError(f"{path}: no such case file")
    case = load_case(path)  # CaseError goes up: the CLI lists the problems
    out = results / path.stem
    summary_path = out / "summary.json"
    why = "no result there yet"
    if summary_path.is_file():
        try:
            summary = json.loads(summary_path.read_text())
        except (json.JSONDecodeError, UnicodeDecodeError):
            summary = {}
        why = ("the case changed since" if summary.get("case_hash") != case.hash else
               "the result there is not optimal" if summary.get("status") != "optimal" else
               "it was solved by another version"
               if (summary.get("versions") or {}).get("northam_plan") != _version() else "")
        if not why:
            log.info("reusing %s for %s (solved before: same case, same version)", out, path)
            plan = load_result(out, name or path.stem)
            plan.chain_ = chain_of_case(case)
            return plan
    log.info("solving %s into %s (%s)", path, out, why)
    if on_solve is not None:
        on_solve(path, out)
    run = run_case(path, out, SolveOptions(quiet=True))
    if run.plan is None:
        raise NotOptimal(f"{path}: the solver ended with status '{run.result.status}' "
                           f"({run.result.message}); there is no plan to compare")
    plan = load_result(out, name or path.stem)
    plan.chain_ = chain_of_case(run.case)
    return plan


def resolve_all(items, names: Sequence[str] | None = None, **kwargs) -> list[SolvedPlan]:
    """Resolve every item; names default to case file names, made unique."""
    if isinstance(items, Mapping):
        names, items = list(items.keys()), list(items.values())
    items = list(items)
    if not items:
        raise CompareError("nothing to compare: give at least one plan")
    plans = [resolve(item, **kwargs) for item in items]
    if names is not None:
        if len(names) != len(plans):
            raise CompareError(f"{len(names)} names for {len(plans)} plans")
        for plan, name in zip(plans, names):
            plan.name = str(name)
    unique_names(plans)
    return plans


def unique_names(plans: list[SolvedPlan]) -> None:
    """Same names (one case solved twice): use folder names, then number the rest."""
    names = [p.name for p in plans]
    folders = [p.folder.name if p.folder is not None else None for p in plans]
    for plan, folder in zip(plans, folders):
        if names.count(plan.name) > 1 and folder is not None and folders.count(folder) == 1 \
                and folder not in names:
            plan.name = folder
    taken: set[str] = set()
    for plan in plans:
        name, n = plan.name, 1
        while name in taken:
            n += 1
            name = f"{plan.name} ({n})"
        plan.name = name
        taken.add(name)


def _default_name(summary: dict, folder: Path) -> str:
    case_file = summary.get("case_file")
    return Path(case_file).stem if case_file else folder.name


def _version() -> str:
    return version("northam-plan")
