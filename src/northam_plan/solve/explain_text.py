"""Words for :mod:`northam_plan.solve.explain`: the unit of each hard constraint's row, a one-line
diagnosis ("demand for li_chem in US 2030 cannot be met: short by 2.06 kt Li/yr") and the
infeasible subset grouped by constraint family with the distinct data rows behind it.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable

from northam_plan.case import Case

SHOWN = 8  # members and data rows listed per family; the rest are counted

#: family → (what it is, given its index; "short" for a floor, "over" for a cap; unit kind)
#: unit kinds: "flow" the commodity's unit per year, "stock" the commodity's unit,
#: "capacity" the process's capacity unit, other text as it is
_PHRASES: dict[str, tuple[Callable[..., str], str, str, int | None]] = {
    "regional_share_min": (lambda b, c, t: f"the {b} sourcing floor for {c} in {t}",
                           "short", "flow", 1),
    "supplier_share_max": (lambda b, c, k, t: f"the cap on {c} from {k} into {b} in {t}",
                           "over", "flow", 1),
    "export_max": (lambda k, c, t: f"the export limit on {c} from {k} in {t}", "over",
                   "flow", 1),
    "content_share_min": (lambda d, c, o, basis, t: f"the rule of origin for {c} delivered to "
                          f"{d} in {t} ({basis} in {o})", "short", "flow", 1),
    "emission_max": (lambda s, g, t: f"the {g} cap of {s} in {t}", "over", "flow", 1),
    "reserve_margin_min": (lambda r, e, t: f"the reserve margin for {e} in {r} {t}", "short",
                           "flow", 1),
    "stock_cover_min": (lambda r, c, t: f"the stockpile cover for {c} in {r} {t}", "short",
                        "stock", 1),
    "extraction_max": (lambda r, c, t: f"the {c} reserves of {r} cannot cover the extraction "
                       f"up to {t}", "short", "stock", 1),
    "flow_max": (lambda a, b, c, t: f"the {a} → {b} link for {c} in {t}", "over", "flow", 2),
    "intertie_max": (lambda a, b, e, t, s: f"the {a} → {b} intertie in {t}, slice {s}", "over",
                     "flow", 2),
    "permit_throughput_max": (lambda k, g, t: f"the permitting throughput of {k} ({g}) in {t}",
                              "over", "workload units/yr", None),
    "build_max": (lambda r, p, t: f"the build limit of {p} in {r} {t}", "over", "capacity", 1),
    "growth_max": (lambda k, f, t: f"the growth limit of {f} in {k} {t}", "over",
                   "units of growth_limits.csv", None),
    "project_max": (lambda p: f"the size of project {p}", "over", "project", 0),
    "project_commit_min": (lambda p: f"the commitment to project {p}", "short", "project", 0),
    "unserved": (lambda r, c, t: f"demand for {c} in {r} {t}", "short", "flow", 1),
}


def row_unit(case: Case, family: str, index: tuple) -> str:
    """The unit of a constraint row's slack (what "short by 2.06" is counted in)."""
    if family not in _PHRASES:
        return "units of the row"
    _, _, kind, position = _PHRASES[family]
    if position is None:  # a unit given as text
        return kind
    if kind in ("flow", "stock"):
        unit = commodity_unit(case, index[position])
        return f"{unit}/yr" if kind == "flow" else unit
    if kind == "capacity":
        return capacity_unit(case, index[position])
    if kind == "project":
        projects = case.tables["projects"]
        match = projects[projects["project"] == index[position]]
        return capacity_unit(case, match["process"].iloc[0]) if len(match) else "units"
    return kind


def commodity_unit(case: Case, commodity) -> str:
    table = case.tables["commodities"]
    match = table.loc[table["commodity"] == commodity, "unit"]
    unit = str(match.iloc[0]).strip() if len(match) and str(match.iloc[0]) != "nan" else ""
    return unit or "units"


def capacity_unit(case: Case, process) -> str:
    """A process's capacity: its main output per year, or GW for power in TWh."""
    table = case.tables["processes"]
    match = table[table["process"] == process]
    if not len(match):
        return "units"
    row = match.iloc[0]
    unit = commodity_unit(case, row["main_output"])
    per = row.get("activity_per_capacity", 1.0)
    per = 1.0 if per != per or per is None else float(per)  # NaN: the default
    if per == 1.0:
        return f"{unit}/yr"
    return "GW" if unit == "TWh" and abs(per - 8.76) < 1e-9 else f"capacity units ({per:g} " \
        f"{unit}/yr each)"


def diagnosis(case: Case, family: str, index: tuple, amount: float) -> str:
    """One line: what cannot hold, by how much, in which unit."""
    amount_text = f"{amount:.3g}"
    unit = row_unit(case, family, index)
    if family in _PHRASES:
        what, direction, _, _ = _PHRASES[family]
        try:
            subject = what(*index)
        except TypeError:  # an index of another length than expected
            subject = f"{family}[{', '.join(map(str, index))}]"
        verb = {"unserved": " cannot be met", "extraction_max": ""}.get(family, " cannot hold")
        return f"{subject}{verb}: {direction} by {amount_text} {unit}"
    return f"{family}[{', '.join(map(str, index))}] cannot hold: off by {amount_text} {unit}"


def grouped(causes, bounds: int) -> list[str]:
    """The infeasible subset, family by family: a count, the members (at most SHOWN), then the
    distinct data rows behind them (each once)."""
    families: dict[str, list] = defaultdict(list)
    for cause in causes:
        families[cause.family].append(cause)
    members = sum(len(v) for v in families.values())
    lines = [f"Why — {_count(members, 'constraint')} that cannot all hold together (an "
             "irreducible infeasible subset), by family:"]
    for family, found in families.items():
        lines.append(f"  {family} ({len(found)}):")
        names = [c.constraint for c in found]
        lines += [f"    - {name}" for name in names[:SHOWN]]
        if len(names) > SHOWN:
            lines.append(f"    … and {len(names) - SHOWN} more")
        rows = by_file(row for c in found for row in c.rows)
        if rows:
            lines.append("    from " + "; ".join(rows))
    if bounds:
        lines.append(f"  together with {_count(bounds, 'variable bound')} (a capacity, a demand "
                     "met in full, nothing negative)")
    return lines


def by_file(rows) -> list[str]:
    """Distinct data rows, those of one source together: "demand.csv, lines 2, 3, 9",
    'x.toml [[add]] #3 (…) rows 7, 8' (at most SHOWN numbers per source and SHOWN sources, the
    rest counted)."""
    numbers: dict[tuple[str, str], list[int]] = {}
    for row in rows:
        found = _NUMBERED.match(row)
        source, word, number = found.groups() if found else (row, "", None)
        listed = numbers.setdefault((source, word), [])
        if number is not None and int(number) not in listed:
            listed.append(int(number))
    shown = []
    for (source, word), listed in numbers.items():
        if not listed:
            shown.append(source)
            continue
        more = f" and {len(listed) - SHOWN} more" if len(listed) > SHOWN else ""
        shown.append(f"{source}{word}{'s' if len(listed) > 1 else ''} "
                     f"{', '.join(map(str, sorted(listed)[:SHOWN]))}{more}")
    if len(shown) > SHOWN:
        shown = shown[:SHOWN] + [f"… and {len(shown) - SHOWN} more sources"]
    return shown


_NUMBERED = re.compile(r"^(.*?)(, line| row) (\d+)$")


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"
