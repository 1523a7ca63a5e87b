"""The brief: sentences written from the numbers of each plan, per mineral chain, that answer
the committee's questions — how self-sufficient the USMCA is in the brief years (2030 and 2040)
and how that changes against the base; its dependence on China and on any one outside
supplier; what must be built (capacity, country, the year permitting starts, the years it comes
online); what the chain costs; the strategic stock; unserved demand.

Every number in a sentence is read from the plan (:mod:`northam_plan.report.chainview`,
:mod:`northam_plan.report.sectors`, through :class:`~northam_plan.report.planview.PlanView`),
and every sentence names the table row it quotes (:func:`~northam_plan.report.planview.anchor`);
the sentences against the base are :mod:`northam_plan.report.brief_versus`'s. Thresholds only
decide what is worth a sentence (a change of at least :data:`~.planview.PP` percentage points,
or :data:`~.planview.SHARE` of the base's total), never what a number is; anything below the
tables' zero tolerance is 0.
"""

from __future__ import annotations

import pandas as pd

from northam_plan.plan.units import ZERO_TOLERANCE
from northam_plan.report.brief_versus import chain_versus, lede_versus
from northam_plan.report.chainview import CHINA, brief_years
from northam_plan.report.metrics import Comparison
from northam_plan.report.names import MineralChain, Names
from northam_plan.report.numbers import money, percent, quantity
from northam_plan.report.planview import (
    PP,
    SHARE,
    Brief,
    ChainBrief,
    PlanView,
    Sentence,
    anchor,
)
from northam_plan.report.sectors import Sectors


def write_brief(comparison: Comparison, views: dict[str, PlanView]) -> Brief:
    """The brief of one plan (the report) or of the base and each scenario's changes."""
    base = views[comparison.base]
    years = brief_years(base.facts.years)
    others = [views[s] for s in comparison.others]
    lede = _lede(base, years)
    for other in others:
        lede += lede_versus(other, base)
    chains = []
    for chain in sorted(base.chains, key=lambda ch: _concern(ch, [base, *others])):
        sentences = _chain(base, chain, years)
        quiet = []
        for other in others:
            change = chain_versus(other, base, chain, years)
            if change is None:
                quiet.append(other.name)
            else:
                sentences.append(change)
        if quiet:
            sentences.append(Sentence(
                f"No change worth a sentence ({100 * PP:g} pp, {100 * SHARE:g} %) against "
                f"{base.name} in {' or '.join(quiet)}.", kind="versus"))
        more = [s for view in (base, *others) for s in _builds(view, chain, first=1)[1:]]
        chains.append(ChainBrief(chain, sentences, more))
    return Brief(lede, chains, years)


def _concern(chain: MineralChain, views: list[PlanView]) -> tuple[int, float, str]:
    """Chains with unserved demand first, then by the largest share of use from China (any
    plan, any year), then by title."""
    unserved, china = 0, 0.0
    for view in views:
        part = view.security[view.security["commodity"].isin(chain.stages)]
        unserved |= int((part["unserved"] >= ZERO_TOLERANCE).any())
        china = max(china, float(part["china_share"].max()) if len(part) else 0.0)
    return -unserved, -china, chain.title


# --- the lede: the whole plan ----------------------------------------------------------------

def _span(view: PlanView) -> str:
    years = view.facts.years
    return f"{years[0]}–{years[-1]}" if years else ""


def _lede(view: PlanView, years: list[int]) -> list[Sentence]:
    out = []
    total = float(view.facts.plan.summary.get("objective", float("nan")))
    sectors = view.sectors
    link = anchor("sector", "total")
    if sectors is not None:
        out.append(Sentence(
            f"{view.name}: total cost {money(total)} (present value, {_span(view)}), of which "
            f"the mineral chains {money(sectors.present_value(minerals=True))} and the energy "
            f"system {money(sectors.present_value(minerals=False))}. New capacity in the "
            f"USMCA (overnight cost): mineral chains "
            f"{money(sectors.overnight(minerals=True))}, energy system "
            f"{money(sectors.overnight(minerals=False))}.", link))
        out += _electricity(view, sectors, years)
    else:
        out.append(Sentence(f"{view.name}: total cost {money(total)} (present value, "
                            f"{_span(view)}); the costs of the mineral chains cannot be told "
                            f"apart: {view.facts.chain.note or 'the case is unknown'}.", link))
    return out


def _electricity(view: PlanView, sectors: Sectors, years: list[int]) -> list[Sentence]:
    used = sectors.electricity[sectors.electricity["country"].isin(("US", "CA", "MX"))]
    if used.empty or not years:
        return []
    t = years[0]
    quantity_t = float(used.loc[used["year"] == t, "quantity"].sum())
    unit = sectors.electricity_unit
    whole = view.security
    elec = next((c for c in set(whole["commodity"]) if view.facts.unit(c) == unit
                 and view.facts.kinds.get(c) == "energy"), None)
    share = ""
    if elec is not None:
        use = view.value(elec, t, "use")
        if use > 0:
            share = f", {percent(quantity_t / use)} of the USMCA's use"
    return [Sentence(f"The mineral chains' plants use {quantity(quantity_t)} {unit} of "
                     f"electricity in {t}{share}.", anchor("sector", "electricity"))]


# --- one chain -------------------------------------------------------------------------------

def _chain(view: PlanView, chain: MineralChain, years: list[int]) -> list[Sentence]:
    out = [_sufficiency(view, chain, years), _dependence(view, chain, years),
           _builds(view, chain, first=1)[0], _stock(view, chain), _circular(view, chain)]
    unserved, cost = _unserved(view, chain), _cost(view, chain)
    if cost is not None and not unserved.link:  # all met: one sentence with the cost
        out.append(Sentence(f"{unserved.text.removesuffix('.')}; "
                            f"{cost.text[0].lower()}{cost.text[1:]}", cost.link))
    else:
        out += [unserved, cost]
    return [s for s in out if s is not None]


def _sufficiency(view: PlanView, chain: MineralChain, years: list[int]) -> Sentence | None:
    parts = []
    for c in chain.stages:
        values = [view.value(c, t, "self_sufficiency") for t in years]
        if all(pd.isna(v) for v in values):
            continue
        shown = [percent(v) for v in values]
        parts.append(f"{view.names.commodity(c)} " + " → ".join(
            [t.removesuffix(" %") for t in shown[:-1]] + shown[-1:]))
    if not parts:
        return None
    return Sentence(f"Self-sufficiency {' → '.join(map(str, years))}: " + "; ".join(parts) + ".",
                    view.row_of(chain, years[0]))


def _top(view: PlanView, chain: MineralChain, years: list[int], column: str
         ) -> tuple[str, int, float]:
    s = view.security
    part = s[s["commodity"].isin(chain.stages) & s["year"].isin(years)]
    if part.empty or part[column].max() < ZERO_TOLERANCE:
        return "", 0, 0.0
    row = part.sort_values([column, "year"], ascending=[False, True]).iloc[0]
    return str(row["commodity"]), int(row["year"]), float(row[column])


def _dependence(view: PlanView, chain: MineralChain, years: list[int]) -> Sentence | None:
    if not years:
        return None
    names, span = view.names, " or ".join(map(str, years))
    c, t, share = _top(view, chain, years, "china_share")
    if c:
        shares = [percent(view.value(c, y, "china_share")) + f" in {y}" for y in years]
        china = (f"{names.country(CHINA)} supplies {' and '.join(shares)} of the USMCA's use "
                 f"of {names.commodity(c)}.")
    else:
        china = f"{names.country(CHINA)}: none of the chain's use in {span}."
    c2, t2, share2 = _top(view, chain, years, "top_supplier_share")
    if c2:
        supplier = view.security
        who = supplier[(supplier["commodity"] == c2) & (supplier["year"] == t2)][
            "top_supplier"].iloc[0]
        rest = (f" Largest outside supplier: {names.country(who)}, "
                f"{percent(share2)} of {names.commodity(c2)} ({t2}).")
    else:
        rest = f" Nothing is imported from outside the USMCA in {span}."
    return Sentence(china + rest, view.row_of(chain, t2 if c2 else (t if c else years[0])))


def _builds(view: PlanView, chain: MineralChain, first: int = 1, most: int = 6
            ) -> list[Sentence]:
    """The ``first`` largest builds of the chain (by overnight cost) as sentences, the count
    of the others in the last of them; then up to ``most`` further builds, one each."""
    records = view.build_records(chain.key)
    if not records:
        return [Sentence("Nothing new is built in the USMCA for this chain.")]
    out = []
    for i, rec in enumerate(records[:first + most]):
        text = _build_text(view, rec)
        if i == first - 1 and len(records) > first:
            rest = len(records) - first
            text += f" {rest} more build{'s' if rest > 1 else ''} in the table."
        out.append(Sentence(text, anchor("build", view.name, rec["country"], rec["process"])))
    return out


def _build_text(view: PlanView, rec: dict) -> str:
    """One build (a row of ``PlanView.builds``) as a sentence."""
    names = view.names
    unit = view.facts.capacity_unit(rec["process"])
    country, process = names.country(rec["country"]), names.process(rec["process"])
    first_online, last_online = rec["first_online"], rec["last_online"]
    online = (f"{first_online}" if first_online == last_online
              else f"{first_online}–{last_online}")
    permit = rec["first_permit"]
    if permit is not None and not pd.isna(permit):
        text = (f"{country} must start permitting {process} by {int(permit)} "
                f"({quantity(rec['first_permit_capacity'])} {unit} that year): "
                f"{quantity(rec['capacity'])} {unit} new in all, online {online}")
        if rec["project_capacity"] >= ZERO_TOLERANCE:
            text += f", {quantity(rec['project_capacity'])} from pipeline projects"
    else:
        text = (f"{country}: pipeline projects bring {quantity(rec['capacity'])} {unit} of "
                f"{process} online in {online}")
    return text + "."


def _cost(view: PlanView, chain: MineralChain) -> Sentence | None:
    """What the chain costs and the security constraint of the chain with the largest dual
    (security_costs.csv, M$ per unit of that year)."""
    binding = _binding(view, chain)
    if view.sectors is None:
        return binding
    text = (f"The chain costs {money(view.sectors.present_value(chain.key))} (present value, "
            f"{_span(view)})")
    if binding is None:
        return Sentence(text + ".", anchor("sector", chain.key))
    return Sentence(f"{text}; {binding.text[0].lower()}{binding.text[1:]}",
                    anchor("sector", chain.key))


def _binding(view: PlanView, chain: MineralChain) -> Sentence | None:
    table = view.facts.table("security_costs")
    if table.empty or not {"constraint", "where", "year", "cost"} <= set(table):
        return None
    tokens = table["where"].astype(str).str.split(" / ")
    mine = table[[bool(set(t) & set(chain.stages)) for t in tokens]]
    mine = mine[mine["cost"].abs() >= ZERO_TOLERANCE]
    if mine.empty:
        return None
    row = _largest(mine.assign(size=mine["cost"].abs()), "size")
    where = " / ".join(_named(view.names, part) for part in str(row["where"]).split(" / "))
    commodity = next((p for p in str(row["where"]).split(" / ") if p in chain.stages), "")
    unit = view.facts.unit(commodity) if commodity else "unit"
    return Sentence(f"Cost of security: the {row['constraint']} ({where}) binds, at up to "
                    f"{money(abs(float(row['cost'])))} per {unit} in {int(row['year'])}.",
                    view.row_of(chain, int(row["year"])))


def _named(names: Names, code: str) -> str:
    if code in names.commodities():
        return names.commodity(code)
    return names.country(code)


def _by_year(values: pd.DataFrame, column: str, unit: str) -> str:
    """"2.8 kt in 2025, 7 in 2026, 4.6 in 2027" (up to four years), or the range and the
    largest value."""
    values = values.sort_values("year")
    if len(values) > 4:
        top = _largest(values, column)
        return (f"in {values['year'].min()}–{values['year'].max()}, at most "
                f"{quantity(top[column])} {unit} (in {int(top['year'])})")
    listed = [f"{quantity(v)} in {t}" for t, v in zip(values["year"], values[column])]
    listed[0] = listed[0].replace(" in ", f" {unit} in ", 1)
    return ", ".join(listed)


def _largest(frame: pd.DataFrame, column: str) -> pd.Series:
    """The first row with the largest value of ``column``."""
    return frame.sort_values(column, ascending=False, kind="stable").iloc[0]


def _stock(view: PlanView, chain: MineralChain) -> Sentence | None:
    """The strategic stock at the end of each year it is held (every year, not only the
    brief years: a stock built ahead of a ban is held before them)."""
    s = view.security
    held = s[s["commodity"].isin(chain.stages) & (s["stock"] >= ZERO_TOLERANCE)]
    if held.empty:
        return None
    parts = []
    for c, group in held.groupby("commodity", sort=False):
        listed = _by_year(group, "stock", view.facts.unit(str(c)))
        after = s[(s["commodity"] == c) & (s["year"] > group["year"].max())]
        if len(after):
            listed += f", none from {int(after['year'].min())}"
        parts.append(f"{view.names.commodity(str(c))} {listed}")
    peak_year = int(_largest(held, "stock")["year"])
    return Sentence("Strategic stock at the end of the year: " + "; ".join(parts) + ".",
                    view.row_of(chain, peak_year))


def _circular(view: PlanView, chain: MineralChain) -> Sentence | None:
    """What recycling plants make of the chain's goods and what offtake contracts on them cost
    the government (tables recycled_supply and offtakes; none without them)."""
    parts = []
    recycled = view.facts.table("recycled_supply")
    if not recycled.empty:
        made = recycled[recycled["commodity"].isin(chain.stages)].groupby(
            ["commodity", "year"], as_index=False)["quantity"].sum()
        for c, group in made[made["quantity"] >= ZERO_TOLERANCE].groupby("commodity"):
            parts.append(f"recycled {view.names.commodity(str(c))} "
                         f"{_by_year(group, 'quantity', view.facts.unit(str(c)) + '/yr')}")
    offtakes = view.facts.table("offtakes")
    if not offtakes.empty:
        paid = offtakes[offtakes["commodity"].isin(chain.stages)].groupby(
            "year", as_index=False)["budget_cost"].sum()
        paid = paid[paid["budget_cost"] >= ZERO_TOLERANCE]
        if len(paid):
            parts.append(f"government offtake budget {_by_year(paid, 'budget_cost', 'M$/yr')}")
    if not parts:
        return None
    text = "; ".join(parts)
    return Sentence(text[0].upper() + text[1:] + ".")


def _unserved(view: PlanView, chain: MineralChain) -> Sentence:
    s = view.security
    short = s[s["commodity"].isin(chain.stages) & (s["unserved"] >= ZERO_TOLERANCE)]
    if short.empty:
        return Sentence("All demand is met.")
    parts = [f"{view.names.commodity(str(c))} "
             f"{_by_year(group, 'unserved', view.facts.unit(str(c)))}"
             for c, group in short.groupby("commodity", sort=False)]
    worst = int(_largest(short, "unserved")["year"])
    return Sentence("Demand not met: " + "; ".join(parts) + ".", view.row_of(chain, worst))


# --- one chain, a scenario against the base ----------------------------------------------
