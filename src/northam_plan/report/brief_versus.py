"""The brief's sentences of a scenario against the base: the lede's total cost
(:func:`lede_versus`) and, per mineral chain, the (at most three) largest changes worth a
sentence (:func:`chain_versus`)."""

from __future__ import annotations

import pandas as pd

from northam_plan.plan.units import ZERO_TOLERANCE
from northam_plan.report.chainview import CHINA
from northam_plan.report.names import MineralChain
from northam_plan.report.numbers import percent, points, quantity, signed, signed_money
from northam_plan.report.planview import PP, SHARE, PlanView, Sentence, anchor


def lede_versus(view: PlanView, base: PlanView) -> list[Sentence]:
    total = float(view.facts.plan.summary.get("objective", float("nan")))
    total_b = float(base.facts.plan.summary.get("objective", float("nan")))
    text = f"{view.name} against {base.name}: total cost {signed_money(total - total_b)}"
    if view.sectors is not None and base.sectors is not None:
        m = view.sectors.present_value(minerals=True) - base.sectors.present_value(minerals=True)
        e = view.sectors.present_value(minerals=False) - \
            base.sectors.present_value(minerals=False)
        text += f", of which mineral chains {signed_money(m)} and energy system " \
                f"{signed_money(e)}"
    return [Sentence(text + ".", anchor("sector", "total"), kind="versus")]


def chain_versus(view: PlanView, base: PlanView, chain: MineralChain, years: list[int]
                  ) -> Sentence | None:
    """The (at most three) largest changes against the base worth a sentence, or None."""
    names = view.names
    changes: list[tuple[float, str, str]] = []  # (rank, text, link); rank 1 = a share
    moves = []
    for column, label in (("self_sufficiency", "self-sufficiency"),
                          ("china_share", f"{names.country(CHINA)}'s share of use")):
        for c in chain.stages:
            for t in years:
                a, b = view.value(c, t, column), base.value(c, t, column)
                if not (pd.isna(a) or pd.isna(b)) and abs(a - b) >= PP:
                    moves.append((abs(a - b), f"{label} of {names.commodity(c)} in {t} "
                                  f"{points(a - b)} (to {percent(a)})", t))
    for _, text, t in sorted(moves, key=lambda m: -m[0])[:1]:
        changes.append((1.0, text, view.row_of(chain, t)))
    builds_a, builds_b = view.builds_of(chain.key), base.builds_of(chain.key)
    delta = float(builds_a["capex"].sum() - builds_b["capex"].sum())
    if abs(delta) >= max(SHARE * abs(float(builds_b["capex"].sum())), ZERO_TOLERANCE):
        link = anchor("build", view.name, builds_a.iloc[0]["country"],
                      builds_a.iloc[0]["process"]) if len(builds_a) else ""
        changes.append((0.8, f"new capacity {signed_money(delta)} overnight"
                        + _largest_build_change(view, builds_a, builds_b), link))
    if view.sectors is not None and base.sectors is not None:
        cost = view.sectors.present_value(chain.key) - base.sectors.present_value(chain.key)
        if abs(cost) >= max(SHARE * abs(base.sectors.present_value(chain.key)),
                            ZERO_TOLERANCE):
            changes.append((0.9, f"chain cost {signed_money(cost)}", anchor("sector", chain.key)))
    for c in chain.stages:
        unit = view.facts.unit(c)
        a, b = view.total(c, "unserved"), base.total(c, "unserved")
        if abs(a - b) >= max(ZERO_TOLERANCE, SHARE * abs(b)):
            changes.append((2.0, f"unserved {names.commodity(c)} "
                            f"{signed(quantity(abs(a - b)), a - b)} {unit} over the horizon",
                            view.row_of(chain, years[0])))
        a, b = view.peak(c, "stock"), base.peak(c, "stock")
        if abs(a - b) >= max(ZERO_TOLERANCE, SHARE * abs(b)):
            changes.append((0.5, f"largest strategic stock of {names.commodity(c)} "
                            f"{quantity(a)} {unit} (was {quantity(b)})",
                            view.row_of(chain, years[0])))
    if not changes:
        return None
    chosen = sorted(changes, key=lambda x: -x[0])[:3]
    return Sentence(f"{view.name} against {base.name}: " + "; ".join(t for _, t, _ in chosen)
                    + ".", chosen[0][2], kind="versus")


def _largest_build_change(view: PlanView, a: pd.DataFrame, b: pd.DataFrame) -> str:
    """", most in <country> <process> ±<capacity>": the (country, process) whose new
    capacity changed most (the first in sorted order on a tie); '' when none did."""
    now = _capacities(a)
    was = _capacities(b)
    deltas = [(key, now.get(key, 0.0) - was.get(key, 0.0)) for key in sorted(now.keys() | was)]
    deltas = [(key, d) for key, d in deltas if abs(d) >= ZERO_TOLERANCE]
    if not deltas:
        return ""
    (k, p), delta = max(deltas, key=lambda kd: abs(kd[1]))  # (the first of the largest)
    unit = view.facts.capacity_unit(p)
    return (f", most in {view.names.country(k)} {view.names.process(p)} "
            f"{signed(quantity(abs(delta)), delta)} {unit}")


def _capacities(builds: pd.DataFrame) -> dict[tuple[str, str], float]:
    """(country, process) → new capacity (an empty cell counts 0)."""
    return {(str(k), str(p)): 0.0 if pd.isna(q) else float(q) for k, p, q in zip(
        builds["country"], builds["process"], builds["capacity"])}
