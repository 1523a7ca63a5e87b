"""Checks of the crisis-guarantee and finance-facility tables (schema_guarantee) that span
tables: known blocs, hosts and borrowers inside their bloc, commodities the guarantee
component can hold, cost keys that sum to 1. Year spans are checked with the others in
:mod:`northam_plan.case.checks`."""

from __future__ import annotations

from northam_plan.case.domains import known, rows_where
from northam_plan.case.schema_base import PROCESS_FAMILIES
from northam_plan.case.tables import LINE
from northam_plan.errors import ProblemList


def check_guarantee(tables, folder, problems: ProblemList) -> None:
    """Every problem of shared_reserves, reserve_cost_shares, guarantees and
    finance_facilities that needs another table."""
    blocs = set(tables["blocs"]["bloc"])
    for table in ("shared_reserves", "reserve_cost_shares", "guarantees",
                  "finance_facilities"):
        known(tables, folder, problems, table, "bloc", blocs, "bloc", "blocs.csv")
    members: dict[str, set[str]] = {}
    for bloc, k in tables["blocs"][["bloc", "country"]].itertuples(index=False):
        members.setdefault(bloc, set()).add(k)
    country_of = dict(zip(tables["regions"]["region"], tables["regions"]["country"]))

    commodities = tables["commodities"]
    timesliced = set(commodities.loc[commodities["timesliced"].astype(bool), "commodity"])
    tracked = set(tables["tracked"]["commodity"])
    for table in ("shared_reserves", "guarantees"):
        frame = tables[table]
        for line, row in rows_where(frame, frame["commodity"].isin(timesliced | tracked)):
            why = "timesliced" if row["commodity"] in timesliced else "tracked (tracked.csv)"
            problems.add(folder / f"{table}.csv", f"'{row['commodity']}' is {why}; the "
                         "crisis guarantee holds only commodities balanced per year without "
                         "origin tags", line=line, column="commodity")

    reserves = tables["shared_reserves"]
    for line, row in rows_where(reserves, [
            b in members and country_of.get(r) is not None and country_of[r] not in members[b]
            for b, r in zip(reserves["bloc"], reserves["region"])]):
        problems.add(folder / "shared_reserves.csv", f"region '{row['region']}' lies in "
                     f"{country_of[row['region']]}, not a member of bloc '{row['bloc']}' "
                     f"(members: {', '.join(sorted(members[row['bloc']]))})", line=line,
                     column="region")

    shares = tables["reserve_cost_shares"]
    for line, row in rows_where(shares, [b in members and k not in members[b] for b, k in
                                         zip(shares["bloc"], shares["country"])]):
        problems.add(folder / "reserve_cost_shares.csv", f"country '{row['country']}' is not "
                     f"a member of bloc '{row['bloc']}' (members: "
                     f"{', '.join(sorted(members[row['bloc']]))})", line=line,
                     column="country")
    for bloc, group in shares.groupby("bloc"):
        total = float(group["share"].sum())
        if abs(total - 1.0) > 1e-6:
            problems.add(folder / "reserve_cost_shares.csv", f"the shares of bloc '{bloc}' sum "
                         f"to {total:g}; they must sum to 1", line=int(group[LINE].iloc[-1]),
                         column="share")

    facilities = tables["finance_facilities"]
    for line, row in rows_where(facilities, [bool(unknown_families(f)) for f in
                                             facilities["families"]]):
        problems.add(folder / "finance_facilities.csv", f"unknown process famil"
                     f"{'ies' if len(unknown_families(row['families'])) > 1 else 'y'} "
                     f"{', '.join(repr(f) for f in unknown_families(row['families']))}; "
                     f"known: {', '.join(PROCESS_FAMILIES)} (separated by ';')", line=line,
                     column="families")


def families_of(text) -> set[str]:
    """The process families named in a finance_facilities.csv ``families`` cell (empty: all)."""
    if not isinstance(text, str):  # empty cell
        return set()
    return {f.strip() for f in text.split(";") if f.strip()}


def unknown_families(text) -> list[str]:
    return sorted(families_of(text) - set(PROCESS_FAMILIES))
