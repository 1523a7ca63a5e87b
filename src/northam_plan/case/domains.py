"""Every key column against its domain, and every year against the horizon.

A key names something declared in another table (a region, country, process, commodity,
slice, regime, bloc, scenario); an unknown key is an error naming the file, line, column, the
value and the closest known name. Rows the model deliberately does not read (a demand figure
between two model years when the step is more than one, a world price beyond the horizon that
no model year interpolates to) are reported by count and file — never dropped in silence — and
a year no model could have (20250) is an error.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from northam_plan.case.case import slice_seasons
from northam_plan.case.casefile import Years
from northam_plan.case.schema import TABLES
from northam_plan.case.tables import LINE, SET_BY, set_by_note
from northam_plan.errors import ProblemList, did_you_mean, listing


def unknown_message(what: str, value, known, where: str) -> str:
    """"unknown region 'US-X' (did you mean 'US-W'?; not in regions.csv; known: …)"."""
    hint = did_you_mean(value, known).strip()[1:-1]
    return (f"unknown {what} '{value}' ({hint + '; ' if hint else ''}not in {where}; "
            f"known: {listing(known)})")


def rows_where(frame: pd.DataFrame, mask) -> list[tuple[int, pd.Series]]:
    mask = np.asarray(mask, dtype=bool)
    if not mask.any():  # the usual case: nothing wrong, nothing to build
        return []
    return [(int(row[LINE]), row) for _, row in frame[mask].iterrows()]


def references(tables, folder, problems: ProblemList) -> None:
    """Each column a schema declares as naming another table's key (schema ``references``)."""
    for name, schema in TABLES.items():
        frame = tables[name]
        if frame.empty:  # (most optional tables of a case)
            continue
        for column, target in schema.references.items():
            key = TABLES[target].key[0]
            known = set(tables[target][key])
            for line, row in rows_where(frame, ~frame[column].isin(known)):
                problems.add(folder / schema.file,
                             unknown_message(key, row[column], known, f"{target}.csv")
                             + set_by_note(row[SET_BY]), line=line, column=column)


def known(tables, folder, problems, table, column, names, what, where) -> None:
    """Every value of ``table.column`` is one of ``names`` (empty allowed if '' is in it)."""
    frame = tables[table]
    for line, row in rows_where(frame, ~frame[column].isin(names)):
        problems.add(folder / f"{table}.csv",
                     unknown_message(what, row[column], names, where)
                     + set_by_note(row[SET_BY]), line=line, column=column)


def other_keys(tables, folder, problems) -> None:
    """Key columns no schema ``references`` covers: slices, optional regions, scopes."""
    regions = set(tables["regions"]["region"])
    known(tables, folder, problems, "capacity_factors", "region", regions | {""}, "region",
          "regions.csv (or empty for every region)")
    slices = set(slice_seasons(tables["timeslices"]))
    known(tables, folder, problems, "capacity_factors", "slice", slices, "slice",
          "timeslices.csv" if len(tables["timeslices"]) else
          "timeslices.csv, which is absent: the year is one slice, 'year'")
    scopes = set(tables["countries"]["country"]) | set(tables["blocs"]["bloc"])
    known(tables, folder, problems, "emission_caps", "scope", scopes, "country or bloc",
          "countries.csv or blocs.csv")
    commodities = tables["commodities"]
    gases = set(commodities.loc[commodities["kind"] == "emission", "commodity"])
    for table in ("emission_caps", "emission_prices"):  # other kinds are never counted
        _of_kind(tables, folder, problems, table, gases, "an emission (kind emission in "
                 "commodities.csv); the model counts only emissions here")
    timesliced = set(commodities.loc[commodities["timesliced"].astype(bool), "commodity"])
    _of_kind(tables, folder, problems, "reserve_margins", timesliced, "timesliced "
             "(commodities.csv); a reserve margin is kept on the peak slice of electricity")


def _of_kind(tables, folder, problems, table, allowed, what) -> None:
    frame = tables[table]
    everything = set(tables["commodities"]["commodity"])
    for line, row in rows_where(frame, frame["commodity"].isin(everything)
                                & ~frame["commodity"].isin(allowed)):
        problems.add(folder / f"{table}.csv", f"'{row['commodity']}' is not {what}"
                     + set_by_note(row[SET_BY]), line=line, column="commodity")


#: tables with a ``year`` column, read by interpolation over their key (Case.interpolated)
YEAR_TABLES = {"demand": ["region", "commodity", "sector"],
               "world_market": ["region", "commodity", "side", "tier"]}


def year_rows(tables, folder: Path, years: Years, problems: ProblemList,
              warnings: list[str]) -> None:
    """Rows of ``year`` tables that no model year reads, and rows outside the horizon.

    A model year takes the linear interpolation of the two given years around it (the nearest
    given value before the first and after the last), so a row is read only if a model year
    lies strictly between the given years before and after it (or on it).
    """
    model = np.array(years.model_years)
    for table, key in YEAR_TABLES.items():
        frame = tables[table]
        if frame.empty:
            continue
        path = folder / f"{table}.csv"
        ordered = frame.sort_values([*key, "year"], kind="stable")
        group = ordered.groupby(key, sort=False)["year"]
        year = ordered["year"].astype(float)
        before = group.shift(1).astype(float).fillna(-np.inf)
        after = group.shift(-1).astype(float).fillna(np.inf)
        read = (np.searchsorted(model, after.to_numpy(), side="left")
                - np.searchsorted(model, before.to_numpy(), side="right")) > 0
        outside = ((year < years.start) | (year > years.end)).to_numpy()
        lines = ordered[LINE].to_numpy()
        unread = outside & ~read
        if unread.any():  # a case may shorten the horizon of shared data: said, not refused
            warnings.append(f"{path}: {_count(unread)} outside the horizon {years.start}–"
                            f"{years.end} not read by any model year (a model year "
                            "interpolates between the given years around it and holds the "
                            "nearest one beyond them): "
                            + _years_lines(ordered.loc[unread], lines[unread]))
        inside_unread = ~outside & ~read
        if inside_unread.any():
            warnings.append(f"{path}: {_count(inside_unread)} between model years (step "
                            f"{years.step}) not read, a model year interpolating between the "
                            "given years around it: "
                            + _years_lines(ordered.loc[inside_unread], lines[inside_unread]))
        carried = outside & read
        if carried.any():
            warnings.append(f"{path}: {_count(carried)} outside the horizon {years.start}–"
                            f"{years.end}, read only to interpolate into it: "
                            + _years_lines(ordered.loc[carried], lines[carried]))


#: no model can have a year outside these (casefile.Years); a year beyond them is a typo
FIRST_YEAR, LAST_YEAR = 1900, 2300
YEAR_COLUMNS = ("year", "start_year", "end_year", "earliest_online_year", "retirement_year")


def impossible_years(tables, folder: Path, problems: ProblemList) -> None:
    """A year no model could use (20250, 225): an error, whatever the horizon."""
    for name, schema in TABLES.items():
        frame = tables[name]
        if frame.empty:
            continue
        for column in (c.name for c in schema.columns if c.name in YEAR_COLUMNS):
            values = frame[column].to_numpy(dtype=float, na_value=np.nan)  # (empty: NaN)
            bad = (values < FIRST_YEAR) | (values > LAST_YEAR)  # (NaN compares False)
            for line, row in rows_where(frame, bad):
                problems.add(folder / schema.file, f"year {row[column]} is not a year any "
                             f"model can have (model years lie in {FIRST_YEAR}–{LAST_YEAR}); "
                             "a typo?" + set_by_note(row[SET_BY]), line=line, column=column)


def _count(mask) -> str:
    n = int(np.sum(mask))
    return f"{n} row{'s' if n != 1 else ''}"


def _years_lines(rows: pd.DataFrame, lines) -> str:
    shown = sorted(int(line) for line in lines if line)
    where = ", ".join(map(str, shown[:8])) + (" …" if len(shown) > 8 else "")
    found = sorted(set(int(y) for y in rows["year"]))
    lines_note = f" (line{'s' if len(shown) > 1 else ''} {where})" if where else ""
    return (f"year{'s' if len(found) > 1 else ''} {', '.join(map(str, found[:8]))}"
            f"{' …' if len(found) > 8 else ''}" + lines_note)


def span_has_model_year(path, frame: pd.DataFrame, start, end, years: Years,
                        problems: ProblemList) -> None:
    """A start_year–end_year span inside the horizon holds at least one model year (with a
    step of more than one, 2026–2029 between model years 2025 and 2030 would do nothing)."""
    if years.step == 1 or frame.empty:
        return
    model = np.array(years.model_years)
    first = np.searchsorted(model, start.to_numpy(), side="left")
    held = (first < len(model)) & (model[np.minimum(first, len(model) - 1)]
                                   <= end.to_numpy())
    inside = ((start <= years.end) & (end >= years.start) & (end >= start)).to_numpy()
    for line, s, e in zip(frame[LINE][inside & ~held], start[inside & ~held],
                          end[inside & ~held]):
        problems.add(path, f"years {s}–{e} hold no model year (model years "
                           f"{listing(model.tolist(), 6)} with step {years.step}); the row "
                           "would do nothing: widen it to a model year",
                     line=int(line) or None, column="start_year")


def stray_tables(folder: Path, problems: ProblemList) -> list[str]:
    """CSV files in the tables folder that are no table of the case: an error when the name
    is close to a table the folder lacks (a typo such as disruption.csv), else a warning."""
    files = {schema.file for schema in TABLES.values()}
    warnings: list[str] = []
    try:
        found = sorted(p.name for p in folder.glob("*.csv"))
    except OSError:
        return warnings
    absent = [name for name in files if not (folder / name).exists()]
    for name in found:
        if name in files:
            continue
        hint = did_you_mean(name, absent, cutoff=0.75)
        if hint:
            problems.add(folder / name, f"not a table of the case{hint}; it is not read, so the "
                                        f"table it was meant to be is empty")
        else:
            warnings.append(f"{folder / name}: not a table of the case; it is not read")
    return warnings
