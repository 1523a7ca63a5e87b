"""The numbers of the brief, per mineral chain, stage and year, for one plan.

* :func:`security_by_year` — per commodity and every model year, the USMCA's ``use``,
  ``production``, ``exports``, ``self_sufficiency`` (= (production − exports) / use), the top
  outside supplier and its share of use, China's share of use, the strategic ``stock`` at the
  end of the year and ``unserved`` demand. Taken from the plan's own security tables
  (security.csv and security_imports.csv, bloc of US, CA and MX) where it has them; otherwise
  computed with the same definitions from its activity, flows, demand and stock.
* :func:`builds` — new capacity in USMCA countries per country and process: the capacity
  permitted in the first permit year, the total, the years permitting starts and capacity
  comes online, and what comes from pipeline projects.

Values below :data:`~northam_plan.plan.units.ZERO_TOLERANCE` are 0, as in the tables.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from northam_plan.plan.units import zero_noise
from northam_plan.report.facts import Facts
from northam_plan.scenarios.compare_plan import USMCA

#: the country code of China in the vocabulary (DESIGN.md: regions CN, ROW outside the USMCA)
CHINA = "CN"

SECURITY = ["commodity", "year", "use", "production", "exports", "self_sufficiency",
            "top_supplier", "top_supplier_share", "china_share", "stock", "unserved"]


def _usmca_bloc(table: pd.DataFrame, facts: Facts) -> pd.DataFrame:
    """The rows of the bloc whose members are US, CA and MX (blocs.csv), else empty."""
    case = facts.chain.case
    if table.empty or "bloc" not in table:
        return table.iloc[0:0]
    if case is not None and "blocs" in case.tables:
        blocs = case.tables["blocs"]
        members = blocs.groupby("bloc")["country"].apply(frozenset)
        usmca = [b for b, m in members.items() if m == frozenset(USMCA)]
        if usmca:
            return table[table["bloc"] == usmca[0]]
    return table[table["bloc"] == "USMCA"]


def security_by_year(facts: Facts) -> pd.DataFrame:
    """Per commodity and year (every model year): the columns of :data:`SECURITY`."""
    own = _usmca_bloc(facts.table("security"), facts)
    if not own.empty:
        frame = own[[c for c in SECURITY if c in own and c != "china_share"]].copy()
        imports = _usmca_bloc(facts.table("security_imports"), facts)
        china = imports[imports["supplier"] == CHINA].groupby(["commodity", "year"])[
            "share"].sum() if not imports.empty else pd.Series(dtype=float)
        key = pd.MultiIndex.from_frame(frame[["commodity", "year"]])
        frame["china_share"] = china.reindex(key).fillna(0.0).to_numpy()
    else:
        frame = _computed(facts)
    for column in ("stock", "unserved", "exports"):
        if column not in frame:
            frame[column] = 0.0
    frame["top_supplier"] = frame["top_supplier"].where(frame["top_supplier"].notna(), "")
    numeric = [c for c in SECURITY if c not in ("commodity", "year", "top_supplier")]
    frame[numeric] = zero_noise(frame[numeric].astype(float).fillna(0.0))
    frame["year"] = frame["year"].astype(int)
    return frame[SECURITY].reset_index(drop=True)


def _computed(facts: Facts) -> pd.DataFrame:
    """security.csv's definitions, from the plan's activity, flows, demand and stock."""
    demand = facts.demand[facts.demand["country"].isin(USMCA)]
    final = demand.groupby(["commodity", "year"])["demand"].sum()
    inputs = facts.use[facts.use["country"].isin(USMCA)].groupby(["commodity", "year"])[
        "quantity"].sum()
    use = final.add(inputs, fill_value=0.0)
    made = facts.production[facts.production["country"].isin(USMCA)].groupby(
        ["commodity", "year"])["quantity"].sum()
    exports = facts.outside_exports.groupby(["commodity", "year"])["quantity"].sum()
    unserved = demand.groupby(["commodity", "year"])["unserved"].sum()
    imports = facts.outside_imports
    ds = facts.plan.expected
    stock = pd.Series(dtype=float)
    if "stock" in ds.data_vars:
        series = ds["stock"].to_series().dropna().rename("stock").reset_index()
        series = series[series["region"].map(facts.country).isin(USMCA)]
        stock = series.groupby(["commodity", "year"])["stock"].sum()
    rows = []
    keys = sorted(set(use.index) | set(made.index))
    for c, t in keys:
        u = float(use.get((c, t), 0.0))
        p, x = float(made.get((c, t), 0.0)), float(exports.get((c, t), 0.0))
        part = imports[(imports["commodity"] == c) & (imports["year"] == t)]
        top = part.sort_values(["quantity", "supplier"], ascending=[False, True]).head(1)
        share = float(top["quantity"].iloc[0]) / u if len(top) and u > 0 else 0.0
        china = float(part.loc[part["supplier"] == CHINA, "quantity"].sum()) / u if u > 0 \
            else 0.0
        rows.append((c, int(t), u, p, x, (p - x) / u if u > 0 else np.nan,
                     str(top["supplier"].iloc[0]) if len(top) else "", share, china,
                     float(stock.get((c, t), 0.0)), float(unserved.get((c, t), 0.0))))
    return pd.DataFrame(rows, columns=SECURITY)


BUILDS = ["country", "process", "first_permit", "first_permit_capacity", "first_online",
          "last_online", "capacity", "project_capacity", "capex"]


def builds(facts: Facts, processes: tuple[str, ...] | None = None) -> pd.DataFrame:
    """New capacity in USMCA countries per country and process (largest capex first):
    the first permit start year and the capacity permitted then, the first and last online
    years, the total capacity, the part from pipeline projects, overnight capex (M$)."""
    inv = facts.investments
    inv = inv[inv["country"].isin(USMCA) & (inv["capacity"].abs() > 0)]
    if processes is not None:
        inv = inv[inv["process"].isin(processes)]
    if inv.empty:
        return pd.DataFrame(columns=BUILDS)
    keys = [inv["country"], inv["process"]]
    start = inv["permit_start_year"].astype(float)  # (nullable integers in the table)
    first = start.groupby(keys).transform("min")  # NaN in a group without permits
    online = inv["online_year"].groupby(keys)
    frame = pd.DataFrame({
        "first_permit": start.groupby(keys).min(),
        "first_permit_capacity": inv["capacity"].where(start == first, 0.0).groupby(keys).sum(),
        "first_online": online.min().astype(int), "last_online": online.max().astype(int),
        "capacity": inv["capacity"].groupby(keys).sum(),
        "project_capacity": inv["capacity"].where(
            inv["source"].astype(str).str.startswith("project"), 0.0).groupby(keys).sum(),
        "capex": inv["capex"].groupby(keys).sum()}).reset_index()
    if frame["first_permit"].notna().all():  # whole years (NaN where nothing was permitted)
        frame["first_permit"] = frame["first_permit"].astype(int)
    frame = frame[BUILDS].astype({c: float for c in ("first_permit_capacity", "capacity",
                                                     "project_capacity", "capex")})
    return frame.sort_values(["capex", "capacity"], ascending=False).reset_index(drop=True)


def brief_years(years: list[int]) -> list[int]:
    """The years the brief quotes: the first two round decades after the start (2030 and
    2040 for 2025–2050), or the last year when the horizon has fewer."""
    if not years:
        return []
    later = [y for y in years if y % 10 == 0 and y > years[0]][:2]
    if len(later) < 2 and years[-1] not in later:
        later.append(years[-1])
    return sorted(set(later))[:2]
