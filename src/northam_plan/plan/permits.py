"""The investment plan: what is built where, when its permit starts, when it comes online.

Tables (money in M$, capacity in unit/yr of the process's main output, or GW for power plants
counted in GW; each row's ``unit`` column says which — see :mod:`northam_plan.plan.units`):

* ``investments`` — every new capacity: region, country, process, source (the permitting regime,
  or ``project: <name>`` for a pipeline project), permit start year (empty for projects, which
  carry their own schedule), online year, capacity, overnight capex (a project's own, else the
  process's × the country's capex_factor of cost_factors.csv);
* ``permits`` — region, country, process, regime, permit start year, online year, capacity
  (a permit held before it is used appears with the year it is used);
* ``projects`` — pipeline projects chosen: project, region, country, process, stage, online
  year, capacity;
* ``throughput`` — per country, regime and year with a limit: workload entering permitting,
  the limit, and ``value``: the change of the objective (M$, present value) per unit of
  workload/yr added to the limit (the constraint's dual × the years of the period; ≤ 0 when
  the limit binds: more throughput saves money).
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import pandas as pd

from northam_plan.model.components.permitting import local_capex
from northam_plan.plan.units import ZERO_TOLERANCE

TINY = ZERO_TOLERANCE  # the one tolerance of every table (plan/units.py)

INVESTMENT_COLUMNS = ["region", "country", "process", "source", "permit_start_year",
                      "online_year", "capacity", "capex"]


def permit_tables(m, case) -> dict[str, pd.DataFrame]:
    country_of = case.countries_of_regions
    capex = local_capex(case)  # M$ per unit/yr, the process's, scaled to the country

    permits = pd.DataFrame(_permit_rows(m), columns=[
        "region", "process", "regime", "permit_start_year", "online_year", "capacity"]).astype(
        {"permit_start_year": "int64", "online_year": "int64", "capacity": "float64"})
    permits = permits[permits["capacity"] > TINY].reset_index(drop=True)
    permits.insert(1, "country", permits["region"].map(country_of))

    info = case.tables["projects"].set_index("project")
    about = dict(zip(info.index, zip(info["region"], info["process"], info["stage"])))
    rows = [(j, *about[j], t, var.value or 0.0) for (j, t), var in m.project_build.items()]
    projects = pd.DataFrame(rows, columns=["project", "region", "process", "stage",
                                           "online_year", "capacity"]).astype(
        {"online_year": "int64", "capacity": "float64"})
    projects = projects[projects["capacity"] > TINY].reset_index(drop=True)
    projects.insert(2, "country", projects["region"].map(country_of))

    from_permits = permits.assign(source=permits["regime"],
                                  capex=permits["capacity"] * np.array(
                                      [capex[r, p] for r, p in zip(permits["region"],
                                                                   permits["process"])],
                                      dtype=float))
    project_capex = info["capex"].astype(float)
    unit_capex = [capex[r, p] if np.isnan(project_capex[j]) else project_capex[j]
                  for j, r, p in zip(projects["project"], projects["region"],
                                     projects["process"])]
    from_projects = projects.assign(source="project: " + projects["project"],
                                    # (pandas-stubs leaves NA out of assign's scalars)
                                    permit_start_year=pd.NA,  # type: ignore[arg-type]
                                    capex=projects["capacity"] * np.array(unit_capex, dtype=float))
    investments = pd.concat([from_permits[INVESTMENT_COLUMNS],
                             from_projects[INVESTMENT_COLUMNS]], ignore_index=True)
    investments["permit_start_year"] = investments["permit_start_year"].astype("Int64")
    investments = investments.sort_values(["online_year", "region", "process", "source"],
                                          kind="stable").reset_index(drop=True)
    return {"investments": investments, "permits": permits, "projects": projects,
            "throughput": _throughput(m, case)}


def _permit_rows(m) -> list[tuple]:
    """(region, process, regime, permit start, online year, capacity) of every permit used.

    Permits of a throughput-limited regime may be held before they are used (``permit_use``);
    they are matched to their uses first in, first out.
    """
    pooled = {key[:3] for key in m.permit_use}
    rows, queues = [], defaultdict(list)
    for (r, p, g, t), var in m.permit.items():
        amount = var.value or 0.0
        if amount <= TINY:
            continue
        if (r, p, g) in pooled:
            queues[r, p, g].append([m.book.permit_online[r, p, g, t], t, amount])
        else:
            rows.append((r, p, g, t, m.book.permit_online[r, p, g, t], amount))
    uses = defaultdict(list)
    for (r, p, g, y), var in m.permit_use.items():
        if (var.value or 0.0) > TINY:
            uses[r, p, g].append((y, var.value))
    for key, queue in queues.items():
        queue.sort()
        for y, amount in sorted(uses[key]):
            for arrival in queue:
                if amount <= TINY:
                    break
                online, start, left = arrival
                if online > y or left <= TINY:
                    continue
                taken = min(amount, left)
                arrival[2] -= taken
                amount -= taken
                rows.append((*key, start, y, taken))
    return rows


def _throughput(m, case) -> pd.DataFrame:
    columns = ["country", "regime", "year", "used", "limit", "value"]
    constraint = m.permit_throughput_max
    if not len(constraint):
        return pd.DataFrame(columns=columns)
    duals = m.dual if hasattr(m, "dual") else {}
    weights = case.year_weights
    rows = []
    limit = m.book.permit_throughput_limit
    for (k, g, t), con in constraint.items():
        rows.append((k, g, t, float(con.body()) / weights[t], limit[k, g, t],
                     duals.get(con, np.nan) * weights[t]))
    return pd.DataFrame(rows, columns=columns)
