"""The committee view's files: workbook equal to the CSV, IAMC file with pyam's checks, a
self-contained HTML page that headless Chromium shows without console errors, the one-plan
report, and metrics of tables that later parts of the model add."""

from __future__ import annotations

import re
import shutil
import struct
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from casekit import CHROMIUM, chromium
from northam_plan.cli import app
from northam_plan.report import comparison_of, write_comparison
from northam_plan.report.iamc import COLUMNS
from northam_plan.report.metrics import KEYS, NOT_MODELLED, TOPICS
from northam_plan.scenarios.compare import load_result
from test_compare import chain_cases, run_case

runner = CliRunner()


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    """The four files of base vs the tariff scenario."""
    folder = tmp_path_factory.mktemp("report")
    base, tariff = chain_cases(folder)
    results = {case.stem: run_case(case, folder / "results" / case.stem).out
               for case in (base, tariff)}
    out = folder / "comparison"
    files = write_comparison([results["base"], results["tariff"]], out)
    return {"out": out, "files": files, **results}


def test_four_files_are_written(written):
    assert sorted(written["files"]) == sorted(["comparison.csv", "comparison.xlsx",
                                               "comparison.html", "comparison.iamc.csv"])
    table = pd.read_csv(written["out"] / "comparison.csv")
    assert list(table.columns[:len(KEYS) + 2]) == ["topic", *KEYS, "unit"]
    assert {"base", "tariff", "tariff - base", "note: base", "note: tariff"} <= set(table)
    assert set(table["topic"]) == set(TOPICS)


def _unit_free(header: str) -> str:
    return re.sub(r" \[[^\]]*\]$", "", str(header))


def test_workbook_has_a_sheet_per_topic_with_the_csv_numbers(written):
    csv = pd.read_csv(written["out"] / "comparison.csv")
    path = written["out"] / "comparison.xlsx"
    book = load_workbook(path)
    assert book.sheetnames == list(TOPICS)
    for topic in TOPICS:
        sheet = book[topic]
        assert sheet.freeze_panes == "A3"
        assert TOPICS[topic][:30] in sheet["A1"].value
        widths = [sheet.column_dimensions[c].width for c in "ABC"]
        assert all(w and w >= 6 for w in widths)
        frame = pd.read_excel(path, sheet_name=topic, header=1)
        expected = csv[csv["topic"] == topic].reset_index(drop=True)
        assert len(frame) == len(expected)
        frame.columns = [_unit_free(c) for c in frame.columns]
        for column in ["base", "tariff", "tariff - base"]:
            np.testing.assert_array_equal(frame[column].to_numpy(dtype=float),
                                          expected[column].to_numpy(dtype=float))
        for column in set(frame.columns) & {"metric", "country", "commodity", "year"}:
            assert _text(frame[column]) == _text(expected[column])


def _text(series: pd.Series) -> list[str]:
    """Cells as text, empty for missing, integers without '.0'."""
    return [re.sub(r"\.0$", "", str(v)) if pd.notna(v) and v != "" else "" for v in series]


def test_units_are_in_the_headers(written):
    book = load_workbook(written["out"] / "comparison.xlsx")
    costs = [c.value for c in book["costs"][2]]
    headline = [c.value for c in book["headline"][2]]
    assert "unit" in headline and "base [see unit]" in headline
    assert any(str(h).startswith("base [") for h in costs)
    investments = [c.value for c in book["investments"][2]]
    assert "tariff - base [see unit]" in investments and "unit" in investments


IAMC_INDEX = ["model", "scenario", "region", "variable", "unit"]


def read_iamc(path: Path) -> pd.DataFrame:
    """The IAMC timeseries table of a long-format IAMC CSV, checked as pyam.IamDataFrame
    checks it when reading: the index columns model, scenario, region, variable, unit with no
    empty cell, integer years, numeric values, no two values for one index and year. Returns
    the wide table pyam's ``timeseries()`` gives: one row per index, years as columns."""
    frame = pd.read_csv(path, dtype={c: str for c in IAMC_INDEX}, keep_default_na=False,
                        na_values={"year": [""], "value": [""]})
    assert list(frame.columns) == [*IAMC_INDEX, "year", "value"], list(frame.columns)
    for column in IAMC_INDEX:
        assert (frame[column].str.strip() != "").all(), f"empty cells in {column}"
    assert pd.api.types.is_integer_dtype(frame["year"]), frame["year"].dtype
    assert pd.api.types.is_float_dtype(frame["value"]) or \
        pd.api.types.is_integer_dtype(frame["value"]), frame["value"].dtype
    assert np.isfinite(frame["value"]).all()
    assert not frame.duplicated([*IAMC_INDEX, "year"]).any()
    return frame.pivot(index=IAMC_INDEX, columns="year", values="value")


def test_iamc_file_is_an_iamc_timeseries_table(written):
    path = written["out"] / "comparison.iamc.csv"
    frame = pd.read_csv(path)
    assert list(frame.columns) == COLUMNS
    assert frame["value"].notna().all() and set(frame["scenario"]) == {"base", "tariff"}
    assert {"Cost|Total", "Production|ore", "Security|Self-Sufficiency|ore",
            "Investment|refinery"} <= set(frame["variable"])
    table = read_iamc(path)
    assert set(table.index.get_level_values("scenario")) == {"base", "tariff"}
    assert "USMCA" in set(table.index.get_level_values("region"))
    assert list(table.columns) == sorted(table.columns) == [2025, 2026, 2027]
    cost = table.xs(("base", "USMCA", "Cost|Total"), level=("scenario", "region", "variable"))
    assert cost.shape == (1, 3) and cost.notna().all(axis=None)
    assert set(cost.index.get_level_values("unit")) == {"M$/yr"}


def test_the_iamc_reader_refuses_what_pyam_refuses(tmp_path):
    good = ("model,scenario,region,variable,unit,year,value\n"
            "northam-plan,base,US,Cost|Total,M$/yr,2025,1.5\n")
    (tmp_path / "good.csv").write_text(good)
    assert read_iamc(tmp_path / "good.csv").loc[
        ("northam-plan", "base", "US", "Cost|Total", "M$/yr"), 2025] == 1.5
    for name, text in {
            "column": good.replace("region", "area"),
            "empty": good.replace(",US,", ",,"),
            "year": good.replace("2025", "2025.5"),
            "value": good.replace("1.5", "n/a"),
            "duplicate": good + good.splitlines()[1] + "\n"}.items():
        (tmp_path / f"{name}.csv").write_text(text)
        with pytest.raises(AssertionError):
            read_iamc(tmp_path / f"{name}.csv")


def test_html_is_self_contained_and_holds_the_headline_and_charts(written):
    page = (written["out"] / "comparison.html").read_text()
    markup = re.sub(r"<script[^>]*>.*?</script>", "<script></script>", page, flags=re.S)
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", markup)
    assert "<link" not in markup and "@import" not in markup and "url(" not in markup
    assert not re.search(r"<script[^>]*\bsrc=", page)  # every script is inline
    assert 'id="headline"' in page and 'class="summary"' in page
    for key in ("new-capacity", "sourcing-mix", "delivered-cost", "flow-base", "flow-tariff",
                "build-timeline", "imports-by-origin"):
        assert f'id="chart-{key}"' in page
    assert page.count("Plotly.newPlot") == 7
    assert page.index('id="brief"') < page.index('id="headline"')  # the brief first
    assert NOT_MODELLED in page  # no security, passport, emissions or stock in this case
    assert "Self-sufficiency (per mineral, %)" in page  # the definitions


def test_summary_quotes_the_numbers(written):
    comparison = comparison_of([load_result(written["base"]), load_result(written["tariff"])])
    from northam_plan.report.summary import money, summarise
    [(heading, sentences)] = summarise(comparison)
    assert heading == "tariff against base"
    total = comparison.topic("headline").iloc[0]
    assert total["metric"] == "Total cost"
    assert sentences[0].startswith(f"tariff costs {money(total['tariff - base'])}")
    assert money(total["tariff"]) in sentences[0] and "more than base" in sentences[0]
    assert any("All demand is met" in s for s in sentences)


def test_report_command_writes_one_plans_page(written, tmp_path):
    plan = shutil.copytree(written["base"], tmp_path / "plan")
    result = runner.invoke(app, ["report", str(plan)])
    assert result.exit_code == 0, result.output
    page = (plan / "report.html").read_text()
    assert "Plan report: chain base" in page and 'id="headline"' in page
    assert " − " not in page.split('id="headline"')[1].split("</table>")[0]  # no differences
    missing = runner.invoke(app, ["report", str(tmp_path / "nothing")])
    assert missing.exit_code == 2 and "no such folder" in missing.output


def test_tables_of_later_components_are_shown_when_present(written, tmp_path):
    """security_costs.csv, emissions.csv and passport.csv written by later issues appear;
    without them the metric says 'not modelled in this case'."""
    plan = shutil.copytree(written["base"], tmp_path / "secure")
    tables = plan / "tables"
    pd.DataFrame({"constraint": ["regional share"] * 2, "where": ["USMCA / ore"] * 2,
                  "year": [2025, 2027], "cost": [1.5, 2.5]}).to_csv(
        tables / "security_costs.csv", index=False)
    pd.DataFrame({"country": ["US", "US"], "year": [2025, 2027], "emissions": [3.0, 4.0],
                  "unit": ["Mt CO2e/yr"] * 2}).to_csv(tables / "emissions.csv", index=False)
    pd.DataFrame({"commodity": ["part"], "origin": ["MX"], "year": [2027],
                  "quantity": [2.0]}).to_csv(tables / "passport.csv", index=False)
    comparison = comparison_of([load_result(written["base"]), load_result(plan)])
    h = comparison.topic("headline")
    security = h[h["metric"] == "Cost of security"]
    shown = security[security["secure"].notna()]
    assert shown["secure"].tolist() == [2.5]  # headline year 2027 only
    assert shown["detail"].tolist() == ["constraint regional share; where USMCA / ore"]
    assert security["base"].isna().all()
    assert security["note: base"].tolist() == [NOT_MODELLED, ""]
    emissions = h[(h["metric"] == "Emissions") & h["secure"].notna()]
    assert emissions["secure"].tolist() == [4.0] and emissions["unit"].tolist() == ["Mt CO2e/yr"]
    passport = comparison.topic("passport")
    assert passport.loc[passport["secure"].notna(), "secure"].tolist() == [2.0]
    assert NOT_MODELLED in set(passport["note: base"])


# --- headless Chromium ------------------------------------------------------------------------

def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


@pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is not installed "
                    "(.ci/run installs it with apt-get)")
def test_page_renders_in_headless_chromium_without_console_errors(written, tmp_path):
    """Every message the page writes to the console shows in Chromium's log as
    'CONSOLE'; a clean page writes none. The DOM after the scripts ran holds the headline
    table and one rendered plot per chart; the screenshot is kept for a person to look at."""
    page = written["out"] / "comparison.html"
    dom = chromium(page, "--dump-dom")
    console = [line for line in dom.stderr.splitlines()
               if "CONSOLE" in line or "Uncaught" in line]
    assert console == [], console
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert '<table id="headline">' in dom.stdout
    assert dom.stdout.count('class="main-svg"') >= 5  # plotly drew every chart
    assert dom.stdout.count('class="sankey"') >= 2 or "sankey" in dom.stdout

    shot = tmp_path / "comparison.png"
    result = chromium(page, "--window-size=1280,3600", f"--screenshot={shot}")
    console = [line for line in result.stderr.splitlines()
               if "CONSOLE" in line or "Uncaught" in line]
    assert console == [], console
    assert shot.is_file() and _png_size(shot) == (1280, 3600)
    assert shot.stat().st_size > 50_000  # text, table and charts, not a blank page
    try:
        from PIL import Image
    except ImportError:  # pragma: no cover - pillow comes with matplotlib (test extra)
        return
    with Image.open(shot) as image:
        colors = image.convert("RGB").resize((160, 450)).getcolors(maxcolors=100_000)
        assert len(colors) > 200
    keep = Path(tempfile.gettempdir()) / "northam-plan-comparison.png"
    shutil.copyfile(shot, keep)
