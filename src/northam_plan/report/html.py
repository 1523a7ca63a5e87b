"""The committee view as one self-contained HTML file.

The page carries its own style and the plotly.js library inline (once), so it opens without
network; no script is loaded from anywhere else and no font or image is fetched.
"""

from __future__ import annotations

import html
from datetime import UTC, datetime
from importlib.metadata import version

import numpy as np
import pandas as pd
from plotly.offline import get_plotlyjs

from northam_plan.plan.units import ZERO_TOLERANCE
from northam_plan.report import page_style
from northam_plan.report.brief import write_brief
from northam_plan.report.brief_html import (
    brief_section,
    builds_table,
    chains_section,
    sectors_section,
)
from northam_plan.report.charts import Chart, charts
from northam_plan.report.metrics import HEADLINE, NOT_MODELLED, Comparison
from northam_plan.report.names import Names
from northam_plan.report.numbers import plain
from northam_plan.report.planview import views_of
from northam_plan.report.summary import summarise
from northam_plan.report.timeline import build_timeline
from northam_plan.report.yearly import yearly_charts

STYLE = """
body { font-family: Helvetica, Arial, sans-serif; color: #222; margin: 0 auto;
       max-width: 1400px; padding: 16px 24px 48px; line-height: 1.4; }
h1 { font-size: 24px; margin-bottom: 4px; } h2 { font-size: 19px; margin-top: 32px;
     border-bottom: 2px solid #1f3b73; padding-bottom: 3px; }
h3 { font-size: 15px; margin: 20px 0 4px; }
.sub { color: #555; margin-top: 0; }
table { border-collapse: collapse; font-size: 13px; margin: 8px 0; }
th, td { padding: 3px 8px; border-bottom: 1px solid #e3e3e3; text-align: left; }
th { background: #dde5f0; position: sticky; top: 0; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.diff, th.diff { background: #fff8e8; }
td.good { color: #0a5d00; } td.bad { color: #a50f15; }
tr.section td { background: #f2f2f2; font-weight: bold; padding-top: 8px; }
td.na { color: #888; font-style: italic; }
td.unit, td.label { white-space: nowrap; color: #444; } td.label { color: #222; }
.wide { overflow-x: auto; }
.note { color: #666; font-size: 11px; display: block; }
.warn { background: #fff3cd; border: 1px solid #e0c36a; padding: 8px 12px; }
.caption { color: #555; font-size: 13px; margin: 2px 0 6px; }
ul.summary li { margin-bottom: 4px; }
dl dt { font-weight: bold; margin-top: 8px; } dl dd { margin-left: 16px; }
footer { margin-top: 40px; color: #777; font-size: 12px; }
"""

DEFINITIONS = [
    ("Brief: self-sufficiency per stage (%)",
     "(USMCA output − exports out of the USMCA) ÷ USMCA use of the commodity (final demand and "
     "the inputs of USMCA processes), per stage of each mineral chain and year: the plan's "
     "security.csv for the bloc of US, CA and MX (computed the same way from its activity, flows "
     "and demand when the plan has no such table)."),
    ("Brief: dependence on China and on the largest outside supplier (%)",
     "What USMCA regions receive of a commodity from China, or from the one outside country "
     "that sends the most, as a share of USMCA use (security_imports.csv). The brief quotes the "
     "stage where the share is largest."),
    ("Brief: what must be built",
     "New capacity of the chain's processes in US, CA and MX (investments.csv): the first year "
     "a permit for it starts and the capacity permitted that year, the years it comes online, "
     "the total and the part from pipeline projects."),
    ("Mineral chains and energy system",
     "The plan's cost per category, country and year (annual_cost) attributed with the model's "
     "formulas: capital, fixed and variable O&M and permitting premiums of the chain's processes; "
     "purchases, sales, transport, tariffs, unserved demand and stockpile holding of its "
     "commodities. The energy system is the rest (power plants, fuel supply, interties, "
     "electricity, emissions), so the parts add up to the total."),
    ("Self-sufficiency (per mineral, %)",
     "100 × P / D. P is the output of the mineral by processes in US, CA and MX regions "
     "(activity × output ratio). D is the USMCA demand (all sectors of demand.csv) for the "
     "mineral itself and for every good made from it, converted to units of the mineral: the "
     "demand for a good times the amount of mineral in one unit of it, the product of the input "
     "ratios along the recipe chain mineral → material → component (process_io.csv; where "
     "several recipes make the good, the one that uses the mineral; recycling left out). "
     "Above 100 % the USMCA mines more than its own chain needs."),
    ("Import dependence on the top outside supplier (per commodity, %)",
     "The largest share that one country outside the USMCA (US, CA, MX) has in what USMCA "
     "regions receive of the commodity from all outside countries (quantities shipped, "
     "flows.csv; ROW, the rest of the world, counts as one supplier). 0 when nothing is "
     "imported from outside; the note gives the supplier and the quantity imported."),
    ("Total cost and cost by country",
     "The objective: every cost (capital annualised over the asset's life inside the horizon, "
     "fixed and variable O&M, transport, tariffs, unserved-demand penalty) discounted to the "
     "first model year, M$ (2024 USD); by the country where it is incurred."),
    ("Investment (by country and sector)",
     "Overnight capital cost of all new capacity that comes online over the horizon, "
     "undiscounted, M$; sector is the process family (mine, refinery, manufacturing, …)."),
    ("Unserved demand", "Demand not met, summed over model years weighted by the years each "
     "stands for, in each commodity's unit; its penalty cost in M$ (present value)."),
    ("Delivered cost", "Marginal cost of one more unit of the commodity at the USMCA regions "
     "that demand it (the dual of the commodity balance), weighted by their demand, in M$ per "
     "unit of that year (= $/kg for kt units)."),
    ("Stock, emissions, cost of security",
     "Shown when the plan has the table a later part of the model writes (a stockpile "
     "variable, emissions.csv, security_costs.csv: the dual of each security constraint in M$ "
     "per unit of that year); otherwise 'not modelled in this case'."),
    ("Differences", "Scenario minus base, exact (no rounding), in the row's unit; for % rows "
     "in percentage points."),
]


def fmt(value, unit: str = "") -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "—"
    value = float(value)
    if unit == "%":
        return f"{value:.1f}"
    if abs(value) < ZERO_TOLERANCE:
        return "0"
    if 1 <= abs(value) < 100:
        return f"{value:,.2f}"
    return plain(value)  # never e-notation


def fmt_diff(value, unit: str = "") -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "—"
    if abs(value) < ZERO_TOLERANCE:  # solver noise, as in the tables
        return "0"
    text = fmt(abs(value), unit)
    if text in ("0.0", "0", "0.00"):
        text = plain(abs(value), 2)
    return ("+" if value > 0 else "−") + text


def esc(text) -> str:
    return html.escape(str(text), quote=True)


#: headline metrics whose rise is bad for the committee (red) or good (green); the others
#: (investment, stock, cost of security) are shown without a colour
WORSE_UP = {"Total cost", "Cost by country", "Unserved demand", "Unserved demand penalty",
            "Import dependence on top outside supplier", "Emissions"}
BETTER_UP = {"Self-sufficiency"}


def tone(metric: str, difference) -> str:
    """" bad" for a change the committee would rather not see (a cost increase), " good"
    for one it would (a saving), "" for none, noise or a metric without a direction."""
    if pd.isna(difference) or abs(difference) < ZERO_TOLERANCE:
        return ""
    if metric in WORSE_UP:
        return " bad" if difference > 0 else " good"
    if metric in BETTER_UP:
        return " good" if difference > 0 else " bad"
    return ""


def headline_table(c: Comparison) -> str:
    h = c.topic("headline")
    names = Names(c.facts[c.base])
    head = ["<th>metric</th><th>year</th><th>unit</th>"]
    for s in c.scenarios:
        head.append(f'<th class="num">{esc(s)}</th>')
        if s != c.base:
            head.append(f'<th class="num diff">{esc(s)} − {esc(c.base)}</th>')
    rows = [f"<tr>{''.join(head)}</tr>"]
    width = 3 + len(c.scenarios) + len(c.others)
    section = None
    for _, row in h.iterrows():
        heading = HEADLINE.get(row["metric"], row["metric"])
        if heading != section:
            section = heading
            rows.append(f'<tr class="section"><td colspan="{width}">{esc(heading)}</td></tr>')
        keys = [names.country(str(row[k])) if k == "country" else
                names.commodity(str(row[k])) if k == "commodity" else str(row[k])
                for k in ("country", "sector", "commodity", "detail") if row[k]]
        if not keys:
            label = row["metric"]
        elif row["metric"] == "Cost by country":
            label = f"Cost in {keys[0]}"
        elif row["metric"] in ("Investment", "Self-sufficiency",
                               "Import dependence on top outside supplier"):
            label = " · ".join(keys)
        else:
            label = f"{row['metric']}: {' · '.join(keys)}"
        year = "" if pd.isna(row["year"]) else str(row["year"])
        cells = [f'<td class="label">{esc(label)}</td><td>{year}</td>'
                 f'<td class="unit">{esc(row["unit"])}</td>']
        for s in c.scenarios:
            value, note = row[s], row[c.note_column(s)]
            if pd.isna(value) and note:
                cells.append(f'<td class="na">{esc(note)}</td>')
            else:
                extra = f'<span class="note">{esc(note)}</span>' if note else ""
                cells.append(f'<td class="num">{fmt(value, row["unit"])}{extra}</td>')
            if s != c.base:
                d = row[c.diff_column(s)]
                cells.append(f'<td class="num diff{tone(row["metric"], d)}">'
                             f'{fmt_diff(d, row["unit"])}</td>')
        rows.append(f"<tr>{''.join(cells)}</tr>")
    return f'<div class="wide"><table id="headline">{"".join(rows)}</table></div>'


def scenarios_table(c: Comparison) -> str:
    rows = ["<tr><th>scenario</th><th>case</th><th>case file</th><th>case hash</th>"
            "<th>model version</th><th class=\"num\">objective (M$, present value)</th></tr>"]
    for plan in c.plans:
        s = plan.summary
        role = " (base)" if plan.name == c.base and c.others else ""
        kind = (f'<span class="note">two-stage stochastic: expected values over '
                f'{plan.dataset.sizes["scenario"]} disruption scenarios</span>'
                if plan.stochastic else "")
        rows.append(f"<tr><td>{esc(plan.name)}{role}</td><td>{esc(plan.label)}{kind}</td>"
                    f"<td>{esc(s.get('case_file', ''))}</td>"
                    f"<td><code>{esc(str(s.get('case_hash', ''))[:12])}</code></td>"
                    f"<td>{esc(plan.version)}</td>"
                    f"<td class=\"num\">{fmt(s.get('objective'))}</td></tr>")
    return f'<table id="scenarios">{"".join(rows)}</table>'


def glossary(c: Comparison) -> str:
    commodities = next((p.chain.commodities for p in c.plans
                        if p.chain.commodities is not None), None)
    if commodities is None:
        return ""
    rows = ["<tr><th>commodity</th><th>kind</th><th>unit</th><th>name</th></tr>"]
    for rec in commodities.itertuples(index=False):
        rows.append(f"<tr><td>{esc(rec.commodity)}</td><td>{esc(rec.kind)}</td>"
                    f"<td>{esc(rec.unit)}</td><td>{esc(rec.name)}</td></tr>")
    return f"<h3>Commodities</h3><table>{''.join(rows)}</table>"


def chart_html(chart: Chart) -> str:
    body = chart.figure.to_html(full_html=False, include_plotlyjs=False,
                                div_id=f"chart-{chart.key}",
                                config={"displaylogo": False, "responsive": True})
    return (f'<section class="chart" id="{esc(chart.key)}"><h3>{esc(chart.title)}</h3>'
            f'<p class="caption">{esc(chart.caption)}</p>{body}</section>')


def render(c: Comparison, title: str | None = None, workbook: str = "comparison.xlsx") -> str:
    """The whole page as a string; ``workbook`` names the xlsx file written beside it."""
    if title is None:
        title = (f"Comparison of {len(c.plans)} scenarios (base: {c.base})" if c.others
                 else f"Plan report: {c.plans[0].label}")
    views = views_of(c)
    brief = write_brief(c, views)
    summary = "".join(
        f"<li><b>{esc(heading)}</b><ul>{''.join(f'<li>{esc(x)}</li>' for x in sentences)}"
        "</ul></li>" for heading, sentences in summarise(c))
    warnings = "".join(f'<p class="warn">{esc(w)}</p>' for w in c.warnings)
    figures = "".join(chart_html(chart) for chart in charts(c, workbook))
    timeline = build_timeline(views, c.scenarios)
    yearly = "".join(chart_html(chart) for chart in yearly_charts(c, views))
    definitions = "".join(f"<dt>{esc(t)}</dt><dd>{esc(d)}</dd>" for t, d in DEFINITIONS)
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    files = (f"comparison.csv and {workbook}" if c.others else workbook)
    where = (f"Every number behind this page is in {files} (one sheet per topic)"
             + (", and per year in comparison.iamc.csv." if c.others else
                "; the plan's own tables are in its tables/ folder."))
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc(title)}</title>
<style>{STYLE}{page_style.STYLE}{page_style.PRINT_STYLE}</style>
<script type="text/javascript">{get_plotlyjs()}</script>
<script type="text/javascript">{page_style.SCRIPT}</script>
</head>
<body>
<h1>{esc(title)}</h1>
<p class="sub">northam-plan committee view. Money in M$ (2024 USD); quantities in each
commodity's unit (kt = thousand tonnes). USMCA = United States, Canada, Mexico.
{'"' + NOT_MODELLED.capitalize() + '" marks a metric the plan has no part of the model for.'}</p>
{warnings}
{brief_section(brief, c)}
<h2 id="sectors-heading">Mineral chains and the energy system</h2>
<p class="caption">What each mineral chain and the energy system cost (present value over the
horizon) and invest in new capacity in the USMCA (overnight cost), and the electricity the
chains' plants use: the minerals chain is not a rounding error of the power bill.</p>
{sectors_section(views, c)}
<h2 id="builds">What to build, where and when</h2>
{chart_html(timeline) if timeline is not None else ""}
{builds_table(views, c)}
<h2 id="every-year">Every year, per chain</h2>
{yearly}
<p class="caption">Each chain's stages in every year (open a chain): use, USMCA output,
self-sufficiency, China's share of use, the largest outside supplier, strategic stock and
unserved demand.</p>
{chains_section(views, c)}
<h2>Scenarios</h2>
{scenarios_table(c)}
<h2>Summary</h2>
<ul class="summary">{summary}</ul>
<h2>Headline</h2>
{headline_table(c)}
<h2>Charts</h2>
{figures}
<h2>Definitions</h2>
<dl>{definitions}</dl>
{glossary(c)}
<footer>Written by northam-plan {esc(version("northam-plan"))} on {stamp}. {esc(where)}</footer>
</body>
</html>
"""


def write_html(c: Comparison, path, title: str | None = None,
               workbook: str = "comparison.xlsx") -> None:
    with open(path, "w", encoding="utf-8", newline="\n") as handle:
        handle.write(render(c, title, workbook))
