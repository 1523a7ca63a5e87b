"""Several solved plans side by side: load result folders, check they can be compared, and
combine their ``plan.nc`` along a ``scenario`` dimension.

A plan is given as a result folder (``summary.json``, ``plan.nc``, ``tables/*.csv`` as written
by ``northam-plan solve``), as a case file (solved on the fly, or the earlier result in
``results/<case file name>/`` reused when its case hash and model version match), or as an
in-memory :class:`~northam_plan.pipeline.CaseRun`.

Plans can be compared when they come from the same version of northam-plan (``versions.
northam_plan`` in ``summary.json``), cover the same model years, give every array the same
dimensions and measure each commodity in the same unit. Anything else is a
:class:`CompareError` whose message says which plans differ and how.

From a notebook::

    from northam_plan import compare
    ds = compare(["results/reference", "cases/financial_integration.toml"])
    ds["annual_cost"].sum(["category", "country"]).plot(hue="scenario")
    (ds - ds.sel(scenario="reference"))["cap"]            # differences from the base
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from importlib.metadata import version
from pathlib import Path

import pandas as pd
import xarray as xr

from northam_plan.errors import CaseError

#: the members of the North American bloc whose plan this is
USMCA = ("US", "CA", "MX")


class CompareError(Exception):
    """Plans that cannot be read or compared; the message says what to do about it."""


class NotOptimal(CompareError):
    """A case given to compare did not solve to optimality."""


@dataclass
class Chain:
    """What the case says about commodities, processes and regions (for metrics and charts).

    Read from the plan's case file; ``None`` fields when that file is gone (then the metrics
    that need them say so instead of showing a number).
    """

    country_of: dict[str, str]
    commodities: pd.DataFrame | None = None   # commodity, kind, unit, name, reference_price
    processes: pd.DataFrame | None = None     # process, family, main_output
    ratios: dict[str, list[tuple[str, float]]] | None = None  # process → (commodity, ±ratio)
    year_weights: dict[int, int] = field(default_factory=dict)
    note: str = ""                             # why the chain is missing or may be stale

    @property
    def known(self) -> bool:
        return self.commodities is not None and self.processes is not None

    def unit(self, commodity: str) -> str:
        if self.commodities is None:
            return "unit"
        units = dict(zip(self.commodities["commodity"], self.commodities["unit"]))
        return str(units.get(commodity, "unit"))


@dataclass
class SolvedPlan:
    """One solved plan as read from its result folder (or taken from a fresh run)."""

    name: str
    summary: dict
    tables: dict[str, pd.DataFrame]
    folder: Path | None = None
    dataset_: xr.Dataset | None = None
    chain_: Chain | None = None

    @property
    def version(self) -> str:
        return str((self.summary.get("versions") or {}).get("northam_plan", "unknown"))

    @property
    def label(self) -> str:
        """The case's own name, e.g. 'USMCA reference'."""
        return str(self.summary.get("case") or self.name)

    @property
    def years(self) -> list[int]:
        return [int(y) for y in self.summary.get("years") or []]

    @cached_property
    def dataset(self) -> xr.Dataset:
        if self.dataset_ is not None:
            return self.dataset_
        path = self.folder / "plan.nc"
        try:
            with xr.open_dataset(path, engine="h5netcdf") as ds:
                return ds.load()
        except FileNotFoundError:
            raise CompareError(f"{self.folder}: plan.nc is missing; solve the case again "
                               "(northam-plan solve CASE --out FOLDER)") from None
        except Exception as err:  # an unreadable file: say which one
            raise CompareError(f"{path}: cannot be read as netCDF ({err})") from None

    @property
    def stochastic(self) -> bool:
        """A two-stage plan: operations per disruption scenario (a ``scenario`` dimension)."""
        return "scenario" in self.dataset.dims and "probability" in self.dataset.data_vars

    @cached_property
    def expected(self) -> xr.Dataset:
        """The dataset with one value per variable and key: in a stochastic plan, the
        expected value over its disruption scenarios (Σ probability × value; the ``dual_``
        arrays of the extensive form already carry the probability and are summed)."""
        ds = self.dataset
        if not self.stochastic:
            return ds
        p = ds["probability"]
        out = ds.drop_vars("probability")
        for name, array in out.data_vars.items():
            if "scenario" in array.dims:
                weighted = array if name.startswith("dual_") else array * p
                out[name] = weighted.sum("scenario", min_count=1)
                out[name].attrs = dict(array.attrs)
        return out.drop_vars("scenario", errors="ignore")

    @cached_property
    def chain(self) -> Chain:
        return self.chain_ if self.chain_ is not None else _chain_from_summary(self)

    def table(self, name: str) -> pd.DataFrame | None:
        """A table of the result folder, or None when this plan has no such table."""
        return self.tables.get(name)


# --- reading ----------------------------------------------------------------------------------

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
    if summary_path.is_file():
        try:
            summary = json.loads(summary_path.read_text())
        except (json.JSONDecodeError, UnicodeDecodeError):
            summary = {}
        if (summary.get("case_hash") == case.hash and summary.get("status") == "optimal"
                and (summary.get("versions") or {}).get("northam_plan") == _version()):
            plan = load_result(out, name or path.stem)
            plan.chain_ = chain_of_case(case)
            return plan
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


# --- the case behind a plan -------------------------------------------------------------------

def chain_of_case(case) -> Chain:
    processes = case.table("processes")
    return Chain(country_of=dict(case.countries_of_regions),
                 commodities=case.table("commodities"),
                 processes=processes[["process", "family", "main_output"]],
                 ratios=process_ratios(processes, case.table("process_io")),
                 year_weights=dict(case.year_weights))


def process_ratios(processes: pd.DataFrame, process_io: pd.DataFrame
                   ) -> dict[str, list[tuple[str, float]]]:
    """Per process, (commodity, ratio) it produces (+) and consumes (−) per unit of activity."""
    ratios = {p: [(c, 1.0)] for p, c in zip(processes["process"], processes["main_output"])}
    for p, c, side, ratio in process_io[["process", "commodity", "side", "ratio"]].itertuples(
            index=False):
        if p not in ratios or (side == "output" and ratios[p][0][0] == c):
            continue
        ratios[p].append((c, float(ratio) if side == "output" else -float(ratio)))
    return ratios


def _chain_from_summary(plan: SolvedPlan) -> Chain:
    """Load the plan's case file for commodity kinds, units and process recipes."""
    from northam_plan.case import load_case

    country_of = _countries_from_tables(plan.tables)
    years = plan.years
    weights = {t: (years[i + 1] - t if i + 1 < len(years) else 1) for i, t in enumerate(years)}
    case_file = plan.summary.get("case_file")
    if not case_file or not Path(case_file).is_file():
        return Chain(country_of, year_weights=weights,
                     note=f"the case file ({case_file}) of plan '{plan.name}' is not found, so "
                          "commodity kinds and units are unknown")
    try:
        case = load_case(case_file)
    except CaseError:
        return Chain(country_of, year_weights=weights,
                     note=f"the case file {case_file} of plan '{plan.name}' no longer loads")
    chain = chain_of_case(case)
    chain.country_of = {**country_of, **chain.country_of}
    if case.hash != plan.summary.get("case_hash"):
        chain.note = (f"the case file {case_file} changed since plan '{plan.name}' was solved; "
                      "commodity kinds, units and recipes are taken from its current version")
    if tuple(case.years) != tuple(years):
        chain.year_weights = weights
    return chain


def _countries_from_tables(tables: dict[str, pd.DataFrame]) -> dict[str, str]:
    out: dict[str, str] = {}
    for name in ("activity", "investments", "permits"):
        frame = tables.get(name)
        if frame is not None and {"region", "country"} <= set(frame.columns):
            out.update(dict(zip(frame["region"].astype(str), frame["country"].astype(str))))
    return out


# --- checks -----------------------------------------------------------------------------------

def check_compatible(plans: Sequence[SolvedPlan], datasets: bool = True) -> list[str]:
    """Raise CompareError if the plans cannot be compared; return warnings otherwise."""
    versions = {p.name: p.version for p in plans}
    if len(set(versions.values())) > 1:
        listing = ", ".join(f"{n}: {v}" for n, v in versions.items())
        raise CompareError(
            f"these plans come from different versions of northam-plan ({listing}); their "
            "numbers are not comparable. Solve the older ones again with this version "
            f"({_version()}): northam-plan solve CASE --out FOLDER")
    years = {p.name: tuple(p.years) for p in plans}
    if len(set(years.values())) > 1:
        listing = "; ".join(f"{n}: {_span(y)}" for n, y in years.items())
        raise CompareError(f"these plans cover different model years ({listing}); totals over "
                           "different horizons are not comparable")
    _check_units(plans)
    warnings = [p.chain.note for p in plans if p.chain.note]
    if datasets:
        _check_dims(plans)
    return warnings


def _span(years: tuple[int, ...]) -> str:
    if not years:
        return "none"
    step = years[1] - years[0] if len(years) > 1 else 1
    return f"{years[0]}–{years[-1]} step {step} ({len(years)} years)"


def _check_units(plans: Sequence[SolvedPlan]) -> None:
    units: dict[str, dict[str, str]] = {}
    for plan in plans:
        if plan.chain.commodities is None:
            continue
        for c, u in zip(plan.chain.commodities["commodity"], plan.chain.commodities["unit"]):
            units.setdefault(c, {})[plan.name] = str(u)
    clashes = [f"{c} ({', '.join(f'{n}: {u}' for n, u in by.items())})"
               for c, by in units.items() if len(set(by.values())) > 1]
    if clashes:
        raise CompareError("these plans measure a commodity in different units, so their "
                           "quantities are not comparable: " + "; ".join(clashes))


def _check_dims(plans: Sequence[SolvedPlan]) -> None:
    dims: dict[str, dict[tuple, list[str]]] = {}
    for plan in plans:
        for var, array in plan.expected.data_vars.items():
            dims.setdefault(var, {}).setdefault(tuple(array.dims), []).append(plan.name)
    clashes = [f"'{var}' is " + " but ".join(f"({', '.join(d)}) in {', '.join(names)}"
                                              for d, names in by.items())
               for var, by in dims.items() if len(by) > 1]
    if clashes:
        more = f"; and {len(clashes) - 3} more" if len(clashes) > 3 else ""
        raise CompareError("these plans have incompatible dimensions: "
                           + "; ".join(clashes[:3]) + more)


# --- xarray -----------------------------------------------------------------------------------

def compare(items, base: str | None = None, names: Sequence[str] | None = None,
            **kwargs) -> xr.Dataset:
    """Combine the ``plan.nc`` of several plans along a new ``scenario`` dimension.

    ``items``: result folders, case files, CaseRuns or SolvedPlans (or a mapping name → item).
    Coordinates are joined (outer): a region, process or link that one plan lacks is NaN there.
    A two-stage stochastic plan enters with its expected operations (coordinate
    ``stochastic`` says which plans are such).
    ``attrs['base']`` names the base scenario (the first unless ``base`` is given); the
    differences from it are ``ds - ds.sel(scenario=ds.attrs['base'])``.
    """
    plans = resolve_all(items, names, **kwargs)
    return combine(plans, base)


def combine(plans: Sequence[SolvedPlan], base: str | None = None) -> xr.Dataset:
    """The datasets of ``plans`` (checked, names made unique) along ``scenario``."""
    unique_names(list(plans))
    check_compatible(plans)
    base = pick_base(plans, base)
    datasets = []
    for plan in plans:
        ds = plan.expected.copy()  # a stochastic plan: expected values (see SolvedPlan.expected)
        ds.attrs = {}
        datasets.append(ds.expand_dims(scenario=[plan.name]))
    combined = xr.concat(datasets, dim="scenario", join="outer", data_vars="all",
                         coords="minimal", compat="override", combine_attrs="drop")
    for var in combined.data_vars:
        unit = plans[0].dataset[var].attrs.get("unit") if var in plans[0].dataset else None
        if unit:
            combined[var].attrs["unit"] = unit
    combined = combined.assign_coords(
        case_name=("scenario", [p.label for p in plans]),
        case_hash=("scenario", [str(p.summary.get("case_hash")) for p in plans]),
        stochastic=("scenario", [p.stochastic for p in plans]))
    combined["objective"] = ("scenario", [float(p.summary.get("objective") or 0.0)
                                          for p in plans])
    combined["objective"].attrs["unit"] = "M$ (present value)"
    combined.attrs = {"base": base, "northam_plan": plans[0].version}
    return combined


def pick_base(plans: Sequence[SolvedPlan], base: str | None) -> str:
    """The base scenario's name: ``base`` may name a scenario, a folder or a case file."""
    if base is None:
        return plans[0].name
    for plan in plans:
        if base == plan.name:
            return plan.name
    for plan in plans:
        candidates = {Path(base).stem, Path(base).name}
        if (plan.folder is not None and (Path(base).resolve() == plan.folder.resolve()
                                         or plan.folder.name in candidates)) or \
                Path(str(plan.summary.get("case_file", ""))).stem in candidates:
            return plan.name
    raise CompareError(f"--base {base}: not one of the scenarios compared "
                       f"({', '.join(p.name for p in plans)})")
