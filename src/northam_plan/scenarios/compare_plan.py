"""One solved plan as the comparison sees it: :class:`SolvedPlan` (summary, tables, ``plan.nc``,
expected values of a two-stage plan) and the :class:`Chain` of its case (commodity kinds and
units, process families and recipes, the country of each region), with the errors of
comparing plans.

The chain is taken from the case when the plan was solved in this process or its case file is
given; otherwise it is read again from the case file named in ``summary.json`` (its ``note``
says when that file is gone, no longer loads or changed since the solve).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd
import xarray as xr

from northam_plan.errors import CaseError
from northam_plan.plan.table_arrays import without_tables

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
    processes: pd.DataFrame | None = None     # process, family, main_output, activity_per_capacity
    ratios: dict[str, list[tuple[str, float]]] | None = None  # process → (commodity, ±ratio)
    year_weights: dict[int, int] = field(default_factory=dict)
    note: str = ""                             # why the chain is missing or may be stale
    case: Any = None                           # the Case it was read from (unit costs, lead
                                               # times for the brief), None when unknown

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
    left_out: frozenset[str] = frozenset()  # tables not extracted (Plan.left_out)

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
        """The plan's labelled arrays (without the copies of its tables, which are compared
        through :meth:`table`)."""
        if self.dataset_ is not None:
            return without_tables(self.dataset_)
        if self.folder is None:
            raise CompareError(f"{self.name}: no plan to read (neither a dataset nor a result "
                               "folder given)")
        path = self.folder / "plan.nc"
        try:
            with xr.open_dataset(path) as ds:  # classic netCDF, or HDF5 (older plans)
                return without_tables(ds).load()
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
                weighted = array if str(name).startswith("dual_") else array * p
                out[name] = weighted.sum("scenario", min_count=1)
                out[name].attrs = dict(array.attrs)
        return out.drop_vars("scenario", errors="ignore")

    @cached_property
    def chain(self) -> Chain:
        return self.chain_ if self.chain_ is not None else _chain_from_summary(self)

    def table(self, name: str) -> pd.DataFrame | None:
        """A table of the result folder, or None when this plan has no such table;
        LookupError for a table left out of the extraction (:attr:`left_out`): its absence
        would otherwise read as "none"."""
        if name in self.left_out:
            raise LookupError(f"table '{name}' was left out of this plan's extraction "
                              f"(extract_plan(..., without=...)); extract it to read it")
        return self.tables.get(name)


# --- the case behind a plan -------------------------------------------------------------------

def chain_of_case(case) -> Chain:
    processes = case.table("processes")
    return Chain(country_of=dict(case.countries_of_regions),
                 commodities=case.table("commodities"),
                 processes=processes[["process", "family", "main_output",
                                      "activity_per_capacity"]],
                 ratios=process_ratios(processes, case.table("process_io")),
                 year_weights=dict(case.year_weights), case=case)


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
