"""The build timeline: a Gantt chart of what the mineral chains build in the USMCA — per
country and process, permitting (from the first permit start to the start of construction),
construction (the construction years of construction_times.csv or processes.csv, before the
first capacity comes online) and the years capacity comes online (first to last), with the
capacity in the hover text. Pipeline projects without a permit in the plan show their
construction only. One panel per scenario.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from northam_plan.plan.frames import records
from northam_plan.report.charts import FONT, Chart
from northam_plan.report.numbers import plain
from northam_plan.report.planview import PlanView

PHASES = {"permitting": "#e4a72e", "construction": "#8c6d31", "online": "#29a36a"}
PHASE_NAMES = {"permitting": "permitting", "construction": "construction",
               "online": "capacity coming online"}


def phases(view: PlanView) -> pd.DataFrame:
    """One row per phase of each build, by chain and first online year: label, phase, start,
    end (years, end exclusive), text (hover)."""
    facts = view.facts
    case = facts.chain.case
    build_years: dict[tuple[str, str], int] = {}
    if case is not None:
        from northam_plan.case.leadtimes import construction_years

        build_years = construction_years(case)
    inv = facts.investments
    rows = []
    titles = {c.key: c.title for c in view.chains}
    frame = view.builds[view.builds["chain"].notna()]
    frame = frame.assign(title=frame["chain"].map(titles)).sort_values(
        ["title", "first_online", "country"], kind="stable")
    for rec in records(frame):
        label = f"{view.names.country(rec.country)} · {view.names.process(rec.process)}"
        unit = facts.capacity_unit(rec.process)
        building = build_years.get((rec.process, rec.country), 0)
        mine = inv[(inv["country"] == rec.country) & (inv["process"] == rec.process)]
        text = (f"{titles[rec.chain]}<br>{label}<br>{plain(rec.capacity)} {unit} new in all, "
                f"online {rec.first_online}–{rec.last_online}")
        if rec.first_permit is not None and not pd.isna(rec.first_permit):
            first = int(rec.first_permit)
            online = int(mine.loc[mine["permit_start_year"] == first, "online_year"].min())
            start = online - building
            rows.append((label, "permitting", first, start,
                         f"{text}<br>permitting from {first} "
                         f"({plain(rec.first_permit_capacity)} {unit})"))
            rows.append((label, "construction", start, online, text))
        else:
            rows.append((label, "construction", rec.first_online - building, rec.first_online,
                         f"{text}<br>pipeline projects"))
        rows.append((label, "online", rec.first_online, rec.last_online + 1, text))
    return pd.DataFrame(rows, columns=["label", "phase", "start", "end", "text"])


def build_timeline(views: dict[str, PlanView], scenarios: list[str]) -> Chart | None:
    data = {s: phases(views[s]) for s in scenarios}
    counts = [data[s]["label"].nunique() for s in scenarios]
    if not any(counts):
        return None
    fig = make_subplots(rows=len(scenarios), cols=1, shared_xaxes=True,
                        row_heights=[max(n, 1) for n in counts], subplot_titles=scenarios,
                        vertical_spacing=0.08 / max(len(scenarios), 1))
    for i, s in enumerate(scenarios, start=1):
        frame = data[s]
        order = list(dict.fromkeys(frame["label"]))
        for phase, color in PHASES.items():
            part = frame[frame["phase"] == phase]
            fig.add_trace(go.Bar(
                y=part["label"], x=part["end"] - part["start"], base=part["start"],
                orientation="h", marker_color=color, name=PHASE_NAMES[phase],
                legendgroup=phase, showlegend=i == 1, customdata=part["text"],
                hovertemplate="%{customdata}<extra>" + PHASE_NAMES[phase] + "</extra>"),
                row=i, col=1)
        fig.update_yaxes(categoryorder="array", categoryarray=list(reversed(order)),
                         automargin=True, row=i, col=1)
    years = views[scenarios[0]].facts.years
    fig.update_xaxes(tickformat="d", dtick=5 if len(years) > 12 else 1, showgrid=True,
                     gridcolor="#eee")
    fig.update_layout(barmode="overlay", height=120 + 22 * sum(counts) + 40 * len(scenarios),
                      font=FONT, plot_bgcolor="white", paper_bgcolor="white",
                      margin=dict(l=20, r=20, t=50, b=30),
                      legend=dict(orientation="h", yanchor="bottom", y=1.01, x=0))
    return Chart("build-timeline", "Build timeline: permitting, construction, online",
                 "For each country and process of the mineral chains with new capacity in the "
                 "USMCA: permitting from the first permit start to the start of construction, "
                 "construction until the first capacity comes online, then the years new "
                 "capacity comes online. The capacities are in the build table below.", fig)
