"""The brief and the tables its sentences quote, as HTML: the first screen
(:func:`brief_section`), the mineral chains beside the energy system (:func:`sectors_section`),
every year of each chain (:func:`chains_section`) and what to build where and when
(:func:`builds_table`). Every row a sentence quotes carries the id the sentence links to
(:func:`northam_plan.report.planview.anchor`).
"""

from __future__ import annotations

import html
from collections.abc import Iterable

import pandas as pd

from northam_plan.plan.frames import records
from northam_plan.report.metrics import Comparison
from northam_plan.report.names import MineralChain
from northam_plan.report.numbers import is_zero, money, percent, plain, signed
from northam_plan.report.planview import Brief, PlanView, Sentence, anchor
from northam_plan.scenarios.compare_plan import USMCA


def esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def _item(sentence: Sentence, css: str = "") -> str:
    link = f' <a class="row" href="#{esc(sentence.link)}" title="the table row">▸ row</a>' \
        if sentence.link else ""
    klass = f' class="{css}"' if css else ""
    return f"<li{klass}>{esc(sentence.text)}{link}</li>"  # kind "versus": shaded


def brief_section(brief: Brief, c: Comparison) -> str:
    """The first screen: the whole plan in a few sentences, then one card per chain."""
    cards = []
    for chain_brief in brief.chains:
        chain = chain_brief.chain
        items = "".join(_item(s, s.kind) for s in chain_brief.sentences)
        more = ""
        if chain_brief.more:
            more = ("<details><summary>further builds</summary><ul>"
                    + "".join(_item(s) for s in chain_brief.more) + "</ul></details>")
        cards.append(f'<article class="card" id="brief-{esc(anchor(chain.key))}">'
                     f"<h3>{esc(chain.title)}</h3>"
                     f"<ul>{items}</ul>{more}</article>")
    years = " and ".join(map(str, brief.years))
    base = f" Base: {esc(c.base)}." if c.others else ""
    return (f'<section class="brief" id="brief">'
            '<button class="print" onclick="printBrief()">Print the brief</button>'
            f"<h2>Brief: what to build, where and when</h2>"
            f'<p class="keys">Per mineral chain, {years}: USMCA self-sufficiency per stage '
            f"((output − exports) ÷ use), dependence on China and on the largest outside "
            f"supplier (share of use), what to build and when permitting must start, stock, "
            f"unserved demand, cost.{base} ▸ row: the table row a sentence quotes.</p>"
            f'<ul class="lede">{"".join(_item(s) for s in brief.lede)}</ul>'
            f'<div class="cards">{"".join(cards)}</div></section>')


# --- the mineral chains beside the energy system ---------------------------------------------

def sectors_section(views: dict[str, PlanView], c: Comparison) -> str:
    """Present-value cost and overnight investment of each chain, all chains and the energy
    system, per scenario (and the difference from the base); the electricity the chains use."""
    base = views[c.base]
    if any(v.sectors is None for v in views.values()):
        return ('<p class="note">The costs of the mineral chains cannot be told apart from the '
                f"energy system's: {esc(base.facts.chain.note or 'the case is unknown')}.</p>")
    groups = ['<th rowspan="2">part of the plan</th>']
    head = []
    for s in c.scenarios:
        groups.append(f'<th class="group" colspan="{2 if s == c.base else 3}">{esc(s)}</th>')
        head.append('<th class="num">cost (M$, present value)</th>')
        if s != c.base:
            head.append(f'<th class="num diff">− {esc(c.base)}</th>')
        head.append('<th class="num">new capacity in the USMCA (M$ overnight)</th>')
    rows = [f"<tr>{''.join(groups)}</tr>", f"<tr>{''.join(head)}</tr>"]

    def line(key: str, label: str, cost, invest, css: str = "") -> None:
        cells = [f'<td class="label">{esc(label)}</td>']
        for s in c.scenarios:
            value = cost(views[s])
            cells.append(f'<td class="num">{plain(value)}</td>')
            if s != c.base:
                d = value - cost(base)
                tone = "" if is_zero(d) else (" bad" if d > 0 else " good")
                cells.append(f'<td class="num diff{tone}">{signed(plain(abs(d)), d)}</td>')
            cells.append(f'<td class="num">{plain(invest(views[s]))}</td>')
        klass = f' class="{css}"' if css else ""
        rows.append(f'<tr id="{esc(anchor("sector", key))}"{klass}>{"".join(cells)}</tr>')

    line("total", "Whole plan", lambda v: v.sectors.present_value(),
         lambda v: v.sectors.overnight(), "section")
    line("minerals", "Mineral chains", lambda v: v.sectors.present_value(minerals=True),
         lambda v: v.sectors.overnight(minerals=True))
    for chain in base.chains:
        line(chain.key, f"  {chain.title}", lambda v, k=chain.key: v.sectors.present_value(k),
             lambda v, k=chain.key: v.sectors.overnight(k))
    line("energy", "Energy system (power plants, fuel, interties, emissions)",
         lambda v: v.sectors.present_value(minerals=False),
         lambda v: v.sectors.overnight(minerals=False))
    table = f'<div class="wide"><table id="sectors">{"".join(rows)}</table></div>'
    return table + _electricity_table(views, c)


def _electricity_table(views: dict[str, PlanView], c: Comparison) -> str:
    years = [t for t in views[c.base].facts.years if t % 5 == 0] or views[c.base].facts.years
    sectors = views[c.base].sectors
    assert sectors is not None  # sectors_section shows this table only with the split
    unit = sectors.electricity_unit
    if not unit:  # no power plants in the case
        return ""
    head = "".join(f'<th class="num">{t}</th>' for t in years)
    rows = [f"<tr><th>electricity used by the mineral chains' plants ({esc(unit)}/yr)</th>"
            f"{head}</tr>"]
    for i, s in enumerate(c.scenarios):
        split = views[s].sectors
        assert split is not None
        frame = split.electricity
        used = frame[frame["country"].isin(USMCA)].groupby("year")["quantity"].sum()
        row_id = f' id="{esc(anchor("sector", "electricity"))}"' if i == 0 else ""
        cells = "".join(f'<td class="num">{plain(float(used.get(t, 0.0)))}</td>' for t in years)
        rows.append(f'<tr{row_id}><td class="label">{esc(s)} (USMCA)</td>{cells}</tr>')
    return f'<div class="wide"><table id="electricity">{"".join(rows)}</table></div>'


# --- every year of each chain ----------------------------------------------------------------

CHAIN_COLUMNS = ("year", "stage", "use", "USMCA output", "self-sufficiency",
                 "China's share of use", "top outside supplier (share of use)",
                 "strategic stock (end of year)", "unserved")


def chains_section(views: dict[str, PlanView], c: Comparison) -> str:
    """One collapsed block per chain: per scenario, every year and stage."""
    base = views[c.base]
    blocks = []
    for chain in base.chains:
        tables = "".join(_chain_table(views[s], chain) for s in c.scenarios)
        blocks.append(f'<details class="chain" id="{esc(anchor("chain", chain.key))}">'
                      f"<summary>{esc(chain.title)}</summary>{tables}</details>")
    return "".join(blocks)


def _chain_table(view: PlanView, chain: MineralChain) -> str:
    s = view.security
    part = s[s["commodity"].isin(chain.stages)]
    order = {c: i for i, c in enumerate(chain.stages)}
    part = part.assign(stage=part["commodity"].map(order)).sort_values(["year", "stage"])
    head = "".join(f'<th{" class=num" if i > 1 else ""}>{esc(h)}</th>'
                   for i, h in enumerate(CHAIN_COLUMNS))
    rows = [f"<tr>{head}</tr>"]
    seen: set[int] = set()
    names = view.names
    for rec in records(part):
        t = int(rec.year)
        row_id = f' id="{esc(view.row_of(chain, t))}"' if t not in seen else ""
        seen.add(t)
        unit = view.facts.unit(rec.commodity)
        top = (f"{esc(names.country(rec.top_supplier))} {percent(rec.top_supplier_share)}"
               if rec.top_supplier and not is_zero(rec.top_supplier_share) else "—")
        rows.append(
            f"<tr{row_id}><td>{t}</td><td class=\"wrap\">{esc(names.commodity(rec.commodity))}"
            f"</td><td class=\"num\">{plain(rec.use)} {esc(unit)}/yr</td>"
            f'<td class="num">{plain(rec.production)}</td>'
            f'<td class="num">{percent(rec.self_sufficiency)}</td>'
            f'<td class="num">{percent(rec.china_share)}</td><td class="num">{top}</td>'
            f'<td class="num">{plain(rec.stock)}</td><td class="num">{plain(rec.unserved)}</td>'
            "</tr>")
    return (f"<h3>{esc(view.name)}</h3>"
            f'<div class="wide"><table class="chain-years">{"".join(rows)}</table></div>')


# --- what to build, where and when -----------------------------------------------------------

BUILD_COLUMNS = ("chain", "country", "process", "permitting starts", "capacity permitted "
                 "then", "online", "new capacity in all", "of it pipeline projects",
                 "overnight cost (M$)")


def builds_table(views: dict[str, PlanView], c: Comparison) -> str:
    """Per scenario, every new mineral-chain capacity in the USMCA by country and process."""
    out = []
    for s in c.scenarios:
        view = views[s]
        titles = {chain.key: chain.title for chain in view.chains}
        frame = view.builds[view.builds["chain"].notna()]
        head = "".join(f'<th{" class=num" if i > 2 else ""}>{esc(h)}</th>'
                       for i, h in enumerate(BUILD_COLUMNS))
        rows = [f"<tr>{head}</tr>"]
        for rec in _ordered(frame, list(titles)):
            unit = view.facts.capacity_unit(rec.process)
            permit = "—" if rec.first_permit is None or pd.isna(rec.first_permit) \
                else str(int(rec.first_permit))
            online = str(rec.first_online) if rec.first_online == rec.last_online \
                else f"{rec.first_online}–{rec.last_online}"
            rows.append(
                f'<tr id="{esc(anchor("build", s, rec.country, rec.process))}">'
                f'<td class="wrap">{esc(titles[rec.chain])}</td>'
                f"<td>{esc(view.names.country(rec.country))}</td>"
                f'<td class="wrap">{esc(view.names.process(rec.process))}</td>'
                f'<td class="num">{permit}</td>'
                f'<td class="num">{plain(rec.first_permit_capacity)}</td>'
                f'<td class="num">{online}</td>'
                f'<td class="num">{plain(rec.capacity)} {esc(unit)}</td>'
                f'<td class="num">{plain(rec.project_capacity)}</td>'
                f'<td class="num">{money(rec.capex).removesuffix(" M$")}</td></tr>')
        out.append(f"<h3>{esc(s)}</h3><div class=\"wide\"><table class=\"builds\">"
                   f"{''.join(rows)}</table></div>")
    return "".join(out)


def _ordered(frame: pd.DataFrame, chains: list[str]) -> Iterable:
    order = {k: i for i, k in enumerate(chains)}
    frame = frame.assign(_o=frame["chain"].map(order)).sort_values(
        ["_o", "capex"], ascending=[True, False])
    return frame.drop(columns="_o").itertuples(index=False)
