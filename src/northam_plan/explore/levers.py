"""The explorer's levers: each policy question as one control whose value maps to the
``[[override]]`` or ``[[add]]`` blocks a case file would carry (:func:`blocks`).

A lever shows its value in the unit a committee speaks in (a tariff in %, permitting in years,
a stockpile in days of demand) and converts it to the table's own unit only in the blocks it
writes, so the case that is solved, validated and saved is exactly what a planner would write
by hand. A lever at its base value writes nothing.

=====================  =======================================================  ==============
lever                  table and block                                           shown in
=====================  =======================================================  ==============
tariff                 ``tariffs.rate`` of (origin, destination, commodity),     % of the
                       the row in force from its latest ``start_year``           reference price
export ban             ``[[add]] disruptions`` (exporter, commodity, from a      start year
                       year, ``limit = 0``)
permitting years       ``regimes.permitting_years`` of (country, family,         years
                       regime)
agency throughput      ``throughput.limit`` of (country, regime)                 projects/yr
sourcing floor         ``[[add]] regional_shares`` (bloc, commodity, from        % of use
                       :data:`POLICY_START`)
supplier cap           ``[[add]] supplier_caps`` (bloc, commodity, from          % of use
                       :data:`POLICY_START`)
stockpile cover        ``stockpiles.min_cover_days`` of (region, commodity)      days
cost of capital        ``countries.cost_of_capital`` of a country                % a year
demand scale           ``demand.quantity`` of every row of a mineral chain's     % of the base
                       commodities, times the scale (one override per row)
=====================  =======================================================  ==============
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from northam_plan.case import Case

#: the first year of a sourcing floor or supplier cap set in the explorer
POLICY_START = 2030
#: the ``source`` written into every row the explorer adds
SOURCE = "northam-plan explore: a what-if set by the user"

Blocks = tuple[list[dict], list[dict]]  # ([[override]] blocks, [[add]] blocks)


@dataclass(frozen=True)
class Lever:
    """One control. ``value`` is in the display unit; ``write(value)`` gives its blocks."""

    key: str                 # id in the page and in requests, e.g. "tariff:CN:US:magnet"
    group: str               # the section of the page
    label: str               # names, not codes
    unit: str                # the display unit, e.g. "%", "years"
    base: float              # the base case's value, in the display unit
    low: float
    high: float
    step: float
    write: Callable[[float], Blocks] = field(repr=False, compare=False)
    choices: tuple[tuple[float, str], ...] = ()  # a select (value, text) instead of a slider

    def blocks(self, value: float) -> Blocks:
        """The blocks of ``value``; none when it is the base value."""
        if _same(value, self.base):
            return [], []
        return self.write(value)


def _same(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-12 * max(1.0, abs(a), abs(b))


def blocks(levers: Mapping[str, Lever], values: Mapping[str, float]) -> Blocks:
    """The override and add blocks of ``values`` (lever key → value), in the levers' order.
    An unknown key is a :class:`KeyError` naming it."""
    unknown = [k for k in values if k not in levers]
    if unknown:
        raise KeyError(f"no lever named {', '.join(map(repr, unknown))}")
    overrides: list[dict] = []
    adds: list[dict] = []
    for key, lever in levers.items():
        if key in values:
            o, a = lever.blocks(float(values[key]))
            overrides += o
            adds += a
    return overrides, adds


# --- the levers of a case ----------------------------------------------------------------

class _Namer:
    """Display names from the case's own tables (as :mod:`northam_plan.report.names`)."""

    def __init__(self, case: Case, commodity_names: Mapping[str, str]) -> None:
        countries = case.tables["countries"]
        shown = countries["name"] if "name" in countries else countries["country"]
        self._country = {str(k): str(n) for k, n in zip(countries["country"], shown)
                         if isinstance(n, str) and n.strip()}
        self._commodity = dict(commodity_names)
        commodities = case.tables["commodities"]
        self._unit = dict(zip(commodities["commodity"], commodities["unit"]))
        self._kind = dict(zip(commodities["commodity"], commodities["kind"]))
        regions = case.tables["regions"]
        self.country_of = dict(zip(regions["region"], regions["country"]))

    def country(self, code: str) -> str:
        return self._country.get(code, code)

    def commodity(self, code: str) -> str:
        return self._commodity.get(code, code.replace("_", " "))

    def kind(self, code: str) -> str:
        return str(self._kind.get(code, ""))


def levers_of(case: Case, commodity_names: Mapping[str, str],
              chains: Iterable[tuple[str, str, tuple[str, ...]]]) -> dict[str, Lever]:
    """Every lever of ``case`` (key → lever, in page order). ``commodity_names``: code → short
    name (:class:`~northam_plan.report.names.Names`); ``chains``: (key, title, stages) of each
    mineral chain, for the demand levers."""
    names = _Namer(case, commodity_names)
    out: dict[str, Lever] = {}
    for make in (_tariffs, _bans, _permitting, _throughput, _floors, _caps, _stockpiles,
                 _capital):
        for lever in make(case, names):
            out[lever.key] = lever
    for lever in _demand(case, chains):
        out[lever.key] = lever
    return out


def _override(table: str, where: dict, column: str, factor: float = 1.0,
              integer: bool = False) -> Callable[[float], Blocks]:
    """A lever that sets one column of the rows ``where`` matches to value × factor."""
    def write(value: float) -> Blocks:
        new: float | int = int(round(value)) if integer else value * factor
        return [{"table": table, "where": dict(where), "set": {column: new}}], []
    return write


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [{str(k): v for k, v in row.items()} for row in frame.to_dict("records")]


def _percent(value: float) -> float:
    return value / 100


def _tariffs(case: Case, names: _Namer) -> list[Lever]:
    t = case.tables["tariffs"]
    if t.empty:
        return []
    out = []
    start = t["start_year"].fillna(case.years[0]).astype(int)
    latest = t.assign(_start=start).sort_values("_start").groupby(
        ["to", "from", "commodity"], sort=False).tail(1)
    order = {"US": 0, "CA": 1, "MX": 2}
    latest = latest.sort_values(["to", "from", "commodity"],
                                key=lambda s: s.map(order).fillna(9) if s.name == "to" else s)
    for row in latest.to_dict("records"):
        origin, destination, commodity = str(row["from"]), str(row["to"]), str(row["commodity"])
        where: dict = {"from": origin, "to": destination, "commodity": commodity}
        if not pd.isna(row["start_year"]):
            where["start_year"] = int(row["start_year"])
        year = int(row["_start"])
        out.append(Lever(
            key=f"tariff:{origin}:{destination}:{commodity}",
            group=f"Tariffs into {names.country(destination)}",
            label=f"{names.commodity(commodity)} from {names.country(origin)}, from {year}",
            unit="%", base=round(float(row["rate"]) * 100, 10), low=0, high=200, step=5,
            write=_scaled(_override("tariffs", where, "rate"), _percent)))
    return out


def _scaled(write: Callable[[float], Blocks], convert: Callable[[float], float]
            ) -> Callable[[float], Blocks]:
    return lambda value: write(convert(value))


def _exporters(case: Case, names: _Namer) -> list[tuple[str, str]]:
    """(exporter country, commodity) of every link out of a country outside the USMCA."""
    blocs = case.tables.get("blocs")
    members = set(blocs.loc[blocs["bloc"] == "USMCA", "country"]) if blocs is not None \
        and len(blocs) else {"US", "CA", "MX"}
    links = case.tables["links"]
    seen: dict[tuple[str, str], None] = {}
    for origin, commodity in zip(links["from"], links["commodity"]):
        country = names.country_of.get(origin, origin)
        if country not in members and names.kind(commodity) in ("mineral", "material",
                                                                   "component"):
            seen[(country, commodity)] = None
    return sorted(seen)


def _bans(case: Case, names: _Namer) -> list[Lever]:
    years = case.years
    choices = ((0.0, "no ban"), *((float(t), f"from {t}") for t in years[1:]))
    out = []
    for exporter, commodity in _exporters(case, names):
        def write(value: float, exporter=exporter, commodity=commodity) -> Blocks:
            return [], [{"table": "disruptions", "rows": [
                {"exporter": exporter, "commodity": commodity, "start_year": int(value),
                 "limit": 0.0, "source": SOURCE}]}]
        out.append(Lever(
            key=f"ban:{exporter}:{commodity}", group="Export bans",
            label=f"{names.country(exporter)} stops exporting {names.commodity(commodity)}",
            unit="start year", base=0.0, low=0, high=years[-1], step=1, write=write,
            choices=choices))
    return out


def _permitting(case: Case, names: _Namer) -> list[Lever]:
    out = []
    for row in _records(case.tables["regimes"]):
        if pd.isna(row["permitting_years"]):
            continue
        country, family, regime = str(row["country"]), str(row["family"]), str(row["regime"])
        where = {"country": country, "family": family, "regime": regime}
        out.append(Lever(
            key=f"permit:{country}:{family}:{regime}", group="Permitting time",
            label=f"{names.country(country)}: {family}, {regime.replace('_', ' ')} permitting",
            unit="years", base=float(row["permitting_years"]), low=0, high=15, step=1,
            write=_override("regimes", where, "permitting_years", integer=True)))
    return out


def _throughput(case: Case, names: _Namer) -> list[Lever]:
    table = case.tables["throughput"]
    out = []
    for (country, regime), rows in table.groupby(["country", "regime"], sort=False):
        if len(rows) != 1:  # several year spans: not one lever
            continue
        out.append(Lever(
            key=f"throughput:{country}:{regime}", group="Permitting agency throughput",
            label=f"{names.country(str(country))}: {str(regime).replace('_', ' ')} permits "
                  "started a year",
            unit="projects/yr", base=float(rows["limit"].iloc[0]), low=0, high=30, step=1,
            write=_override("throughput", {"country": country, "regime": regime}, "limit")))
    return out


def _bloc_goods(case: Case, names: _Namer) -> list[str]:
    """Goods with final demand (the materials and components a floor or cap is about)."""
    demand = case.tables["demand"]
    goods = sorted(set(demand["commodity"]))
    return [c for c in goods if names.kind(c) in ("material", "component")]


def _has_usmca(case: Case) -> bool:
    blocs = case.tables.get("blocs")
    return blocs is not None and bool((blocs["bloc"] == "USMCA").any())


def _floors(case: Case, names: _Namer) -> list[Lever]:
    return _bloc_shares(case, names, "regional_shares", "share", "floor",
                        "USMCA sourcing floors", "made in the USMCA", "% of use (at least)", 0.0)


def _caps(case: Case, names: _Namer) -> list[Lever]:
    return _bloc_shares(case, names, "supplier_caps", "cap", "cap",
                        "Caps on any one outside supplier", "from one outside country",
                        "% of use (at most)", 100.0)


def _bloc_shares(case: Case, names: _Namer, table: str, column: str, kind: str, group: str,
                 what: str, unit: str, base: float) -> list[Lever]:
    """One lever per good of the USMCA: a row of ``table`` whose ``column`` is the lever's
    percentage, from :data:`POLICY_START` (a sourcing floor or a supplier cap)."""
    if not _has_usmca(case) or POLICY_START not in case.years:
        return []
    out = []
    for commodity in _bloc_goods(case, names):
        def write(value: float, commodity=commodity) -> Blocks:
            return [], [{"table": table, "rows": [
                {"bloc": "USMCA", "commodity": commodity, "start_year": POLICY_START,
                 column: value / 100, "source": SOURCE}]}]
        out.append(Lever(
            key=f"{kind}:USMCA:{commodity}", group=group,
            label=f"{names.commodity(commodity)} {what}, from {POLICY_START}",
            unit=unit, base=base, low=0, high=100, step=5, write=write))
    return out


def _stockpiles(case: Case, names: _Namer) -> list[Lever]:
    table = case.tables.get("stockpiles")
    if table is None:
        return []
    out = []
    for row in _records(table):
        region, commodity = str(row["region"]), str(row["commodity"])
        country = names.country_of.get(region, region)
        out.append(Lever(
            key=f"stock:{region}:{commodity}", group="Strategic stockpile targets",
            label=f"{names.country(country)}: {names.commodity(commodity)}",
            unit="days of demand", base=float(row["min_cover_days"]), low=0, high=365, step=15,
            write=_override("stockpiles", {"region": region, "commodity": commodity},
                            "min_cover_days")))
    return out


def _capital(case: Case, names: _Namer) -> list[Lever]:
    out = []
    for row in _records(case.tables["countries"]):
        country = str(row["country"])
        out.append(Lever(
            key=f"capital:{country}", group="Cost of capital",
            label=f"{names.country(country)} (real, for new capacity)",
            unit="% a year", base=round(float(row["cost_of_capital"]) * 100, 10), low=0,
            high=20, step=0.25,
            write=_scaled(_override("countries", {"country": country}, "cost_of_capital"),
                          _percent)))
    return out


def _demand(case: Case, chains: Iterable[tuple[str, str, tuple[str, ...]]]) -> list[Lever]:
    demand = case.tables["demand"]
    keys = ["region", "commodity", "sector", "year"]
    out = []
    for key, title, stages in chains:
        rows = demand[demand["commodity"].isin(stages)]
        if rows.empty:
            continue
        rows = rows[[*keys, "quantity"]].copy()

        def write(value: float, rows=rows) -> Blocks:
            return [{"table": "demand",
                     "where": {"region": r["region"], "commodity": r["commodity"],
                               "sector": r["sector"], "year": int(r["year"])},
                     "set": {"quantity": float(r["quantity"]) * (value / 100)}}
                    for r in _records(rows)], []
        out.append(Lever(
            key=f"demand:{key}", group="Demand",
            label=f"{title} chain: demand in every year and sector",
            unit="% of the base case", base=100.0, low=0, high=300, step=10, write=write))
    return out
