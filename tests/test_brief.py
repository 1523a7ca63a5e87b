"""The brief (issue 18): sentences written from the numbers of a tiny case one can check by
hand, the chains beside the energy system, noise written as 0, and the page in headless
Chromium — the brief exists, names no commodity code, writes no number in e-notation, has no
horizontal scroll at 1280 px, and prints on at most :data:`BRIEF_PAGES` pages.

The tiny case (every year 2025–2040, no discounting): the US wants 4 kt/yr of refined metal; it
mines ore (2 kt per kt of metal) and may build a refinery (100 M$ per kt/yr over 50 years at
no interest: 2 M$ per kt a year; 2 permitting + 2 construction years: a permit started in 2025
gives capacity in 2029); China mines and refines at the same running cost (3 M$ per kt of metal)
and ships to the US at 0.5 M$/kt, cheaper than a new refinery. In the base the US imports all
its metal from China. In the ban China exports no metal from 2028: the US starts permitting
4 kt/yr in 2025 (online 2029) and holds 4 kt of metal at the end of 2027 for 2028 (holding
1 M$/kt a year: a stock is cheaper than a refinery for one year, dearer for two)."""

from __future__ import annotations

import re
import shutil
import tempfile
from html import unescape
from pathlib import Path

import pandas as pd
import pytest

from casekit import CHROMIUM, chromium, write_case
from northam_plan.pipeline import run_case
from northam_plan.report import comparison_of, write_comparison, write_report
from northam_plan.report.brief import write_brief
from northam_plan.report.numbers import money
from northam_plan.report.planview import views_of
from northam_plan.scenarios.compare import load_result
from northam_plan.solve import SolveOptions

#: the brief section of the tiny comparison prints on at most this many Letter (or A4) pages
BRIEF_PAGES = 1

YEARS = range(2025, 2041)


def tiny_tables() -> dict[str, list[dict]]:
    return {
        "countries": [{"country": "US", "name": "United States", "cost_of_capital": 0.0},
                      {"country": "CN", "name": "China", "cost_of_capital": 0.0}],
        "regions": [{"region": "US", "country": "US", "can_build": True},
                    {"region": "CN", "country": "CN", "can_build": False}],
        "blocs": [{"bloc": "USMCA", "country": "US"}],
        "commodities": [
            {"commodity": "ore_x", "kind": "mineral", "unit": "kt", "reference_price": 1.0,
             "name": "ore concentrate (test)"},
            {"commodity": "metal_x", "kind": "material", "unit": "kt", "reference_price": 5.0,
             "name": "refined metal, test grade"}],
        "processes": [
            {"process": "mine", "family": "mine", "main_output": "ore_x", "capex": 0.0,
             "var_om": 1.0, "lifetime": 50, "construction_years": 0},
            {"process": "refinery", "family": "refinery", "main_output": "metal_x",
             "capex": 100.0, "var_om": 1.0, "lifetime": 50, "construction_years": 2}],
        "process_io": [{"process": "refinery", "commodity": "ore_x", "side": "input",
                        "ratio": 2.0}],
        "regimes": [{"country": "US", "family": "refinery", "regime": "standard",
                     "permitting_years": 2}],
        "existing_capacity": [{"region": "US", "process": "mine", "capacity": 100},
                              {"region": "CN", "process": "mine", "capacity": 100},
                              {"region": "CN", "process": "refinery", "capacity": 100}],
        "links": [{"from": "CN", "to": "US", "commodity": "metal_x", "transport_cost": 0.5}],
        "stockpiles": [{"region": "US", "commodity": "metal_x", "initial_stock": 0.0,
                        "holding_cost": 1.0}],
        "demand": [{"region": "US", "commodity": "metal_x", "sector": "all", "year": t,
                    "quantity": 4.0} for t in YEARS],
    }


BAN = """extends = "base.toml"
name = "China bans metal exports from 2028"
[[add]]
table = "disruptions"
rows = [{ exporter = "CN", commodity = "metal_x", start_year = 2028, limit = 0 }]
"""


@pytest.fixture(scope="module")
def plans(tmp_path_factory):
    folder = tmp_path_factory.mktemp("brief")
    base = write_case(folder, tiny_tables(), start=2025, end=2040, name="tiny base",
                      unserved_penalty=100.0)
    base = base.rename(base.with_name("base.toml"))
    (folder / "ban.toml").write_text(BAN)
    out = {}
    for name in ("base", "ban"):
        run = run_case(folder / f"{name}.toml", folder / "results" / name,
                       SolveOptions(quiet=True))
        assert run.result.optimal
        out[name] = folder / "results" / name
    return out


def brief_of(*folders):
    comparison = comparison_of([load_result(f) for f in folders])
    return comparison, write_brief(comparison, views_of(comparison))


def texts(brief) -> dict[str, list[str]]:
    return {c.chain.title: [s.text for s in c.sentences] for c in brief.chains}


def test_sentences_of_the_ban_quote_the_plan(plans):
    comparison, brief = brief_of(plans["ban"])
    assert brief.years == [2030, 2040]
    [(title, sentences)] = texts(brief).items()
    assert title == "Ore concentrate"  # the mineral's name up to " (" (no common word)
    objective = comparison.plans[0].summary["objective"]
    duals = comparison.plans[0].tables["security_costs"]
    worst = duals.loc[duals["cost"].abs().idxmax()]
    assert worst["where"] == "CN / metal_x"
    assert sentences == [
        "Self-sufficiency 2030 → 2040: ore concentrate 100 → 100 %; "
        "refined metal 100 → 100 %.",
        "China: none of the chain's use in 2030 or 2040. Nothing is imported from outside the "
        "USMCA in 2030 or 2040.",
        "United States must start permitting refined metal (refinery) by 2025 (4 kt/yr that "
        "year): 4 kt/yr new in all, online 2029.",
        "Strategic stock at the end of the year: refined metal 4 kt in 2027, none from 2028.",
        f"All demand is met; the chain costs {money(objective)} (present value, 2025–2040); "
        f"cost of security: the export limit (China / refined metal) binds, at up to "
        f"{money(abs(worst['cost']))} per kt in {worst['year']}."]
    links = [s.link for s in brief.chains[0].sentences]
    assert links == ["chain-ban-ore-x-2030", "chain-ban-ore-x-2030",
                     "build-ban-us-refinery", "chain-ban-ore-x-2027", "sector-ore-x"]


def test_sentences_of_the_base_and_the_ban_against_it(plans):
    comparison, brief = brief_of(plans["base"], plans["ban"])
    sentences = texts(brief)["Ore concentrate"]
    assert sentences[1] == ("China supplies 100 % in 2030 and 100 % in 2040 of the USMCA's "
                            "use of refined metal. Largest outside supplier: China, 100 % of "
                            "refined metal (2030).")
    assert sentences[2] == "Nothing new is built in the USMCA for this chain."
    views = views_of(comparison)
    cost = views["ban"].sectors.present_value("ore_x") - \
        views["base"].sectors.present_value("ore_x")
    assert sentences[-1] == (
        f"ban against base: self-sufficiency of refined metal in 2030 +100 pp (to 100 %); "
        f"chain cost +{money(cost)}; new capacity +400 M$ overnight, most in United States "
        "refined metal (refinery) +4 kt/yr.")
    lede = [s.text for s in brief.lede]
    total = [p.summary["objective"] for p in comparison.plans]
    assert lede[-1] == (f"ban against base: total cost +{money(total[1] - total[0])}, of which "
                        f"mineral chains +{money(total[1] - total[0])} and energy system "
                        "0 M$.")


def test_the_chain_accounts_for_every_cost_of_a_case_without_energy(plans):
    comparison, _ = brief_of(plans["ban"])
    sectors = views_of(comparison)["ban"].sectors
    objective = comparison.plans[0].summary["objective"]
    assert sectors.present_value("ore_x") == pytest.approx(objective, rel=1e-9)
    assert sectors.present_value(minerals=False) == pytest.approx(0.0, abs=1e-6)
    assert sectors.overnight(minerals=True) == pytest.approx(400.0)  # 4 kt/yr × 100 M$


def test_differences_below_the_tolerance_are_written_as_zero(plans, tmp_path):
    """A copy of the base whose costs differ by 1e-9 M$: every difference is exactly 0."""
    copy = shutil.copytree(plans["base"], tmp_path / "copy")
    costs = copy / "tables" / "costs.csv"
    text = costs.read_text().splitlines()
    head, first = text[0].split(","), text[1].split(",")
    column = head.index("discounted")
    first[column] = repr(float(first[column]) + 1e-9)
    costs.write_text("\n".join([text[0], ",".join(first), *text[2:]]) + "\n")
    comparison = comparison_of([load_result(plans["base"]), load_result(copy)])
    diff = comparison.table["copy - base"]
    assert (diff.dropna() == 0.0).all()


# --- headless Chromium ------------------------------------------------------------------------

MEASURE = """<script>
window.addEventListener('load', function () { setTimeout(function () {
  var root = document.documentElement, wide = [];
  document.querySelectorAll('table').forEach(function (t) {
    if (t.getBoundingClientRect().right > root.clientWidth + 0.5) wide.push(t.id || t.className);
  });
  document.body.setAttribute('data-scroll-width', root.scrollWidth);
  document.body.setAttribute('data-client-width', root.clientWidth);
  document.body.setAttribute('data-wide-tables', wide.join(' '));
}, 300); });
</script>"""


def _visible_text(markup: str) -> str:
    markup = re.sub(r"<(script|style|button)[^>]*>.*?</\1>", " ", markup, flags=re.S)
    return unescape(re.sub(r"<[^>]+>", " ", markup))


def _pdf_pages(path: Path) -> int:
    return len(re.findall(rb"/Type\s*/Page\b(?!s)", path.read_bytes()))


@pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is not installed "
                    "(.ci/run installs it with apt-get)")
def test_the_brief_in_headless_chromium(plans, tmp_path):
    out = tmp_path / "comparison"
    write_comparison([plans["base"], plans["ban"]], out)
    page = out / "comparison.html"
    measured = out / "measured.html"
    measured.write_text(page.read_text().replace("</body>", MEASURE + "</body>"))
    dom = chromium(measured, "--window-size=1280,1000", "--dump-dom")
    assert dom.returncode == 0, dom.stderr[-2000:]
    console = [line for line in dom.stderr.splitlines()
               if "CONSOLE" in line or "Uncaught" in line]
    assert console == [], console
    body = re.search(r"<body([^>]*)>", dom.stdout).group(1)
    scroll, client = (int(re.search(rf'data-{k}-width="(\d+)"', body).group(1))
                      for k in ("scroll", "client"))
    assert client == 1280 and scroll <= client, (scroll, client)  # no horizontal scroll
    assert 'data-wide-tables=""' in body  # no table wider than the page

    section = re.search(r'<section class="brief" id="brief">.*?</section>', dom.stdout,
                        flags=re.S)
    assert section, "the brief section is missing"
    text = _visible_text(section.group(0))
    assert "Ore concentrate" in text and "ban against base" in text
    for name in ("ore concentrate", "refined metal", "Ore concentrate"):
        text = text.replace(name, " ")
    for code in ("ore_x", "metal_x"):  # commodity codes, not display names
        assert not re.search(rf"\b{code}\b", text), code
    assert not re.search(r"\d[eE][+-]?\d", text), "a number in e-notation"

    shot = tmp_path / "brief.png"
    result = chromium(page, "--window-size=1280,1000", f"--screenshot={shot}")
    assert result.returncode == 0 and shot.stat().st_size > 20_000
    shutil.copyfile(shot, Path(tempfile.gettempdir()) / "northam-plan-brief.png")

    for paper in ("letter", "A4"):
        printed = out / f"{paper}.html"
        printed.write_text(page.read_text().replace(
            "</style>", f"@page {{ size: {paper}; }}</style>", 1))
        pdf = tmp_path / f"brief-{paper}.pdf"
        result = chromium(printed, "--no-pdf-header-footer", f"--print-to-pdf={pdf}",
                          fragment="print-brief")
        assert result.returncode == 0 and pdf.is_file(), result.stderr[-2000:]
        assert 1 <= _pdf_pages(pdf) <= BRIEF_PAGES, (paper, _pdf_pages(pdf))


def test_report_writes_the_workbook_beside_its_page(plans, tmp_path):
    page = write_report(plans["ban"], tmp_path / "report.html")
    assert page.is_file() and (tmp_path / "report.xlsx").is_file()
    assert "report.xlsx" in page.read_text()


def test_a_view_sums_and_splits_as_the_table_filters_do(plans):
    """PlanView.total / peak / builds_of and Sectors.present_value (split or summed once per
    plan) equal the filter-and-sum of their definitions, for every commodity, chain and group
    of the tiny base and ban (including the ban's stock and the base's zero)."""
    comparison, _ = brief_of(plans["base"], plans["ban"])
    stocked = False
    for view in views_of(comparison).values():
        s = view.security
        weights = s["year"].map(view.facts.weights)
        for c in [*s["commodity"].unique(), "no_such"]:
            for column in ("unserved", "stock", "use"):
                part = s["commodity"] == c
                assert view.total(c, column) == float((s.loc[part, column]
                                                        * weights[part]).sum())
                peak = float(s.loc[part, column].max()) if part.any() else 0.0
                assert view.peak(c, column) == peak
                stocked |= column == "stock" and peak > 0
        for chain in [*view.chains, None]:
            key = chain.key if chain is not None else "no_such"
            pd.testing.assert_frame_equal(view.builds_of(key),
                                          view.builds[view.builds["chain"] == key])
        costs, sectors = view.sectors.costs, view.sectors
        value = costs["cost"] * costs["year"].map(sectors.discount)
        for group in [*costs["group"].unique(), "no_such"]:
            assert sectors.present_value(group) == float(value[costs["group"] == group].sum())
        for minerals in (True, False):
            assert sectors.present_value(minerals=minerals) == \
                float(value[(costs["group"] != "energy") == minerals].sum())
    assert stocked  # the ban holds a stock: peak is tried on a value that is not 0
