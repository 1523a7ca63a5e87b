"""Charts over every model year, not only the headline years: the strategic stock of each
commodity that has one (a stock built ahead of a ban is held before the first headline year),
and imports into the USMCA by origin, one commodity at a time (the menu picks it), one panel
per scenario. Delivered cost over every year is :func:`northam_plan.report.charts.delivered_cost`.
"""

from __future__ import annotations

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from northam_plan.plan.units import ZERO_TOLERANCE
from northam_plan.report.chainview import CHINA
from northam_plan.report.charts import COUNTRY_COLORS, FONT, SCENARIO_COLORS, Chart, country_color
from northam_plan.report.metrics import KIND_ORDER, Comparison
from northam_plan.report.planview import PlanView


def _layout(fig: go.Figure, height: int) -> go.Figure:
    fig.update_layout(height=height, font=FONT, margin=dict(l=70, r=30, t=40, b=40),
                      plot_bgcolor="white", paper_bgcolor="white",
                      legend=dict(orientation="h", yanchor="bottom", y=1.02, x=0))
    fig.update_xaxes(showline=True, linecolor="#888", gridcolor="#eee")
    fig.update_yaxes(showline=True, linecolor="#888", gridcolor="#eee")
    return fig


def _country_key(country: str) -> tuple[int, str]:
    order = list(COUNTRY_COLORS)
    return (order.index(country) if country in order else len(order), country)


def yearly_charts(c: Comparison, views: dict[str, PlanView]) -> list[Chart]:
    out = [stocks(c, views), imports_by_origin(c, views)]
    return [chart for chart in out if chart is not None]


def stocks(c: Comparison, views: dict[str, PlanView]) -> Chart | None:
    """USMCA strategic stock at the end of every year, per commodity and scenario."""
    fig = go.Figure()
    names = views[c.base].names
    shown = False
    for k, s in enumerate(c.scenarios):
        security = views[s].security
        held = security.groupby("commodity")["stock"].max()
        for commodity in held[held >= ZERO_TOLERANCE].index:
            line = security[security["commodity"] == commodity].sort_values("year")
            label = f"{s}: {names.commodity(commodity)}"
            fig.add_trace(go.Scatter(
                x=line["year"], y=line["stock"], mode="lines+markers", name=label,
                line=dict(color=SCENARIO_COLORS[k % len(SCENARIO_COLORS)],
                          dash=["solid", "dash", "dot", "dashdot"][
                              sorted(held.index).index(commodity) % 4]),
                hovertemplate=f"{label} %{{x}}: %{{y:,.4~r}} "
                              f"{views[s].facts.unit(commodity)}<extra></extra>"))
            shown = True
    if not shown:
        return None
    fig.update_xaxes(tickformat="d", title_text="end of year")
    fig.update_yaxes(title_text="stock (commodity's unit)", rangemode="tozero")
    return Chart("stocks", "Strategic stock, every year",
                 "USMCA strategic stock at the end of each year (security.csv), per commodity "
                 "and scenario, in the commodity's unit (kt).", _layout(fig, 380))


def imports_by_origin(c: Comparison, views: dict[str, PlanView]) -> Chart | None:
    """Imports into the USMCA from each outside country, every year; a menu picks the
    commodity (the chains' stages that are imported in any scenario)."""
    base = views[c.base]
    facts = {s: views[s].facts for s in c.scenarios}
    imported = set()
    for f in facts.values():
        q = f.outside_imports
        imported |= set(q.loc[q["quantity"] >= ZERO_TOLERANCE, "commodity"])
    stages: list[str] = [g for chain in base.chains for g in chain.stages if g in imported]
    stages.sort(key=lambda g: (KIND_ORDER.get(base.facts.kinds.get(g, ""), 9),
                               [ch.key for ch in base.chains if g in ch.stages][0]))
    if not stages:
        return None
    # shown first: the stage the base imports most from China, else the most imported one
    q = facts[c.base].outside_imports
    china = q[q["supplier"] == CHINA].groupby("commodity")["quantity"].sum()
    amount = china if len(china) else q.groupby("commodity")["quantity"].sum()
    amount = amount.reindex(stages).fillna(0.0)
    first = stages[int(amount.to_numpy().argmax())] if amount.max() > 0 else stages[0]
    suppliers = sorted({str(x) for f in facts.values()
                        for x in f.outside_imports["supplier"]}, key=_country_key)
    fig = make_subplots(rows=len(c.scenarios), cols=1, shared_xaxes=True,
                        subplot_titles=c.scenarios,
                        vertical_spacing=0.1 if len(c.scenarios) > 1 else 0.0)
    owner: list[tuple[str, str]] = []  # (commodity, supplier) of each trace
    for i, s in enumerate(c.scenarios, start=1):
        q = facts[s].outside_imports
        for g in stages:
            for supplier in suppliers:
                part = q[(q["commodity"] == g) & (q["supplier"] == supplier)].sort_values("year")
                if part.empty:
                    continue
                fig.add_trace(go.Bar(
                    x=part["year"], y=part["quantity"], name=base.names.country(supplier),
                    legendgroup=supplier, visible=g == first,
                    marker_color=country_color(supplier, suppliers),
                    hovertemplate=f"{s}: {base.names.country(supplier)} %{{x}}: "
                                  f"%{{y:,.4~r}} {facts[s].unit(g)}/yr<extra></extra>"),
                    row=i, col=1)
                owner.append((g, supplier))
    leads = [owner.index(o) == n for n, o in enumerate(owner)]  # a supplier's first trace
    for trace, (g, _), lead in zip(fig.data, owner, leads):
        trace.showlegend = lead and g == first
    buttons = []
    for g in stages:
        visible = [o[0] == g for o in owner]
        shown = [o[0] == g and lead for o, lead in zip(owner, leads)]
        buttons.append(dict(label=f"{base.names.commodity(g)} ({facts[c.base].unit(g)}/yr)",
                            method="restyle", args=[{"visible": visible,
                                                     "showlegend": shown}]))
    fig.update_layout(barmode="stack", updatemenus=[dict(
        buttons=buttons, direction="down", x=0, xanchor="left", y=1.14, yanchor="bottom",
        showactive=True, active=stages.index(first))])
    fig.update_xaxes(tickformat="d")
    _layout(fig, 150 + 220 * len(c.scenarios))
    fig.update_layout(margin=dict(l=70, r=30, t=90, b=40),
                      legend=dict(orientation="h", yanchor="bottom", y=1.08, x=1.0,
                                  xanchor="right"))
    return Chart("imports-by-origin", "Imports into the USMCA by origin, every year",
                 "What USMCA regions receive from each outside country (flows.csv, quantities "
                 "shipped), per year; the menu picks the commodity.", fig)
