"""Lead times from the tables: permitting regimes, construction years and their rounding.

The lead time of new capacity of process p in country k under regime g is

    L(k, p, g) = permitting_years(k, family(p), g) + construction_years(k, p)

A permit started in model year t yields capacity in the first model year ≥ t + L. When the
model's year step does not divide L, that rounds the lead time *up* to the next model year
(never earlier than physically possible); :func:`rounding_warnings` says where it happens.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

DEFAULT_REGIME = "standard"


@dataclass(frozen=True)
class Regime:
    name: str
    permitting_years: int
    premium: float  # M$ per unit/yr of capacity permitted


def regimes(case) -> dict[tuple[str, str], tuple[Regime, ...]]:
    """Regimes per (country, family); pairs without rows get ``standard`` with 0 years."""
    found: dict[tuple[str, str], list[Regime]] = {}
    for k, family, name, years, premium in case.tables["regimes"][
            ["country", "family", "regime", "permitting_years", "premium"]].itertuples(
            index=False):
        found.setdefault((k, family), []).append(Regime(name, int(years), float(premium)))
    default = (Regime(DEFAULT_REGIME, 0, 0.0),)
    countries = case.tables["countries"]["country"]
    families = set(case.tables["processes"]["family"])
    return {(k, f): tuple(found.get((k, f), default)) for k in countries for f in families}


def construction_years(case) -> dict[tuple[str, str], int]:
    """Construction years per (process, country)."""
    processes = case.tables["processes"]
    default = dict(zip(processes["process"], processes["construction_years"]))
    override = {(p, k): int(y) for p, k, y in case.tables["construction_times"][
        ["process", "country", "construction_years"]].itertuples(index=False)}
    return {(p, k): override.get((p, k), int(default[p]))
            for p in processes["process"] for k in case.tables["countries"]["country"]}


def online_year(years: tuple[int, ...], start_year: int, lead: int) -> int | None:
    """First model year ≥ start_year + lead, or None when that lies beyond the horizon."""
    i = bisect.bisect_left(years, start_year + lead)
    return years[i] if i < len(years) else None


def project_first_year(years, regimes, construction: int, stage: str, earliest) -> int | None:
    """The first model year a pipeline project can be online: its earliest online year, or
    later by what it still needs — permitting under the standard regime (else the country's
    first) and ``construction`` years from exploration, construction alone once permitted.
    None when that falls after the horizon."""
    remaining = 0
    if stage == "exploration":
        regime = {g.name: g for g in regimes}.get(DEFAULT_REGIME, regimes[0])
        remaining = regime.permitting_years + construction
    elif stage == "permitting":
        remaining = construction
    return online_year(years, max(int(earliest), years[0] + remaining), 0)


def rounding_warnings(case) -> list[str]:
    """Lead times that the year step rounds up, one line per (country, process, regime)."""
    step = case.years_spec.step
    if step == 1:
        return []
    family = dict(zip(case.tables["processes"]["process"], case.tables["processes"]["family"]))
    build = construction_years(case)
    warnings = []
    for (k, f), options in regimes(case).items():
        for p in (p for p, fam in family.items() if fam == f):
            for regime in options:
                lead = regime.permitting_years + build[p, k]
                if lead % step:
                    warnings.append(
                        f"lead time of {p} in {k} under '{regime.name}' is {lead} years; with "
                        f"a {step}-year step, capacity comes online "
                        f"{step - lead % step} year(s) later, at the next model year")
    if len(warnings) > 5:
        warnings = warnings[:5] + [f"… and {len(warnings) - 5} more lead times rounded up"]
    return warnings
