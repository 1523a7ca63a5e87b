"""Charts of the committee view, as plotly figures (rendered by the plotly.js embedded once in
the HTML page: no browser at run time, no network when the page is opened).

* new capacity by country and online year (overnight capex, M$: the one measure that adds up
  across processes), one panel per scenario;
* sourcing mix: where the USMCA's supply of each commodity comes from over the horizon
  (output of each USMCA country, imports from each outside country), % of supply;
* delivered cost: marginal cost of each commodity at the USMCA regions that demand it;
* flow diagram of the mineral chain in a year the reader picks with the slider (the last
  model year first; Sankey), valued at reference prices: countries → minerals → materials →
  components → USMCA demand and exports.

Commodities are named by their display names (:mod:`northam_plan.report.names`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from northam_plan.plan.frames import groups_of
from northam_plan.plan.units import ZERO_TOLERANCE
from northam_plan.report.metrics import KIND_ORDER, Comparison, Facts
from northam_plan.report.names import Names
from northam_plan.report.numbers import plain as plain_number
from northam_plan.scenarios.compare import USMCA

COUNTRY_COLORS = {"US": "#3366cc", "CA": "#dc3912", "MX": "#109618", "CN": "#ff9900",
                  "ROW": "#7f7f7f"}
OTHER_COLORS = ["#990099", "#0099c6", "#dd4477", "#66aa00", "#b82e2e", "#316395", "#994499",
                "#22aa99", "#aaaa11", "#6633cc"]
SCENARIO_COLORS = ["#1f3b73", "#e4572e", "#29a36a", "#8e44ad", "#f1a208", "#17becf",
                   "#7f7f7f", "#bcbd22"]
KIND_COLORS = {"mineral": "#8c6d31", "material": "#3182bd", "component": "#31a354",
               "energy": "#e6550d"}
FONT = dict(family="Helvetica, Arial, sans-serif", size=12)


@dataclass
class Chart:
    key: str
    title: str
    caption: str
    figure: go.Figure


def country_color(country: str, order: list[str]) -> str:
    if country in COUNTRY_COLORS:
        return COUNTRY_COLORS[country]
    others = [c for c in order if c not in COUNTRY_COLORS]
    return OTHER_COLORS[others.index(country) % len(OTHER_COLORS)] if country in others \
        else "#444444"


#: kinds of commodity in the mineral chains' charts (not energy, not emissions)
CHAIN_KINDS = ("mineral", "material", "component")


def charts(comparison: Comparison, workbook: str = "comparison.xlsx") -> list[Chart]:
    out = [new_capacity(comparison, workbook), sourcing_mix(comparison),
           delivered_cost(comparison)]
    out += flow_diagrams(comparison)
    return [c for c in out if c is not None]


def _layout(fig: go.Figure, height: int) -> go.Figure:
    fig.update_layout(height=height, font=FONT, margin=dict(l=70, r=30, t=40, b=40),
                      plot_bgcolor="white", paper_bgcolor="white",
                      legend=dict(orientation="h", yanchor="bottom", y=1.02, x=0))
    fig.update_xaxes(showline=True, linecolor="#888", gridcolor="#eee")
    fig.update_yaxes(showline=True, linecolor="#888", gridcolor="#eee", zeroline=True,
                     zerolinecolor="#bbb")
    return fig


def new_capacity(comparison: Comparison, workbook: str = "comparison.xlsx") -> Chart | None:
    frames = []
    for name, f in comparison.facts.items():
        inv = f.investments
        if inv.empty:
            continue
        grouped = inv.groupby(["country", "online_year"], as_index=False)["capex"].sum()
        frames.append(grouped.assign(scenario=name))
    if not frames:
        return None
    data = pd.concat(frames, ignore_index=True)
    scenarios = comparison.scenarios
    countries = sorted(data["country"].unique(), key=_country_key)
    fig = make_subplots(rows=len(scenarios), cols=1, shared_xaxes=True, shared_yaxes=True,
                        vertical_spacing=0.06 if len(scenarios) > 1 else 0.0,
                        subplot_titles=scenarios)
    for i, scenario in enumerate(scenarios, start=1):
        part = data[data["scenario"] == scenario]
        for country in countries:
            rows = part[part["country"] == country]
            fig.add_trace(go.Bar(
                x=rows["online_year"], y=rows["capex"], name=country, legendgroup=country,
                showlegend=i == 1, marker_color=country_color(country, countries),
                hovertemplate=f"{scenario}<br>{country} %{{x}}: %{{y:,.1f}} M$<extra></extra>"),
                row=i, col=1)
        fig.update_yaxes(title_text="M$", row=i, col=1)
    fig.update_layout(barmode="stack")
    fig.update_xaxes(title_text="year capacity comes online", row=len(scenarios), col=1)
    _year_axis(fig, comparison)
    return Chart("new-capacity", "New capacity by country and year",
                 "Overnight capital cost (M$, undiscounted) of the capacity that comes online in "
                 "each year, stacked by country; the exact capacities per process are in the "
                 f"investments sheet of {workbook}.",
                 _layout(fig, 170 + 230 * len(scenarios)))


def _year_axis(fig: go.Figure, comparison: Comparison) -> None:
    """Whole years on the x axes (every year when there are few)."""
    years = comparison.plans[0].years
    fig.update_xaxes(tickformat="d", **({"dtick": 1} if len(years) <= 12 else {}))


def _country_key(country: str):
    order = ["US", "CA", "MX", "CN", "ROW"]
    return (order.index(country) if country in order else len(order), country)


def supply_by_origin(f: Facts) -> pd.DataFrame:
    """USMCA supply per commodity over the horizon by origin (output of each USMCA country,
    imports from each outside country), weighted by the years each model year stands for."""
    weights = f.weights
    prod = f.production[f.production["country"].isin(USMCA)]
    prod = prod.assign(q=prod["quantity"] * prod["year"].map(weights)).rename(
        columns={"country": "origin"})
    imp = f.outside_imports.assign(q=lambda d: d["quantity"] * d["year"].map(weights)).rename(
        columns={"supplier": "origin"})
    data = pd.concat([prod[["commodity", "origin", "q"]], imp[["commodity", "origin", "q"]]])
    data = data.groupby(["commodity", "origin"], as_index=False)[["q"]].sum()
    data = data[data["q"] >= ZERO_TOLERANCE]
    if f.kinds:
        data = data[data["commodity"].map(f.kinds).isin(CHAIN_KINDS)]
    totals = data.groupby("commodity")["q"].transform("sum")
    return data.assign(share=100.0 * data["q"] / totals)


def sourcing_mix(comparison: Comparison) -> Chart | None:
    frames = [supply_by_origin(f).assign(scenario=name)
              for name, f in comparison.facts.items()]
    data = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    if data.empty:
        return None
    kinds = next(iter(comparison.facts.values())).kinds
    names = Names(comparison.facts[comparison.base])
    commodities = sorted(data["commodity"].unique(),
                         key=lambda c: (KIND_ORDER.get(kinds.get(c, ""), 9), c), reverse=True)
    scenarios = list(reversed(comparison.scenarios))
    origins = sorted(data["origin"].unique(), key=_country_key)
    category = ([c for c in commodities for _ in scenarios],
                [s for _ in commodities for s in scenarios])
    label = {c: names.commodity(c) for c in commodities}
    fig = go.Figure()
    for origin in origins:
        share = data[data["origin"] == origin].set_index(["commodity", "scenario"])["share"]
        values = [share.get((c, s), 0.0) for c, s in zip(*category)]
        fig.add_trace(go.Bar(
            y=[[label[c] for c in category[0]], list(category[1])], x=values,
            name=names.country(origin), orientation="h",
            marker_color=country_color(origin, origins),
            hovertemplate=f"{origin}: %{{x:.1f}} %<extra></extra>"))
    fig.update_layout(barmode="stack", legend_traceorder="normal")
    fig.update_xaxes(title_text="% of USMCA supply, all years", range=[0, 100])
    height = 120 + 22 * len(category[0]) + 14 * len(commodities)
    return Chart("sourcing-mix", "Sourcing mix by origin",
                 "Where the USMCA's supply of each commodity comes from over the whole horizon "
                 "(each model year weighted by the years it stands for): output of each USMCA "
                 "country (including what it exports) and imports from each outside country.",
                 _layout(fig, height))


def delivered_cost(comparison: Comparison) -> Chart | None:
    frames = [f.delivered_cost.assign(scenario=name) for name, f in comparison.facts.items()]
    data = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    if data.empty:
        return None
    first = next(iter(comparison.facts.values()))
    names = Names(comparison.facts[comparison.base])
    commodities = sorted(data["commodity"].unique(),
                         key=lambda c: (KIND_ORDER.get(first.kinds.get(c, ""), 9), c))
    cols = min(3, len(commodities))
    rows = int(np.ceil(len(commodities) / cols))
    titles = [f"{names.commodity(c)} (M$/{first.unit(c)})" for c in commodities]
    fig = make_subplots(rows=rows, cols=cols, subplot_titles=titles, horizontal_spacing=0.07,
                        vertical_spacing=min(0.5 / max(rows, 1), 0.12))
    for k, scenario in enumerate(comparison.scenarios):
        color = SCENARIO_COLORS[k % len(SCENARIO_COLORS)]
        part = data[data["scenario"] == scenario]
        for i, c in enumerate(commodities):
            line = part[part["commodity"] == c].sort_values("year")
            fig.add_trace(go.Scatter(
                x=line["year"], y=line["cost"], mode="lines", name=scenario,
                legendgroup=scenario, showlegend=i == 0,
                line=dict(color=color, width=2, dash="solid" if k == 0 else "dash"),
                hovertemplate=f"{scenario}<br>{names.commodity(c)} %{{x}}: "
                              "%{y:,.4~r}<extra></extra>"),
                row=i // cols + 1, col=i % cols + 1)
    fig.update_annotations(font_size=12)
    _year_axis(fig, comparison)
    return Chart("delivered-cost", "Delivered cost",
                 "Marginal cost of one more unit of each commodity at the USMCA regions that "
                 "demand it (dual of the commodity balance, demand-weighted), in M$ per unit of "
                 "the year (= $/kg for kt units).", _layout(fig, 90 + 230 * rows))


def flow_diagrams(comparison: Comparison) -> list[Chart]:
    out = []
    for name, f in comparison.facts.items():
        chart = flow_diagram(f, name)
        if chart is not None:
            out.append(chart)
    return out


def chain_links(f: Facts, year: int | None = None) -> tuple[pd.DataFrame, str]:
    """Links of the mineral chain in ``year`` (every year, with a ``year`` column, when None):
    source, target, commodity, quantity, value, and the unit label of the values."""
    frames = []
    prod = f.production[f.production["country"].isin(USMCA)]
    prod = prod[prod["commodity"].map(f.kinds) == "mineral"]
    frames.append(prod.assign(source=prod["country"], target=prod["commodity"]))
    imp = f.outside_imports
    frames.append(imp.assign(source=imp["supplier"] + " (imports)", target=imp["commodity"]))
    use = f.use[f.use["country"].isin(USMCA)].groupby(
        ["commodity", "output", "year"], as_index=False)["quantity"].sum()
    frames.append(use.assign(source=use["commodity"], target=use["output"]))
    dem = f.demand[f.demand["country"].isin(USMCA)].groupby(
        ["commodity", "year"], as_index=False)[["demand", "unserved"]].sum()
    frames.append(dem.assign(source=dem["commodity"], target="USMCA demand",
                             quantity=dem["demand"] - dem["unserved"]))
    short = dem[dem["unserved"] >= ZERO_TOLERANCE]
    frames.append(short.assign(source="unserved (shortfall)", target="USMCA demand",
                               quantity=short["unserved"]))
    exp = f.outside_exports
    frames.append(exp.assign(source=exp["commodity"], target="exports"))
    columns = ["source", "target", "commodity", "quantity", "year"]
    frame = pd.concat([x[columns] for x in frames if len(x)], ignore_index=True) if any(
        len(x) for x in frames) else pd.DataFrame(columns=columns)
    frame["year"] = frame["year"].astype(int)
    if year is not None:
        frame = frame[frame["year"] == year].drop(columns="year")
    frame = frame[frame["quantity"] >= ZERO_TOLERANCE]
    if f.kinds:
        frame = frame[frame["commodity"].map(f.kinds).isin(CHAIN_KINDS)]
    frame = frame.reset_index(drop=True)
    priced = frame["commodity"].map(lambda c: f.prices.get(c, 0.0))
    if len(frame) and (priced > 0).all():
        return frame.assign(value=frame["quantity"] * priced), "M$/yr at reference prices"
    return frame.assign(value=frame["quantity"]), "physical units (some commodities have no " \
                                                  "reference price)"


def _rgba(color: str, alpha: float) -> str:
    r, g, b = (int(color[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


def flow_diagram(f: Facts, name: str) -> Chart | None:
    """The Sankey of one plan with a slider over every model year (the last one shown first):
    the nodes are those of all years, each step sets the links of its year."""
    if not f.chain.known or not f.years:
        return None
    names = Names(f)
    every, measure = chain_links(f)
    if every.empty:
        return None
    per_year = {int(t): (links.drop(columns="year"), measure)
                for t, links in groups_of(every.groupby("year"))}
    nodes = list(dict.fromkeys([*every["source"], *every["target"]]))
    order = sorted({n for n in nodes if n in f.kinds}, key=lambda c: (KIND_ORDER.get(
        f.kinds[c], 9), c))
    countries = [n for n in nodes if n not in f.kinds and n not in ("USMCA demand", "exports")]
    nodes = countries + order + [n for n in ("USMCA demand", "exports") if n in nodes]
    index = {n: i for i, n in enumerate(nodes)}
    colors = []
    for n in nodes:
        if n in f.kinds:
            colors.append(KIND_COLORS.get(f.kinds[n], "#999999"))
        elif n in ("USMCA demand", "exports"):
            colors.append("#555555")
        else:
            colors.append(country_color(n.split(" ")[0], [c.split(" ")[0] for c in countries]))
    labels = [f"{names.commodity(n)} ({f.kinds[n]})" if n in f.kinds else
              (f"{names.country(n.split(' ')[0])} (imports)" if n.endswith(" (imports)")
               else names.country(n)) for n in nodes]

    def link(links: pd.DataFrame) -> dict:
        units = [f.unit(c) for c in links["commodity"]]
        return dict(source=[index[s] for s in links["source"]],
                    target=[index[t] for t in links["target"]], value=links["value"].tolist(),
                    color=[_rgba(KIND_COLORS.get(f.kinds.get(c, ""), "#888888"), 0.35)
                           for c in links["commodity"]],
                    customdata=[f"{plain_number(q)} {u}/yr of {names.commodity(c)}"
                                for q, u, c in zip(links["quantity"], units,
                                                   links["commodity"])],
                    hovertemplate="%{source.label} → %{target.label}<br>%{customdata}<br>"
                                  "%{value:,.1f}<extra></extra>")

    years = list(per_year)
    last = years[-1]
    fig = go.Figure(go.Sankey(
        arrangement="snap", valueformat=",.1f",
        node=dict(label=labels, color=colors, pad=14, thickness=16,
                  line=dict(color="#333", width=0.4)),
        link=link(per_year[last][0])))
    steps = []
    for t in years:
        data = link(per_year[t][0])
        steps.append(dict(label=str(t), method="restyle",
                          args=[{f"link.{k}": [v] for k, v in data.items()}]))
    _layout(fig, 560)
    fig.update_layout(margin=dict(l=20, r=20, t=20, b=70), sliders=[dict(
        active=len(years) - 1, steps=steps, currentvalue=dict(prefix="year "),
        pad=dict(t=10), x=0, len=1.0, y=0, yanchor="top")])
    measure = per_year[last][1]
    return Chart(f"flow-{name}", f"Flow diagram of the mineral chain — {name}",
                 f"Mineral output of USMCA countries and imports from outside countries, the "
                 f"minerals and materials used to make materials and components in the USMCA, "
                 f"and what serves USMCA demand or is exported, in the year the slider picks "
                 f"({last} first); widths in {measure}.", fig)
