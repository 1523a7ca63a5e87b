"""A short plain-language summary written from the headline numbers.

Every sentence quotes numbers of the comparison table; thresholds only decide what is worth a
sentence (a change of at least 0.5 percentage points, or 0.5 % of the base's total), never
what a number is.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from northam_plan.plan.units import ZERO_TOLERANCE
from northam_plan.report.metrics import Comparison
from northam_plan.report.names import Names
from northam_plan.report.numbers import plain

PP = 0.5          # percentage points worth mentioning
SHARE = 0.005     # share of a total worth mentioning


def money(value: float) -> str:
    return f"{value:,.0f} M$" if abs(value) >= 10 else f"{value:,.2f} M$"


def signed_money(value: float) -> str:
    return ("+" if value > 0 else "−" if value < 0 else "±") + money(abs(value))


def percent(value: float) -> str:
    return f"{value:.1f} %"


def summarise(comparison: Comparison) -> list[tuple[str, list[str]]]:
    """(heading, sentences in plain text): what one plan shows, or for each scenario how it
    differs from the base."""
    h = _named(comparison.topic("headline"), Names(comparison.facts[comparison.base]))
    years = comparison.plans[0].years
    span = f"{years[0]}–{years[-1]}" if years else ""
    if not comparison.others:
        return [(comparison.base, _one_plan(comparison, h, span))]
    return [(f"{s} against {comparison.base}", _versus(comparison, h, s, span))
            for s in comparison.others]


def _named(h: pd.DataFrame, names: Names) -> pd.DataFrame:
    """The headline rows with display names in place of commodity and country codes."""
    h = h.copy()
    h["commodity"] = [names.commodity(c) if c else c for c in h["commodity"]]
    h["country"] = [names.country(k) if k else k for k in h["country"]]
    return h


def _rows(h: pd.DataFrame, metric: str) -> pd.DataFrame:
    return h[h["metric"] == metric]


def _label(row) -> str:
    parts = [str(row[k]) for k in ("country", "sector", "commodity", "detail") if row[k]]
    return " ".join(parts)


def _versus(c: Comparison, h: pd.DataFrame, s: str, span: str) -> list[str]:
    base = c.base
    out = []
    total = _rows(h, "Total cost")
    if len(total) and not np.isnan(total[base].iloc[0]):
        b, v = float(total[base].iloc[0]), float(total[s].iloc[0])
        d = v - b
        if abs(d) < ZERO_TOLERANCE:  # within 1 $: the same
            out.append(f"{s} costs as much as {base} ({money(b)}, present value "
                       f"{span}).")
        else:
            rel = f" ({abs(d) / abs(b):.2%})" if b else ""
            out.append(f"{s} costs {money(abs(d))}{rel} {'more' if d > 0 else 'less'} than "
                       f"{base} in total: {money(v)} against {money(b)} (present value, {span}).")
    by_country = _rows(h, "Cost by country")
    if len(by_country):
        delta = by_country[s] - by_country[base]
        if (delta.abs() > SHARE * by_country[base].abs().sum()).any():
            # (pandas-stubs: .loc takes no Hashable label, which idxmax gives)
            up = by_country.loc[delta.idxmax()]  # type: ignore[call-overload]
            down = by_country.loc[delta.idxmin()]  # type: ignore[call-overload]
            parts = []
            if delta.max() > 0:
                parts.append(f"rises most in {up['country']} ({signed_money(delta.max())})")
            if delta.min() < 0:
                parts.append(f"falls most in {down['country']} ({signed_money(delta.min())})")
            out.append("Cost by country " + " and ".join(parts) + ".")
    inv = _rows(h, "Investment")
    if len(inv):
        delta = inv[s] - inv[base]
        total_b, total_s = inv[base].sum(), inv[s].sum()
        moves = delta[delta.abs() >= max(SHARE * abs(total_b), ZERO_TOLERANCE)].abs().sort_values(
            ascending=False).index[:3]
        if len(moves):
            listed = ", ".join(f"{signed_money(delta[i])} in {_label(inv.loc[i])}"
                               for i in moves)
            out.append(f"Investment {_direction(total_s - total_b)} "
                       f"{money(total_s)} against {money(total_b)}; the largest moves: {listed}.")
        else:
            out.append(f"Investment is about the same ({money(total_s)} against "
                       f"{money(total_b)}).")
    out += _shares(h, "Self-sufficiency", s, base, "self-sufficiency in")
    out += _shares(h, "Import dependence on top outside supplier", s, base,
                   "import dependence on the top outside supplier for")
    out += _unserved(h, s, base)
    return out


def _direction(delta: float) -> str:
    return "rises to" if delta > 0 else "falls to" if delta < 0 else "stays at"


def _shares(h, metric, s, base, phrase) -> list[str]:
    rows = _rows(h, metric).dropna(subset=[s, base])
    if rows.empty:
        return []
    delta = rows[s] - rows[base]
    big = delta[delta.abs() >= PP].abs().sort_values(ascending=False).index[:3]
    if not len(big):
        return [f"No {metric.lower()} figure of the headline changes by {PP} percentage points "
                "or more."]
    parts = []
    for i in big:
        row = rows.loc[i]
        verb = "rises" if delta[i] > 0 else "falls"
        parts.append(f"{row['commodity']} in {row['year']} {verb} from {percent(row[base])} "
                     f"to {percent(row[s])}")
    return [f"USMCA {phrase}: " + "; ".join(parts) + "."]


def _unserved(h, s, base) -> list[str]:
    rows = _rows(h, "Unserved demand")
    total = rows[rows["commodity"] == ""]
    if total.empty:
        return []
    b, v = float(total[base].iloc[0]), float(total[s].iloc[0])
    if b == 0 and v == 0:
        return [f"All demand is met in both {base} and {s}."]
    per = rows[rows["commodity"] != ""]
    listed = ", ".join(f"{r['commodity']} {plain(r[s], 4)} (was {plain(r[base], 4)})"
                       for _, r in per.iterrows())
    return [f"Unserved demand in {s}: {listed or v}."]


def _one_plan(c: Comparison, h: pd.DataFrame, span: str) -> list[str]:
    s = c.base
    out = []
    total = _rows(h, "Total cost")
    if len(total):
        out.append(f"{s} costs {money(float(total[s].iloc[0]))} in total (present value, "
                   f"{span}).")
    inv = _rows(h, "Investment")
    if len(inv) and inv[s].sum() > 0:
        top = inv[s].sort_values(ascending=False).index[:3]
        listed = ", ".join(f"{_label(inv.loc[i])} {money(inv.loc[i, s])}" for i in top)
        out.append(f"It invests {money(inv[s].sum())} (overnight cost of new capacity), most "
                   f"in {listed}.")
    ss = _rows(h, "Self-sufficiency").dropna(subset=[s])
    if len(ss):
        last = ss[ss["year"] == ss["year"].max()].sort_values(s)
        low, high = last.iloc[0], last.iloc[-1]
        out.append(f"USMCA self-sufficiency in {low['year']} ranges from {percent(low[s])} "
                   f"({low['commodity']}) to {percent(high[s])} ({high['commodity']}).")
    dep = _rows(h, "Import dependence on top outside supplier").dropna(subset=[s])
    if len(dep):
        last = dep[dep["year"] == dep["year"].max()]
        high = last[last[s] >= 50.0]
        if len(high):
            out.append(f"In {last['year'].iloc[0]}, one outside supplier provides half or more "
                       f"of USMCA imports of {', '.join(high['commodity'])}.")
    unserved = _rows(h, "Unserved demand")
    total_u = unserved[unserved["commodity"] == ""]
    if len(total_u):
        value = float(total_u[s].iloc[0])
        out.append("All demand is met." if value == 0 else
                   f"Some demand is not met: {', '.join(unserved['commodity'].iloc[1:])}.")
    return out
