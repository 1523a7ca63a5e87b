"""The bundled reference case: solves, meets demand, matches its USGS calibration, and is pinned.

Regression pins — change them only with a comment saying why (newest last):
* 2026-11-28: first reference case (US, CA, MX, CN, ROW; 2025–2050; Li, Ni, Co, graphite, Cu,
  REE → NdPr → magnets). 362,291.667 M$; 6,257 variables, 3,308 constraints, 19,766 nonzeros.
* 2026-11-28: CN and ROW capacity is what they export to North America (not their whole
  output), ROW may build at 9 % cost of capital on 5 % of its reserves, Chinese NdPr oxide
  exports capped: North America now builds mines and refineries. Lead times become
  permitting (regimes) + construction years; with no regimes yet the plan is unchanged.
  383,125.505 M$; 6,335 variables, 3,184 constraints, 22,781 nonzeros.
* 2026-11-28: permitting data (regimes, agency throughput, 28 pipeline projects), the USMCA
  bloc and strategic-stock options (stockpiles.csv): pipeline projects bring rare-earth,
  magnet and graphite capacity online from 2026, and stock can smooth imports.
  381,943.306 M$; 12,274 variables, 5,431 constraints, 55,017 nonzeros.
* 2026-11-28: electricity co-planned (6 time slices; EIA, StatCan/CER, PRODESEN capacity;
  NREL ATB 2024 costs; interties; reserve margins; process electricity intensities, mostly
  estimates): the objective now includes the power systems of the three countries.
* 2026-11-30: solved by the matrix route (the same LP as the Pyomo route, checked row by row in
  test_backends.py); capital and fixed O&M entered once per asset over its life; the permit
  pool balance written as one expression. Objective and sizes unchanged: 2,773,033.541133 M$;
  20,470 variables, 14,426 constraints, 150,839 nonzeros.
* 2026-12-04: power calibration to observed 2025 generation (data/calibration/electricity_2025.csv):
  US gas at EIA STEO's 4.50 $/MMBtu delivered (was 3.50), US coal held to its observed 2025
  capacity factor 0.488 (it ran at 0.24 and gas 21% above EIA), Canadian hydro at its 2024
  output (0.470). Dearer gas raises the power bill: 3,112,628.591303 M$; sizes unchanged.
* 2026-12-04: mineral data (issue 15): committed projects built on their announced schedules
  (Thacker Pass Ph1 2028, Becancour LiOH 2028, Electra 2028, Novonix Riverside initial lines
  2028, the operating rare-earth and magnet plants 2026); needs of North American cathode and
  cell plants beyond apparent consumption (demand.csv sectors cathode_plants, cell_plants);
  RECALL figures replaced (Vidalia at 11.25 kt nameplate, Mexican copper mines at the CAMIMEX
  lower bound 546 kt, e-VAC 2 kt, Rose 4.07 kt Li, Novonix split into three rows).
  2,778,480.109752 M$; 20,507 variables, 14,436 constraints, 151,236 nonzeros.
* 2026-12-04: the three changes of this day together, plus outside supply on the world market
  (world_market.csv) instead of CN/ROW process capacity: imports cost world prices (not the
  running cost of sunk capacity abroad), China's 2025 exports at their observed level, ROW
  builds nothing (its tier 2 at a 25 % premium stands for new supply abroad), reference prices
  = world prices (magnets 45.7 $/kg, was 60). 3,171,616.456887 M$; 20,235 variables, 13,910
  constraints, 143,789 nonzeros.
* 2026-12-04: ROW builds again where the world market is thin (rare-earth oxide, magnets: no
  tier 2, so a Chinese ban must be met by building, with lead times — a premium tier at once
  made the ban nearly free, +9 M$); graphite and anode material keep a tier 2 at +25 %.
  3,170,684.639328 M$; 20,779 variables, 14,214 constraints, 149,795 nonzeros.
* 2026-12-04: refined cobalt at the US spot cathode price (46.3 $/kg, USGS MCS 2026) instead of
  LME cash (33.1): the price North American buyers pay, 40-42 % above LME in 2024 and 2025.
  3,170,875.433357 M$; sizes unchanged.
* 2026-12-04: electricity inputs verified against sources (issue 15): US pumped storage 22.9 GW
  and other renewables 16.5 GW (other_re availability 0.44), Canadian wind 18 / solar 4.0 /
  storage 0.33 GW, Mexican solar 7.6 and geothermal + bioenergy 2.056 GW.
  Both together: 3,176,606.836996 M$; sizes unchanged.
* 2026-12-04: growth limits and growing reserves (issue 15): growth_limits.csv caps the typical
  projects a (country, family) may bring online a year (growth_max, +172 M$ alone); reserves
  grow by conversion of resources (reserves.csv growth: CA Ni 4.5 %, CA Cu 7 %, US Cu 4 %, MX
  Cu 3 % a year) and extraction_max is cumulative per year; the Canadian nickel and copper
  mines no longer retire at their static reserve life (2040, 2038) and run to 2050.
  With the two changes above: 3,166,991.318915 M$; 20,779 variables, 14,928 constraints,
  188,711 nonzeros (the cumulative extraction rows count every earlier year).
* 2026-12-04: Canadian copper concentrate exports held at 182 kt/yr to 2050 (they wound down in
  2033-38 only because the mines were to run out of reserves, which now grow): more North
  American demand for Canadian copper. 3,174,862.865669 M$; 20,792 variables, 14,928
  constraints, 188,724 nonzeros.
* 2026-12-04: country cost factors (cost_factors.csv, issue 15): Canadian capex × 0.828 (mines),
  0.856 (refineries), 0.885 (manufacturing) from Turner & Townsend 2025 construction costs
  (Canada 3,225 vs US 4,526 US$/m²) and an assumed equipment share; Mexico and O&M at the US
  level (unsourced). Canada now takes most new lithium mining and refining, anode, magnet and
  cobalt refining capacity from the US (the cost of capital no longer decides alone); mineral
  investment US 59.7 → 39.6 G$, CA 15.2 → 31.1 G$ (at local capex). 3,172,782.682079 M$
  (−2,080 M$); sizes unchanged: 20,792 variables, 14,928 constraints, 188,724 nonzeros.
* 2026-12-04: magnets carry origin tags (tracked.csv) and the US tariffs on Chinese (30 %, 45 %
  from 2026) and other (10 %) magnets fall on where a magnet was last processed (tariffs.csv
  basis processed) instead of being mirrored into Canadian and Mexican imports. Canada and
  Mexico now buy magnets of either origin duty-free, so the US takes ROW's 3.4 kt (2025 US
  imports 88.5 % China, 11.5 % ROW; observed 85/15 by value). 3,172,107.313128 M$ (−675 M$);
  22,508 variables, 15,812 constraints, 193,035 nonzeros (the magnet tags).
* 2026-12-04: US rare-earth separation at design capacity with a ramp-up (availability.csv,
  new): Mountain Pass 6.0 kt/yr (was 2.8889, its 2025 output / 0.9) and White Mesa Ph1 0.925
  as existing capacity (was a committed project from 2026), at availability 0.3753 in 2025
  (2,599 t made) and 0.5776 in 2026 (the Dec 2025 run rate), 0.9 after. More US NdPr from 2027
  (6.5 kt vs 3.5). 3,171,648.182611 M$ (−459 M$); 22,483 variables, 15,809 constraints,
  192,359 nonzeros (one project fewer).
* 2026-12-04: two bids with quantities replace fixed export demand (world_market.csv `side =
  bid`): Canadian spodumene at export parity 26.1 M$/kt Li, at most 17.75 kt Li/yr, and
  Mountain Pass concentrate in 2025 at its USGS value 4.7 M$/kt REO, up to 51 kt (none from
  2026). The 2025 prices of US lithium and rare-earth concentrate were degenerate duals at the
  mine's running cost (13.2, 2.7); now 24.6 and 4.70. Canada builds mines to export spodumene
  from 2028. 3,168,377.660456 M$ (−3,270 M$); sizes unchanged.
* 2026-12-05: US secondary refined copper (issue 15, US refined copper 647 vs 850 kt): copper
  scrap (cu_scrap, 9.45 M$/kt: LME less the refiners' No. 1 scrap discount) supplied at its
  2025 quantity, 60.6 kt Cu/yr, to US secondary refineries of 60 kt/yr (USGS MCS 2026 secondary
  refinery output / 0.9), which replace as much imported cathode while the US pays import
  parity (2025–2032). US refined copper 2025: 707 kt (still a known miss). 3,168,342.947041 M$
  (−35 M$); 22,834 variables, 16,094 constraints, 194,715 nonzeros (the new processes' rows).
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from northam_plan.pipeline import run_case
from northam_plan.report import comparison_of
from northam_plan.report.brief import write_brief
from northam_plan.report.numbers import quantity
from northam_plan.report.planview import views_of
from northam_plan.scenarios.compare import resolve_all
from northam_plan.solve import SolveOptions
from readme_figures import check_case

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "cases" / "reference.toml"

PINNED_OBJECTIVE = 3_168_342.947041  # M$, present value 2025
PINNED_SIZES = {"variables": 22834, "constraints": 16094, "nonzeros": 194715}


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    out = tmp_path_factory.mktemp("reference") / "result"
    return run_case(REFERENCE, out, SolveOptions(quiet=True))


def test_reference_is_optimal_with_all_demand_served(reference):
    assert reference.result.optimal
    unserved = reference.plan.tables["unserved"]
    assert unserved["unserved"].max() < 1e-6, unserved[unserved["unserved"] > 1e-6]


def test_2025_mine_production_matches_usgs_within_10_percent(reference):
    usgs = pd.read_csv(ROOT / "data" / "usgs_mine_production_2025.csv")
    processes = reference.case.tables["processes"]
    mines = processes.loc[processes["family"] == "mine", ["process", "main_output"]]
    activity = reference.plan.tables["activity"].merge(mines, on="process")
    produced = activity[activity["year"] == 2025].groupby(["country", "main_output"])[
        "activity"].sum()
    for country, commodity, target in usgs[["country", "commodity", "quantity"]].itertuples(
            index=False):
        model = produced.get((country, commodity), 0.0)
        assert model == pytest.approx(target, rel=0.10), (country, commodity, model, target)


def test_reference_writes_every_output(reference):
    for name in ("summary.json", "plan.nc"):
        assert (reference.out / name).is_file()
    for table in ("investments", "activity", "flows", "prices", "unserved", "costs"):
        assert (reference.out / "tables" / f"{table}.csv").is_file()


def test_reference_objective_and_sizes_are_pinned(reference):
    assert reference.result.objective == pytest.approx(PINNED_OBJECTIVE, rel=1e-6)
    assert reference.result.sizes == PINNED_SIZES


def test_no_country_family_year_builds_more_than_its_growth_limit(reference):
    """growth_limits.csv, checked on the written plan (investments and capacity), not on the
    constraint: typical projects online in (country, family, year) = Σ capacity × permit_weight
    ≤ weight of the year × (absolute + relative × typical projects of capacity the year before;
    for the first year, the existing capacity of that year)."""
    case = reference.case
    limits = case.tables["growth_limits"].set_index(["country", "family"])
    assert {"US", "CA", "MX", "ROW"} <= set(limits.index.get_level_values("country"))
    processes = case.tables["processes"].set_index("process")
    years, weights = case.years, case.year_weights

    def typical(frame, quantity):
        frame = frame.assign(family=frame["process"].map(processes["family"]),
                             projects=frame[quantity] * frame["process"].map(
                                 processes["permit_weight"]))
        return frame

    built = typical(reference.plan.tables["investments"], "capacity").groupby(
        ["country", "family", "online_year"])["projects"].sum()
    capacity = typical(reference.plan.tables["activity"], "capacity").groupby(
        ["country", "family", "year"])["projects"].sum()
    existing = case.tables["existing_capacity"]
    existing = typical(existing[existing["retirement_year"].isna()
                                | (existing["retirement_year"] > years[0])].assign(
        country=lambda f: f["region"].map(case.countries_of_regions)), "capacity").groupby(
        ["country", "family"])["projects"].sum()
    checked = 0
    for (k, f, t), projects in built.items():
        if (k, f) not in limits.index:
            continue
        before = existing.get((k, f), 0.0) if t == years[0] else \
            capacity.get((k, f, years[years.index(t) - 1]), 0.0)
        allowed = weights[t] * (limits.at[(k, f), "absolute"]
                                + limits.at[(k, f), "relative"] * before)
        assert projects <= allowed + 1e-6, (k, f, t, projects, allowed)
        checked += 1
    assert checked > 20  # the reference builds in many limited (country, family, year)


def test_every_committed_project_is_built_in_full_in_its_first_online_year(reference):
    """projects.csv ``committed``: a project under construction on its announced schedule comes
    online whole in its first online year, and nothing of it is built later."""
    projects = reference.case.tables["projects"]
    committed = projects.loc[projects["committed"].astype(bool)]
    assert len(committed) >= 5
    built = reference.plan.tables["projects"]
    for name, capacity, earliest in committed[
            ["project", "capacity", "earliest_online_year"]].itertuples(index=False):
        rows = built[built["project"] == name]
        assert len(rows) == 1, (name, rows)
        year = int(rows["online_year"].iloc[0])
        # committed projects are at stage construction or permitted: no lag after earliest
        assert year == max(int(earliest), reference.case.years[0]), (name, year)
        assert rows["capacity"].iloc[0] == pytest.approx(capacity, rel=1e-6), name


def test_financial_integration_extends_reference_and_costs_less(reference, tmp_path):
    scenario = run_case(ROOT / "cases" / "financial_integration.toml", tmp_path / "fi",
                        SolveOptions(quiet=True))
    assert scenario.result.optimal
    assert scenario.case.chain[0] == REFERENCE.resolve()
    rates = scenario.case.tables["countries"].set_index("country")["cost_of_capital"]
    base = reference.case.tables["countries"].set_index("country")["cost_of_capital"]
    assert rates["MX"] < base["MX"] and rates["US"] == base["US"]
    assert scenario.result.objective < reference.result.objective  # cheaper capital in CA, MX


def solved(name, tmp_path):
    run = run_case(ROOT / "cases" / f"{name}.toml", tmp_path / name, SolveOptions(quiet=True))
    assert run.result.optimal
    return run


def check_readme(run, reference):
    """The figures README quotes of this case (objective, difference, unserved) are its own."""
    check_case(run.case.path.stem, run.result.objective, reference.result.objective,
               run.summary["unserved_total"])


def test_permitting_reform_costs_less_than_the_reference(reference, tmp_path):
    reform = solved("permitting_reform", tmp_path)
    assert reform.result.objective < reference.result.objective
    assert reform.summary["unserved_total"] <= reference.summary["unserved_total"] + 1e-9


def test_security_scenarios_cost_more_and_report_security(reference, tmp_path):
    """A ban or a sourcing floor only restricts the reference: none can cost less."""
    for name in ("cn_ree_ban", "cn_graphite_ban", "usmca_sourcing_floor"):
        run = solved(name, tmp_path)
        assert run.result.objective >= reference.result.objective - 1e-6, name
        check_readme(run, reference)
        security = run.plan.tables["security"]
        assert set(security["bloc"]) == {"USMCA"}
        if name == "cn_ree_ban":
            brief_shows_the_stock_before_the_ban(run)
    floor = run.plan.tables["security"].set_index(["commodity", "year"])
    assert floor.at[("li_chem", 2040), "self_sufficiency"] >= 0.5 - 1e-6


def brief_shows_the_stock_before_the_ban(run):
    """The stock of NdPr oxide built ahead of the 2027 ban is in the brief, year by year, with
    the plan's numbers (issue 18), and the sentences name no commodity code."""
    [plan] = resolve_all([run])
    comparison = comparison_of([plan])
    brief = write_brief(comparison, views_of(comparison))
    security = run.plan.tables["security"]
    held = security[(security["commodity"] == "ndpr_oxide") & (security["stock"] >= 1e-6)]
    assert held["year"].min() < 2027
    [chain] = [c for c in brief.chains if "ndpr_oxide" in c.chain.stages]
    [stock] = [s.text for s in chain.sentences if s.text.startswith("Strategic stock")]
    part = stock.split("separated NdPr oxide ", 1)[1]
    for year, value in zip(held["year"], held["stock"]):
        assert f"{quantity(value)} kt in {year}" in part or f"{quantity(value)} in {year}" in part
    codes = set(run.case.tables["commodities"]["commodity"])
    words = set(re.findall(r"[\w-]+", " ".join(s.text for c in brief.chains
                                                for s in c.sentences)))
    assert not codes & words - {"magnet"}, codes & words  # "magnet" is also a word of a name


def test_stochastic_case_is_between_the_reference_and_its_worst_scenario(reference, tmp_path):
    run = solved("disruption_stochastic", tmp_path)
    assert run.result.objective >= reference.result.objective - 1e-6
    check_readme(run, reference)
    assert set(run.plan.tables["activity"]["scenario"]) == {
        "no_ban", "ree_ban", "graphite_ban", "both_bans"}


def test_releasing_the_committed_pipeline_cannot_cost_more(reference, tmp_path):
    """release_committed.toml drops every commitment: a relaxation of the reference."""
    run = solved("release_committed", tmp_path)
    assert not run.case.tables["projects"]["committed"].astype(bool).any()
    assert run.result.objective <= reference.result.objective + 1e-6
    check_readme(run, reference)


def test_lithium_price_shock_raises_the_us_price_while_it_imports(reference, tmp_path):
    """lithium_price_shock.toml: the world price of lithium chemicals is 1.30 x its 2025 level
    in 2027, when the US still imports them, so the US price rises by that step (52.2 x 0.30 =
    15.7 M$/kt). Canada's export parity for spodumene (its bid) moves with the world price, so
    Canada earns more on the concentrate it sells in 2027-30. (Since the bid, 2026-12-04, the
    shock may make the plan cheaper: North America sells more lithium to the world than it
    buys from it; measured −4,060 M$.)"""
    run = solved("lithium_price_shock", tmp_path)

    def revenue(plan):
        sales = plan.tables["sales"]
        rows = sales[(sales["region"] == "CA") & (sales["commodity"] == "li_conc")
                     & sales["year"].between(2027, 2030)]
        return float((rows["quantity"] * rows["price"]).sum())

    assert revenue(run.plan) > revenue(reference.plan) + 1.0
    check_readme(run, reference)

    def us_price(plan, year):
        prices = plan.tables["prices"]
        return prices.loc[(prices["region"] == "US") & (prices["commodity"] == "li_chem")
                          & (prices["year"] == year), "price"].item()

    assert us_price(run.plan, 2027) - us_price(reference.plan, 2027) == pytest.approx(
        52.2 * 0.30, rel=0.01)
    assert us_price(run.plan, 2025) == pytest.approx(us_price(reference.plan, 2025))


def test_two_runs_give_identical_tables_and_hash(reference, tmp_path):
    again = run_case(REFERENCE, tmp_path / "again", SolveOptions(quiet=True))
    assert again.case.hash == reference.case.hash
    for table in sorted((reference.out / "tables").iterdir()):
        assert (again.out / "tables" / table.name).read_bytes() == table.read_bytes(), table.name


def test_offtake_case_pays_the_ndpr_floor_out_of_dod_budget(reference, tmp_path):
    """The DoD-MP price floor tops up US NdPr oxide by 110 − 69 = 41 M$/kt on up to 6 kt/yr in
    2026–2035: DoD's budget cost is 41 × covered output a year, the objective falls by exactly
    its present value when the plan does not change (US separation runs at its capacity either
    way: 4 kt in 2026, then the 6 kt cap binds)."""
    run = solved("offtake_mp_dod", tmp_path)
    check_readme(run, reference)
    budget = run.plan.tables["offtakes"].set_index("year")["budget_cost"]
    assert list(budget.index) == list(range(2026, 2036))
    assert budget.loc[2027:].tolist() == pytest.approx([41.0 * 6.0] * 9)
    subsidy = run.plan.tables["costs"].query("category == 'offtake_subsidy'")["discounted"].sum()
    assert run.result.objective == pytest.approx(reference.result.objective + subsidy, abs=1e-3)


def test_recycling_case_recycles_end_of_life_batteries_and_magnets(reference, tmp_path):
    """Secondary supply only adds options to the reference: it cannot cost more; every element
    collected in 2035 is recycled (at recovery 0.8 for lithium); the brief says what recycling
    plants make from 2026, when the Kingston hub comes online (new plants from 2028)."""
    run = solved("recycling", tmp_path)
    assert run.result.objective <= reference.result.objective + 1e-6
    check_readme(run, reference)
    recycled = run.plan.tables["recycled_supply"].groupby(["commodity", "year"])["quantity"].sum()
    collected = run.plan.tables["end_of_life"].groupby(["commodity", "year"])["collected"].sum()
    assert recycled["li_chem", 2035] == pytest.approx(0.8 * collected["li_scrap", 2035], rel=1e-6)
    assert recycled["ndpr_oxide", 2050] > 0
    [plan] = resolve_all([run])
    comparison = comparison_of([plan])
    brief = write_brief(comparison, views_of(comparison))
    said = [s.text for chain in brief.chains for s in chain.sentences]
    first = min(t for (c, t), q in recycled.items() if c == "ndpr_oxide" and q > 0)
    assert first == 2026  # Cyclic Materials' Kingston hub, the others from 2028
    assert any(text.startswith(f"Recycled separated NdPr oxide in {first}–2050")
               for text in said)
