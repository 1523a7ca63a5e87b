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

The parts live in their own modules and are re-exported here (import them from
``northam_plan.scenarios.compare`` as before): :mod:`northam_plan.scenarios.compare_plan`
(``SolvedPlan``, ``Chain``, ``CompareError``, ``USMCA``) and
:mod:`northam_plan.scenarios.compare_load` (``load_result``, ``resolve``, ``resolve_all``,
``unique_names``). This module checks that plans can be compared and stacks them along ``scenario``.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from pathlib import Path

import xarray as xr

# re-exported: other modules, tests and notebooks import these from northam_plan.scenarios.compare
from northam_plan.scenarios.compare_load import (
    _version,
    from_run,
    load_result,
    resolve,
    resolve_all,
    unique_names,
)
from northam_plan.scenarios.compare_plan import (
    USMCA,
    Chain,
    CompareError,
    NotOptimal,
    SolvedPlan,
    chain_of_case,
    process_ratios,
)

__all__ = ["USMCA", "Chain", "CompareError", "NotOptimal", "SolvedPlan", "chain_of_case",
           "check_compatible", "combine", "compare", "from_run", "load_result", "pick_base",
           "process_ratios", "resolve", "resolve_all", "unique_names"]


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
    dims: dict[Hashable, dict[tuple, list[str]]] = {}
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
