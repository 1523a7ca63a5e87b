"""Checks that span tables: references, keys across files, years against the horizon.

Each check adds problems (errors that stop the run) or warnings (things that have no effect and
are probably unintended); all of them run, so a user sees everything in one pass.
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd

from northam_plan.case.case import slice_seasons
from northam_plan.case.casefile import Years
from northam_plan.case.checks_circular import check_circular
from northam_plan.case.checks_guarantee import check_guarantee
from northam_plan.case.domains import impossible_years, other_keys, span_has_model_year, year_rows
from northam_plan.case.domains import known as _known
from northam_plan.case.domains import references as _references
from northam_plan.case.leadtimes import (
    DEFAULT_REGIME,
    construction_years,
    project_first_year,
    regimes,
)
from northam_plan.case.tables import LINE
from northam_plan.case.units import check_commodity_units
from northam_plan.errors import ProblemList, did_you_mean


def check_case(tables: dict[str, pd.DataFrame], folder: Path, years: Years,
               problems: ProblemList) -> list[str]:
    """Run every cross-table check; return the warnings."""
    warnings: list[str] = []
    check_commodity_units(tables, folder, problems)
    _references(tables, folder, problems)
    other_keys(tables, folder, problems)
    impossible_years(tables, folder, problems)
    year_rows(tables, folder, years, problems, warnings)
    _main_output_ratio(tables, folder, problems)
    _links(tables, folder, problems)
    _world_market(tables, folder, problems)
    _year_spans(tables, folder, years, problems, "tariffs", ["from", "to", "commodity",
                                                              "basis"])
    _year_spans(tables, folder, years, problems, "throughput", ["country", "regime"])
    _year_spans(tables, folder, years, problems, "availability", ["region", "process"])
    _availability_not_power(tables, folder, problems)
    _regimes_known(tables, folder, problems)
    for table in ("regional_shares", "supplier_caps"):
        _year_spans(tables, folder, years, problems, table, ["bloc", "commodity"])
        _known(tables, folder, problems, table, "bloc", set(tables["blocs"]["bloc"]), "bloc",
               "blocs.csv")
    _year_spans(tables, folder, years, problems, "disruptions",
                ["exporter", "commodity", "scenario"])
    _known(tables, folder, problems, "disruptions", "exporter",
           set(tables["countries"]["country"]) | set(tables["regions"]["region"]),
           "country or region", "countries.csv or regions.csv")
    _known(tables, folder, problems, "disruptions", "scenario",
           set(tables["scenarios"]["scenario"]) | {""}, "scenario", "scenarios.csv")
    _probabilities(tables, folder, problems)
    _year_spans(tables, folder, years, problems, "guarantees", ["bloc", "commodity"])
    _year_spans(tables, folder, years, problems, "finance_facilities", ["facility"])
    check_guarantee(tables, folder, problems)
    _energy_limits(tables, folder, problems)
    _passport(tables, folder, years, problems, warnings)
    _project_years(tables, folder, years, problems, warnings)
    _horizon_warnings(tables, folder, years, warnings)
    _reserves_have_mines(tables, folder, warnings)
    _reserve_resources(tables, folder, problems)
    _growth_limits(tables, folder, years, problems, warnings)
    for table, key in (("offtakes", ["contract"]), ("recycled_content", ["bloc", "commodity"])):
        _year_spans(tables, folder, years, problems, table, key)
    check_circular(tables, folder, years, problems)
    return warnings


def _rows(frame: pd.DataFrame, mask) -> list[tuple[int, pd.Series]]:
    mask = np.asarray(mask, dtype=bool)
    if not mask.any():  # the usual case: nothing wrong, nothing to build
        return []
    return [(int(row[LINE]), row) for _, row in frame[mask].iterrows()]


def _main_output_ratio(tables, folder, problems) -> None:
    io, processes = tables["process_io"], tables["processes"]
    main = dict(zip(processes["process"], processes["main_output"]))
    for _, row in io.iterrows():
        if main.get(row["process"]) == row["commodity"] and row["side"] == "output" \
                and row["ratio"] != 1.0:
            problems.add(folder / "process_io.csv",
                         f"'{row['commodity']}' is the main output of '{row['process']}', "
                         "produced at ratio 1 by definition; remove the row or change "
                         "processes.main_output", line=int(row[LINE]), column="ratio")


def _links(tables, folder, problems) -> None:
    links = tables["links"]
    for line, row in _rows(links, links["from"] == links["to"]):
        problems.add(folder / "links.csv", f"a link must join two different regions, got "
                                           f"'{row['from']}' → '{row['to']}'",
                     line=line, column="to")


def _world_market(tables, folder, problems) -> None:
    """A tier's quantity is given in every row of its path or in none (empty = no limit)."""
    market = tables["world_market"]
    if market.empty:
        return
    given = market["quantity"].notna()
    mixed = given.groupby([market["region"], market["commodity"], market["side"],
                           market["tier"]]).transform(lambda g: 0 < g.sum() < len(g))
    for line, row in _rows(market, mixed & ~given):
        problems.add(folder / "world_market.csv", f"no quantity here, but other years of "
                     f"{row['side']} tier '{row['tier']}' of {row['region']} "
                     f"{row['commodity']} give one: give it in every year of the tier, or in "
                     "none (no limit)", line=line, column="quantity")


def _year_spans(tables, folder, years: Years, problems, table: str, key: list[str]) -> None:
    """start_year ≤ end_year, inside the horizon, and no two rows of one key overlapping."""
    frame = tables[table]
    if frame.empty:
        return
    start = frame["start_year"].fillna(years.start).astype(int)
    end = frame["end_year"].fillna(years.end).astype(int)
    path = folder / f"{table}.csv"
    for line, s, e in zip(frame[LINE], start, end):
        if s > years.end or e < years.start:
            problems.add(path, f"years {s}–{e} lie outside the horizon "
                               f"{years.start}–{years.end}", line=int(line), column="start_year")
        elif e < s:
            problems.add(path, f"end_year {e} is before start_year {s}", line=int(line),
                         column="end_year")
    span_has_model_year(path, frame, start, end, years, problems)
    spans: dict[tuple, list[tuple[int, int, int]]] = {}
    for values, s, e, line in zip(frame[key].itertuples(index=False, name=None), start, end,
                                  frame[LINE]):
        for s2, e2, line2 in spans.get(values, []):
            if s <= e2 and s2 <= e:
                problems.add(path, f"years {s}–{e} overlap those on line {line2} for the "
                                   f"same {', '.join(key)}", line=int(line),
                             column="start_year")
        spans.setdefault(values, []).append((s, e, int(line)))


def _availability_not_power(tables, folder, problems) -> None:
    """availability.csv rows name mineral processes: a power process's output per slice is
    capacity_factors.csv's (its annual availability would not bind the slices)."""
    commodities = tables["commodities"]
    timesliced = set(commodities.loc[commodities["timesliced"], "commodity"])
    processes = tables["processes"]
    power = set(processes.loc[processes["main_output"].isin(timesliced), "process"])
    frame = tables["availability"]
    for line, row in _rows(frame, frame["process"].isin(power)):
        problems.add(folder / "availability.csv", f"'{row['process']}' is a power process: "
                     "give its availability per slice in capacity_factors.csv",
                     line=line, column="process")


def _energy_limits(tables, folder, problems) -> None:
    """energy_limits.csv: known region and season, a power process (its main output is
    timesliced), and no capacity_factors.csv row for the same process, region and season."""
    limits = tables["energy_limits"]
    if limits.empty:
        return
    _known(tables, folder, problems, "energy_limits", "region",
           set(tables["regions"]["region"]) | {""}, "region", "regions.csv")
    season_of = slice_seasons(tables["timeslices"])
    _known(tables, folder, problems, "energy_limits", "season", set(season_of.values()),
           "season", "the season column of timeslices.csv, or a slice without one")
    commodities = tables["commodities"]
    timesliced = set(commodities.loc[commodities["timesliced"].astype(bool), "commodity"])
    main = dict(zip(tables["processes"]["process"], tables["processes"]["main_output"]))
    factors = tables["capacity_factors"]
    for line, row in _rows(limits, [True] * len(limits)):
        process = row["process"]
        if process in main and main[process] not in timesliced:
            problems.add(folder / "energy_limits.csv",
                         f"'{process}' is not a power process: its main output "
                         f"'{main[process]}' is not timesliced (commodities.csv)",
                         line=line, column="process")
        clash = factors[(factors["process"] == process) & (factors["region"] == row["region"])
                        & (factors["slice"].map(season_of) == row["season"])]
        for other, hit in _rows(clash, [True] * len(clash)):
            problems.add(folder / "energy_limits.csv",
                         f"'{process}'{' in ' + row['region'] if row['region'] else ''} is "
                         f"limited by season '{row['season']}' here and by slice "
                         f"'{hit['slice']}' in capacity_factors.csv line {other}: give one",
                         line=line, column="season")


def _probabilities(tables, folder, problems) -> None:
    scenarios = tables["scenarios"]
    total = float(scenarios["probability"].sum())
    if len(scenarios) and abs(total - 1.0) > 1e-6:
        problems.add(folder / "scenarios.csv", f"the probabilities sum to {total:g}; they must "
                                               "sum to 1", column="probability")


def _regimes_known(tables, folder, problems) -> None:
    named = set(zip(tables["regimes"]["country"], tables["regimes"]["regime"]))
    for line, row in _rows(tables["throughput"], [
            (k, g) not in named and g != DEFAULT_REGIME
            for k, g in zip(tables["throughput"]["country"], tables["throughput"]["regime"])]):
        known = sorted({g for k, g in named if k == row["country"]} | {DEFAULT_REGIME})
        problems.add(folder / "throughput.csv", f"unknown regime '{row['regime']}' for "
                                                f"{row['country']}"
                                                f"{did_you_mean(row['regime'], known)} "
                                                f"(regimes.csv has {', '.join(known)})",
                     line=line, column="regime")


def _project_years(tables, folder, years: Years, problems, warnings) -> None:
    projects = tables["projects"]
    for line, row in _rows(projects, projects["earliest_online_year"] < years.start):
        problems.add(folder / "projects.csv", f"earliest_online_year "
                     f"{row['earliest_online_year']} is before the first model year "
                     f"{years.start}; capacity already online belongs in existing_capacity.csv",
                     line=line, column="earliest_online_year")
    for line, row in _rows(projects, projects["earliest_online_year"] > years.end):
        warnings.append(f"{folder / 'projects.csv'}, line {line}: project '{row['project']}' "
                        f"cannot come online before the horizon ends ({years.end})")


def _horizon_warnings(tables, folder, years: Years, warnings: list[str]) -> None:
    existing = tables["existing_capacity"]
    gone = existing["retirement_year"].notna() & (existing["retirement_year"] <= years.start)
    for line in existing.loc[gone, LINE]:
        warnings.append(f"{folder / 'existing_capacity.csv'}, line {line}: retires before the "
                        f"first model year {years.start}; it has no effect")


def _reserves_have_mines(tables, folder, warnings) -> None:
    processes = tables["processes"]
    mined = set(processes.loc[processes["family"] == "mine", "main_output"])
    reserves = tables["reserves"]
    for line, row in _rows(reserves, ~reserves["commodity"].isin(mined)):
        warnings.append(f"{folder / 'reserves.csv'}, line {line}: no mine process produces "
                        f"'{row['commodity']}'; the limit has no effect")


def _passport(tables, folder, years: Years, problems, warnings) -> None:
    """Tracked commodities, rules of origin and forced-labour exclusions (schema_trade)."""
    tracked = set(tables["tracked"]["commodity"])
    commodities = tables["commodities"]
    for line, row in _rows(tables["tracked"], tables["tracked"]["commodity"].isin(
            set(commodities.loc[commodities["timesliced"], "commodity"]))):
        problems.add(folder / "tracked.csv", f"'{row['commodity']}' is timesliced; origin "
                     "tracking of timesliced commodities is not supported", line=line,
                     column="commodity")
    io = tables["process_io"]
    inputs = io[(io["side"] == "input") & io["commodity"].isin(tracked)]
    for process, group in inputs.groupby("process"):
        if len(group) > 1:
            problems.add(folder / "process_io.csv", f"process '{process}' takes "
                         f"{len(group)} tracked inputs ({', '.join(group['commodity'])}); "
                         "with tracking a process may take at most one",
                         line=int(group[LINE].iloc[1]), column="commodity")
    stock = tables["stockpiles"]
    for line, row in _rows(stock, stock["commodity"].isin(tracked)
                           & (stock["initial_stock"] > 0)):
        problems.add(folder / "stockpiles.csv", f"an initial stock of tracked "
                     f"'{row['commodity']}' (origin unknown) is not supported yet with "
                     "tracking; start empty or remove the commodity from tracked.csv",
                     line=line, column="initial_stock")
    named = set(tables["blocs"]["bloc"]) | set(tables["countries"]["country"])
    regions = set(tables["regions"]["region"])
    by_name = ("country or bloc", "countries.csv or blocs.csv")
    by_place = ("country, bloc or region", "countries.csv, blocs.csv or regions.csv")
    for table, columns in (("content_rules", {"destination": (named, *by_name),
                                              "origin": (named, *by_name)}),
                           ("forced_labour", {"destination": (named, *by_name),
                                              "origin": (named | regions, *by_place)})):
        frame = tables[table]
        key = ["destination", "commodity", "origin", "basis"]
        _year_spans(tables, folder, years, problems, table, key)
        for column, (known, what, where) in columns.items():
            _known(tables, folder, problems, table, column, known, what, where)
        if table == "forced_labour":
            frame = frame[frame["commodity"] != ""]  # empty = every tracked commodity
        for line, row in _rows(frame, ~frame["commodity"].isin(tracked)):
            problems.add(folder / f"{table}.csv", f"commodity '{row['commodity']}' is not "
                         "tracked; add it to tracked.csv so that origins are known",
                         line=line, column="commodity")
    flagged = tables["forced_labour"]
    if len(flagged) and not tracked:
        problems.add(folder / "forced_labour.csv", "no commodity is tracked (tracked.csv), so "
                     "origins are unknown and the exclusions cannot apply", column="origin")
    tariffs = tables["tariffs"]
    for line in tariffs.loc[(tariffs["basis"] != "shipper")
                            & ~tariffs["commodity"].isin(tracked), LINE]:
        warnings.append(f"{folder / 'tariffs.csv'}, line {line}: basis other than 'shipper' on "
                        "a commodity that is not tracked (tracked.csv): applied to the "
                        "shipping country")


def _reserve_resources(tables, folder, problems) -> None:
    reserves = tables["reserves"]
    below = reserves["resources"].notna() & (reserves["resources"] < reserves["reserves"])
    for line, row in _rows(reserves, below):
        problems.add(folder / "reserves.csv", f"resources {row['resources']:g} are less than "
                     f"the reserves {row['reserves']:g} of {row['region']} "
                     f"{row['commodity']}; resources include the reserves (empty = no ceiling)",
                     line=line, column="resources")


def _growth_limits(tables, folder, years: Years, problems, warnings) -> None:
    """Every growth limit counts some process; no committed project (projects.csv) comes online
    in a year when it alone — with the other committed projects of its country, family and
    year — is more than the growth limit could ever allow (the limit grown by the most the
    country could have built before, :mod:`..model.components.capacity`)."""
    limits = tables["growth_limits"]
    if limits.empty:
        return
    processes = tables["processes"]
    weight = dict(zip(processes["process"], processes["permit_weight"]))
    family = dict(zip(processes["process"], processes["family"]))
    counted = {f for p, f in family.items() if weight[p] > 0}
    for line, row in _rows(limits, ~limits["family"].isin(counted)):
        warnings.append(f"{folder / 'growth_limits.csv'}, line {line}: no process of family "
                        f"'{row['family']}' has a permit_weight (processes.csv), so nothing "
                        "counts against the limit; it has no effect")
    country = dict(zip(tables["regions"]["region"], tables["regions"]["country"]))
    if set(tables["projects"]["region"]) - set(country) or \
            set(tables["projects"]["process"]) - set(family):
        return  # unknown references are reported by _references
    model_years, weights = years.model_years, years.weights
    # weighted existing capacity per (country, family, year), in projects
    existing: dict[tuple, float] = {}
    for r, p, capacity, retire in tables["existing_capacity"][
            ["region", "process", "capacity", "retirement_year"]].itertuples(index=False):
        for t in model_years:
            if (pd.isna(retire) or t < retire) and r in country and p in family:
                key = (country[r], family[p], t)
                existing[key] = existing.get(key, 0.0) + weight[p] * capacity
    # the loosest the limit can ever be: capacity the year before at its most (existing plus
    # every earlier year's limit, nothing built retired)
    loosest = {}
    for k, f, absolute, relative in limits[["country", "family", "absolute",
                                            "relative"]].itertuples(index=False):
        built, before = 0.0, existing.get((k, f, model_years[0]), 0.0)
        for t in model_years:
            loosest[k, f, t] = weights[t] * (absolute + relative * before)
            built += loosest[k, f, t]
            before = existing.get((k, f, t), 0.0) + built
    line_of = dict(zip(zip(limits["country"], limits["family"]), limits[LINE]))
    view = SimpleNamespace(tables=tables)
    options, build_years = regimes(view), construction_years(view)
    projects = tables["projects"]
    groups: dict[tuple, list] = {}
    for j, r, p, capacity, stage, earliest, line in projects.loc[
            projects["committed"], ["project", "region", "process", "capacity", "stage",
                                    "earliest_online_year", LINE]].itertuples(index=False):
        k, f = country[r], family[p]
        if (k, f) not in line_of or (k, f) not in options or weight[p] <= 0:
            continue
        first = project_first_year(model_years, options[k, f], build_years[p, k], stage,
                                   earliest)
        if first is not None:
            groups.setdefault((k, f, first), []).append((j, weight[p] * capacity, int(line)))
    for (k, f, t), members in groups.items():
        total = sum(n for _, n, _ in members)
        if total <= loosest[k, f, t] * (1 + 1e-9) + 1e-9:
            continue
        names = ", ".join(f"'{j}' ({n:.3g})" for j, n, _ in members)
        for j, n, line in members:
            problems.add(folder / "projects.csv",
                         f"committed project '{j}' comes online in {t} with {n:.3g} typical "
                         f"projects (capacity × permit_weight); the committed projects of "
                         f"{k} {f} that year ({names}: {total:.3g}) exceed the most the growth "
                         f"limit can allow then, {loosest[k, f, t]:.3g} (growth_limits.csv, "
                         f"line {line_of[k, f]}); raise the limit or set committed = false",
                         line=line, column="committed")
