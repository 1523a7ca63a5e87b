"""The explorer (``northam-plan explore``): levers as case blocks, the kept Resolver, refusals
with the case rules' messages, the rebuild of a change of structure, the saved case, and the
page driven in the system's headless Chromium (Playwright, no browser download)."""

from __future__ import annotations

import json
import math
import socket
import threading
import time
import tomllib
import zipfile
from pathlib import Path

import pandas as pd
import pytest

import northam_plan.model
from northam_plan.case import load_case
from northam_plan.explore import Explorer, session
from northam_plan.explore.levers import blocks, levers_of
from northam_plan.explore.save import case_text, toml_value
from northam_plan.pipeline import run_case
from northam_plan.plan import extract_plan
from northam_plan.plan.energy import ENERGY_TABLES
from northam_plan.plan.passport import PASSPORT_TABLES
from northam_plan.report.brief import write_brief
from northam_plan.report.facts import DATASET_ARRAYS, Facts
from northam_plan.report.metrics import Comparison
from northam_plan.report.planview import PlanView
from northam_plan.scenarios.compare_plan import SolvedPlan, chain_of_case
from northam_plan.solve import solve

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT / "cases" / "reference.toml"
CHROMIUM = Path("/usr/bin/chromium")
TARIFF = "tariff:CN:US:magnet"  # 45 % from 2026 in the reference (tariffs.csv)


@pytest.fixture(scope="module")
def explorer() -> Explorer:
    return Explorer(REFERENCE)


def test_levers_write_the_blocks_a_case_file_would():
    case = load_case(REFERENCE)
    levers = levers_of(case, {}, [("li_conc", "Lithium", ("li_conc", "li_chem"))])
    assert all(lv.blocks(lv.base) == ([], []) for lv in levers.values())
    overrides, adds = blocks(levers, {TARIFF: 60, "capital:MX": 8, "demand:li_conc": 150,
                                      "ban:CN:magnet": 2028})
    changed = case.with_overrides(*overrides, add=adds)
    t = changed.tables["tariffs"]
    row = t[(t["from"] == "CN") & (t["to"] == "US") & (t["commodity"] == "magnet")]
    assert dict(zip(row["start_year"], row["rate"])) == {2025: 0.3, 2026: 0.6}
    countries = changed.tables["countries"].set_index("country")["cost_of_capital"]
    assert countries["MX"] == 0.08 and countries["CA"] == 0.07
    old, new = case.tables["demand"], changed.tables["demand"]
    lithium = old["commodity"].isin(["li_conc", "li_chem"])
    assert (new.loc[lithium, "quantity"].to_numpy()
            == pytest.approx(1.5 * old.loc[lithium, "quantity"].to_numpy(), rel=1e-15))
    assert (new.loc[~lithium, "quantity"] == old.loc[~lithium, "quantity"]).all()
    ban = changed.tables["disruptions"]
    assert ban[["exporter", "commodity", "start_year", "limit"]].values.tolist() == [
        ["CN", "magnet", 2028, 0.0]]
    with pytest.raises(KeyError, match="no_such"):
        blocks(levers, {"no_such": 1})


def test_toml_values_read_back_exactly():
    values = {"rate": 0.1 + 0.2, "year": 2028, "name": 'a "quoted" — name\\', "on": True,
              "list": [1.5e-7, 3], "from": "CN"}
    text = f"x = {toml_value(values)}"
    assert tomllib.loads(text)["x"] == values


def test_a_bad_value_is_refused_with_the_case_rules_message(explorer):
    before = explorer.answer
    outcome = explorer.apply({TARIFF: -5})
    assert outcome.state == "refused"
    assert "expected a number ≥ 0, got -0.05" in outcome.message
    assert "Tariffs into United States" in outcome.message
    assert explorer.apply({TARIFF: "lots"}).state == "refused"
    assert explorer.answer is before  # the last good answer stays


def test_a_tariff_is_re_solved_in_place_and_its_plan_is_the_extracted_one(explorer):
    heard = []
    outcome = explorer.apply({TARIFF: 60}, lambda state, text: heard.append((state, text)))
    assert outcome.state == "done" and not outcome.rebuilt
    assert heard == [("solved", repr(outcome.answer.objective))]  # before the brief
    answer = outcome.answer
    assert answer.route == "diff"
    assert answer.objective > explorer.base.objective  # dearer magnets from China
    reference = extract_plan(explorer.resolver.model, answer.case)
    # the page's plan: the tables but the energy and passport ones, and of the arrays those
    # the brief reads
    left_out = {*ENERGY_TABLES, *PASSPORT_TABLES}
    assert left_out <= set(reference.tables)
    assert answer.plan.left_out == left_out
    assert set(answer.plan.tables) == set(reference.tables) - left_out
    for name, frame in answer.plan.tables.items():
        pd.testing.assert_frame_equal(frame, reference.tables[name])
    assert answer.plan.costs == reference.costs
    for name in ("generation", "passport"):
        with pytest.raises(LookupError, match="left out"):  # never read as "no such table"
            answer.view.facts.plan.table(name)
    # … and its brief is the one the whole plan gives
    whole = SolvedPlan(name=answer.view.name, summary=answer.view.facts.plan.summary,
                       tables=reference.tables, dataset_=reference.dataset,
                       chain_=chain_of_case(answer.case))
    brief = write_brief(Comparison([whole], whole.name, pd.DataFrame()),
                        {whole.name: PlanView(Facts(whole))})
    assert [s.text for s in brief.lede] == [s.text for s in answer.brief.lede]
    assert [[s.text for s in c.sentences] for c in brief.chains] == \
        [[s.text for s in c.sentences] for c in answer.brief.chains]
    assert set(answer.plan.dataset.data_vars) == set(DATASET_ARRAYS) & set(
        reference.dataset.data_vars)
    for name in answer.plan.dataset.data_vars:
        pd.testing.assert_series_equal(answer.plan.dataset[name].to_series().dropna(),
                                       reference.dataset[name].to_series().dropna())
    # the download's plan: every array, as a solve writes it
    assert answer.whole_plan().dataset.identical(reference.dataset)
    assert any("against Base case: total cost +" in s.text for s in answer.versus)
    plain = PlanView(answer.view.facts)  # the explorer's view reads values from a dict
    security = plain.security
    for c, t in zip(security["commodity"], security["year"]):
        for column in ("self_sufficiency", "china_share", "unserved", "stock", "use"):
            a, b = answer.view.value(c, t, column), plain.value(c, t, column)
            assert a == b or (math.isnan(a) and math.isnan(b))
    assert math.isnan(answer.view.value("no_such", 2030, "use"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_port_in_use_is_refused_before_the_solve(capsys):
    from typer.testing import CliRunner

    from northam_plan.cli import app

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        done = CliRunner().invoke(app, ["explore", str(REFERENCE), "--port", str(port)])
    assert done.exit_code == 2
    said = capsys.readouterr().err + done.output
    assert f"port {port} on 127.0.0.1 is in use" in said
    assert "Solving" not in said
    missing = CliRunner().invoke(app, ["explore", "no_such_case.toml", "--port",
                                       str(_free_port())])
    assert missing.exit_code == 2
    assert "Invalid input" in capsys.readouterr().err + missing.output


@pytest.fixture
def server(explorer, tmp_path):
    import uvicorn

    from northam_plan.explore.app import create_app

    explorer.apply({})  # back to the base case
    port = _free_port()
    config = uvicorn.Config(create_app(explorer, tmp_path / "saved"), host="127.0.0.1",
                            port=port, log_level="warning")
    app = uvicorn.Server(config)
    thread = threading.Thread(target=app.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not app.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert app.started
    yield f"http://127.0.0.1:{port}/"
    app.should_exit = True
    thread.join(timeout=10)


@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs /usr/bin/chromium (.ci/run installs "
                    "it)")
def test_moving_a_tariff_updates_the_headline_and_the_saved_case_reproduces_it(
        server, explorer, tmp_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                    args=["--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            errors: list[str] = []
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.goto(server)
            base = float(page.locator("#answer").get_attribute("data-objective"))
            assert base == explorer.base.objective
            page.locator("summary", has_text="Tariffs into United States").click()
            typed = page.locator(f'input.typed[data-lever="{TARIFF}"]')
            page.locator(f'input[data-slider="{TARIFF}"]').fill("60")  # input, then change
            page.wait_for_selector('body[data-seq="1"]', state="attached", timeout=60_000)
            status = page.locator("#status")
            assert status.get_attribute("class") == "ok", status.inner_text()
            live = float(page.locator("#answer").get_attribute("data-objective"))
            assert live > base
            lever = page.locator(".lever", has=typed)
            assert lever.get_attribute("class") == "lever changed"
            text = page.locator("#answer").inner_text()
            assert "What-if against Base case: total cost +" in text
            assert "M$" in text
            assert ("Showing Tariffs into United States: sintered NdFeB permanent magnet from "
                    "China, from 2026 at 60 % (base 45 %)") in text

            with page.expect_download() as download:
                page.locator("#download").click()
            archive = zipfile.ZipFile(download.value.path())
            assert {"what_if/summary.json", "what_if/plan.nc", "what_if/tables/investments.csv",
                    "what_if/tables/flows.csv"} <= set(archive.namelist())
            summary = json.loads(archive.read("what_if/summary.json"))
            assert summary["objective"] == live

            page.locator("#save-name").fill("magnets at 60 %")
            page.locator("#save").click()
            page.wait_for_selector("body[data-saved]", state="attached", timeout=30_000)
            saved = Path(page.locator("body").get_attribute("data-saved"))
            # a bad value: refused with the case rule, the last good answer stays on screen
            typed.fill("-10")
            typed.press("Enter")  # the typed value is committed (change) on Enter or blur
            page.wait_for_selector('body[data-seq="2"]', state="attached", timeout=60_000)
            assert status.get_attribute("class") == "refused"
            assert "expected a number ≥ 0" in status.inner_text()
            assert float(page.locator("#answer").get_attribute("data-objective")) == live
            typed.fill("60")
            typed.press("Enter")
            page.wait_for_selector('body[data-seq="3"]', state="attached", timeout=60_000)
            page.locator(".lever.changed").evaluate("e => e.scrollIntoView({block: 'center'})")
            page.mouse.move(0, 0)
            page.screenshot(path=str(tmp_path / "explore.png"))
            assert not errors, errors
        finally:
            browser.close()
    print(f"screenshot: {tmp_path / 'explore.png'}")
    cold = run_case(saved, write=False)
    assert cold.result.optimal
    assert math.isclose(cold.result.objective, live, rel_tol=1e-9, abs_tol=0.0)
    assert summary["case_hash"] == cold.case.hash  # the download's provenance: the saved case
    assert tomllib.loads(saved.read_text())["extends"].endswith("reference.toml")
    assert case_text(REFERENCE, saved.parent, "magnets at 60 %", explorer.levers,
                     {TARIFF: 60.0}).strip() == saved.read_text().strip()


def test_a_change_of_structure_is_rebuilt_and_says_so(explorer, monkeypatch):
    heard, builds = [], []
    counted = session.build_model

    def build(case, **kwargs):
        builds.append(case.name)
        return counted(case, **kwargs)

    monkeypatch.setattr(session, "build_model", build)
    monkeypatch.setattr(northam_plan.model, "build_model", build)  # (the resolver's cold path)
    outcome = explorer.apply({"ban:CN:magnet": 2028}, lambda state, why: heard.append(state))
    assert outcome.state == "done" and outcome.rebuilt
    assert heard == ["rebuilding", "solved"]
    assert outcome.answer.route == "cold"
    assert len(builds) == 1  # built once, for the diff that fails and the solve after it
    assert outcome.answer.result.timings["build"] > 0
    assert outcome.answer.objective >= explorer.base.objective * (1 - 1e-9)
    cold = solve(counted(outcome.answer.case, backend="matrix"), quiet=True)  # from nothing
    assert math.isclose(cold.objective, outcome.answer.objective, rel_tol=1e-9)
