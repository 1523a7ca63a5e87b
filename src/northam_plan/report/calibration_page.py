"""``calibration.html``: the plan's base year against the observed world, one table per topic.

Self-contained (own style, no script, nothing fetched), readable by committee staff: names
instead of codes, units on every number, the deviation in % or percentage points, and the
source of every observed figure.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from northam_plan.plan.calibration import (
    GAP,
    deviation_text,
    summary_line,
    tolerance_text,
    unexplained,
)
from northam_plan.plan.frames import records
from northam_plan.report.html import STYLE, esc, fmt

TOPIC_TITLES = {
    "mine_production": "Mine production",
    "refined_production": "Refined and manufactured production",
    "capacity": "Operating processing capacity",
    "import_share": "Where US imports come from (share of the supplier)",
    "price": "Market prices (delivered)",
    "import_unit_value": "Unit value of imports (free on board: before freight and duties)",
    "generation": "Electricity generation by technology",
    "electricity_trade": "Cross-border electricity trade",
}
COUNTRY_NAMES = {"US": "United States", "CA": "Canada", "MX": "Mexico", "CN": "China",
                 "ROW": "rest of world"}
GENERATION_NAMES = {"gas": "gas plants (combined cycle and turbines)",
                    "total": "all technologies (storage left out)"}
EXTRA_STYLE = """
td.ok { color: #0a5d00; font-weight: bold; } td.miss { color: #a50f15; font-weight: bold; }
tr.missrow td { background: #fdf0f0; }
td.source { color: #555; font-size: 11px; max-width: 520px; }
td.label { white-space: normal; max-width: 260px; }  /* long commodity names wrap */
.verdict { font-size: 17px; margin: 10px 0 4px; }
"""


def render(rows: pd.DataFrame, case_name: str, base_year: int, names: dict[str, str]) -> str:
    """The page as text; ``names`` gives display names of commodity and process codes."""
    missed, open_misses = int((~rows["within"]).sum()), int(unexplained(rows).sum())
    if not missed:
        verdict = "every figure within tolerance"
    elif not open_misses:
        verdict = (f"the {missed} outside tolerance are known gaps; each says why in its row"
                   if missed > 1 else "the one outside tolerance is a known gap; its row says why")
    else:
        verdict = f"{open_misses} outside tolerance without a known gap"
    parts = [f"<h1>Calibration: {esc(case_name)}</h1>",
             f"<p class='sub'>The plan's base year ({base_year}) against observed figures, "
             f"each with its source and tolerance.</p>",
             f"<p class='verdict'><b>{esc(summary_line(rows))}</b> — {verdict}.</p>"]
    for topic, title in TOPIC_TITLES.items():
        part = rows[rows["topic"] == topic]
        if part.empty:
            continue
        within = int(part["within"].sum())
        parts.append(f"<h2>{esc(title)} <span class='sub'>({within} of {len(part)} "
                     f"within tolerance)</span></h2>")
        partner = topic in ("import_share", "electricity_trade")
        head = ["what", "country", *(["from" if topic == "import_share" else "to"]
                                     if partner else []),
                "observed year", "unit", "model", "observed", "deviation", "tolerance",
                "within", "source"]
        numeric = {"model", "observed", "deviation", "tolerance", "observed year"}
        parts.append("<div class='wide'><table><tr>" + "".join(
            f"<th class='{'num' if h in numeric else ''}'>{esc(h)}</th>" for h in head)
            + "</tr>")
        for row in records(part):
            what = GENERATION_NAMES.get(row.item, row.item) if topic == "generation" else \
                names.get(row.item, row.item)  # generation items are plants, not commodities
            cells = [esc(what),
                     esc(COUNTRY_NAMES.get(row.country, row.country))]
            if partner:
                cells.append(esc(COUNTRY_NAMES.get(row.partner, row.partner)))
            numbers = [str(row.year), esc(row.unit), fmt(row.model),
                       fmt(row.observed), esc(deviation_text(row)), esc(tolerance_text(row))]
            gap = getattr(row, GAP) or ""
            mark = "<td class='ok'>yes</td>" if row.within else \
                f"<td class='miss'>{'no: known gap' if gap else 'no'}</td>"
            source = (f"<b>Known gap:</b> {esc(gap)}<br>" if gap and not row.within else "") \
                + esc(row.source)
            parts.append(f"<tr class='{'' if row.within else 'missrow'}'>"
                         + "".join(f"<td class='label'>{c}</td>" for c in cells)
                         + f"<td class='num'>{numbers[0]}</td><td class='unit'>{numbers[1]}"
                         "</td>" + "".join(f"<td class='num'>{n}</td>" for n in numbers[2:])
                         + mark + f"<td class='source'>{source}</td></tr>")
        parts.append("</table></div>")
    parts.append("<footer>Model figures: the plan's tables in its first model year (activity, "
                 "capacity, flows, prices, generation, interties). Deviation = (model − "
                 "observed) / observed for relative tolerances, model − observed for absolute "
                 "ones (percentage points for shares).</footer>")
    return ("<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
            f"<title>Calibration — {esc(case_name)}</title><style>{STYLE}{EXTRA_STYLE}"
            "</style></head><body>" + "\n".join(parts) + "</body></html>\n")


def write_page(rows: pd.DataFrame, path: Path, case_name: str, base_year: int,
               names: dict[str, str]) -> None:
    Path(path).write_text(render(rows, case_name, base_year, names), encoding="utf-8")
