"""Cross-table checks of offtake contracts and recycling (schema_circular): a purchase names
its quantity and a stockpile to fill, scrap is not a tracked commodity, the stock put in use
before the horizon lies before it, and recycled-content credits name known blocs."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from northam_plan.case.casefile import Years
from northam_plan.case.domains import known, rows_where
from northam_plan.case.tables import SET_BY, set_by_note
from northam_plan.errors import ProblemList


def check_circular(tables, folder: Path, years: Years, problems: ProblemList) -> None:
    """Add the problems of offtakes.csv, end_of_life.csv, stock_in_use.csv and
    recycled_content.csv that span tables."""
    offtakes = tables["offtakes"]
    purchase = offtakes["kind"] == "purchase"
    path = folder / "offtakes.csv"
    for line, row in rows_where(offtakes, purchase & offtakes["quantity"].isna()):
        problems.add(path, "a purchase needs the quantity bought a year (unit/yr)"
                     + set_by_note(row[SET_BY]), line=line, column="quantity")
    stocks = set(zip(tables["stockpiles"]["region"], tables["stockpiles"]["commodity"]))
    held = [(r, c) in stocks for r, c in zip(offtakes["region"], offtakes["commodity"])]
    for line, row in rows_where(offtakes, purchase & ~offtakes.index.isin(
            offtakes.index[held])):
        problems.add(path, f"a purchase goes into a stockpile, but stockpiles.csv has none of "
                     f"'{row['commodity']}' in '{row['region']}'" + set_by_note(row[SET_BY]),
                     line=line, column="commodity")
    _purchases_fit(offtakes[purchase], tables["stockpiles"], path, years, problems)
    tracked = set(tables["tracked"]["commodity"]) if "tracked" in tables else set()
    eol = tables["end_of_life"]
    for line, row in rows_where(eol, eol["scrap"].isin(tracked)):
        problems.add(folder / "end_of_life.csv", f"scrap '{row['scrap']}' is tracked "
                     "(tracked.csv); end-of-life supply carries no origin tag, so scrap may "
                     "not be tracked" + set_by_note(row[SET_BY]), line=line, column="scrap")
    history = tables["stock_in_use"]
    for line, row in rows_where(history, history["year"] >= years.start):
        problems.add(folder / "stock_in_use.csv", f"year {row['year']} is not before the first "
                     f"model year {years.start}: from then on the case's demand is what is "
                     "put in use" + set_by_note(row[SET_BY]), line=line, column="year")
    streams = set(zip(eol["region"], eol["product"], eol["sector"]))
    for line, row in rows_where(history, [key not in streams for key in zip(
            history["region"], history["product"], history["sector"])]):
        problems.add(folder / "stock_in_use.csv", f"no end-of-life stream of '{row['product']}'"
                     f" (sector '{row['sector']}') in '{row['region']}' in end_of_life.csv reads "
                     "this row" + set_by_note(row[SET_BY]), line=line, column="product")
    known(tables, folder, problems, "recycled_content", "bloc", set(tables["blocs"]["bloc"]),
          "bloc", "blocs.csv")


def _purchases_fit(purchases, stockpiles, path: Path, years: Years,
                   problems: ProblemList) -> None:
    """A purchase that its stockpile could not take on its own (more a year than max_fill, or
    more over the contract than capacity less the initial stock) makes the case infeasible."""
    limits = {(r, c): (fill, cap, initial) for r, c, fill, cap, initial in zip(
        stockpiles["region"], stockpiles["commodity"], stockpiles["max_fill"],
        stockpiles["capacity"], stockpiles["initial_stock"])}
    for line, row in rows_where(purchases, purchases["quantity"].notna()):
        if (row["region"], row["commodity"]) not in limits:
            continue
        fill, cap, initial = limits[row["region"], row["commodity"]]
        first = years.start if pd.isna(row["start_year"]) else max(int(row["start_year"]),
                                                                    years.start)
        last = years.end if pd.isna(row["end_year"]) else min(int(row["end_year"]), years.end)
        total = row["quantity"] * max(0, last - first + 1)
        if not pd.isna(fill) and row["quantity"] > fill:
            problems.add(path, f"a purchase of {row['quantity']:g} a year exceeds the "
                         f"stockpile's max_fill {fill:g} (stockpiles.csv)"
                         + set_by_note(row[SET_BY]), line=line, column="quantity")
        elif not pd.isna(cap) and total + initial > cap:
            problems.add(path, f"purchases of {row['quantity']:g} a year over {first}–{last} "
                         f"({total:g} in all) exceed the stockpile's capacity {cap:g} less its "
                         f"initial stock {initial:g} (stockpiles.csv)" + set_by_note(row[SET_BY]),
                         line=line, column="quantity")
