"""Calibration against observed figures: model figures computed by hand, verdicts, exit codes
and clear errors for bad observed files.

The case is casekit.TWO_MINES: 10 kt of ore wanted in the US, mined in the US at 5 M$/kt or in
China at 2 + 1 transport, so all 10 kt come from China, the US price is 3 M$/kt, the US mine
(100 kt/yr) is idle and China's import share is 100 %. The free-on-board value of the US's
imports is China's price, 2 M$/kt (its mine is not at capacity), a third under the delivered 3.
"""

from __future__ import annotations

import pandas as pd
import pytest
from typer.testing import CliRunner

from casekit import CHROMIUM, TWO_MINES, chromium, write_case
from northam_plan.cli import app
from northam_plan.plan.calibration import read_observed

HEADER = "topic,item,country,partner,year,unit,observed,tolerance,tolerance_kind,source\n"
GOOD = [
    "mine_production,ore,CN,,2025,kt,10.5,0.10,relative,made up: 10 within 10 %",
    "mine_production,ore,US,,2025,kt,0,0.5,absolute,made up: 0 within 0.5 kt",
    "capacity,mine_us,US,,2025,kt/yr,100,0.10,relative,made up",
    "import_share,ore,US,CN,2024,%,95,10,absolute,made up: 100 % within 10 pp",
    "price,ore,US,,2025,M$/kt,3.6,0.25,relative,made up: 3 within 25 % of 3.6",
]


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # cases are solved into results/<name>/ of the working folder


def case_with(tmp_path, rows) -> tuple:
    path = write_case(tmp_path, TWO_MINES)
    folder = tmp_path / "calibration"  # beside the tables folder: found by default
    folder.mkdir()
    (folder / "observed.csv").write_text(HEADER + "\n".join(rows) + "\n")
    return path, folder


def test_model_figures_match_the_hand_solution_and_all_are_within(tmp_path):
    path, _ = case_with(tmp_path, GOOD)
    result = CliRunner().invoke(app, ["calibrate", str(path), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    rows = pd.read_csv(tmp_path / "out" / "calibration.csv")
    assert rows["model"].tolist() == pytest.approx([10.0, 0.0, 100.0, 100.0, 3.0])
    assert rows["deviation"].tolist() == pytest.approx(
        [10 / 10.5 - 1, 0.0, 0.0, 5.0, 3 / 3.6 - 1])
    assert rows["within"].all()
    assert list(rows.columns) == ["topic", "item", "country", "partner", "year", "unit",
                                  "model", "observed", "tolerance", "tolerance_kind",
                                  "deviation", "within", "known_gap", "source"]
    page = (tmp_path / "out" / "calibration.html").read_text()
    assert "5 of 5 figures within tolerance" in page and "<script" not in page


def test_a_figure_outside_its_tolerance_exits_1_and_is_named(tmp_path):
    """Price observed at 4.5: the model's 3 is 33 % under it, outside ± 25 %."""
    path, _ = case_with(tmp_path, [*GOOD[:4], "price,ore,US,,2025,M$/kt,4.5,0.25,relative,x"])
    result = CliRunner().invoke(app, ["calibrate", str(path), "--out", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert "4 of 5 figures within tolerance (outside: price 1)" in result.output
    rows = pd.read_csv(tmp_path / "out" / "calibration.csv")
    assert rows["within"].tolist() == [True, True, True, True, False]
    assert rows["deviation"].iloc[-1] == pytest.approx(3 / 4.5 - 1)


GAP_HEADER = HEADER.replace("source", "known_gap,source")


def _with_gap(row: str, gap: str) -> str:
    """An observed row with a known_gap cell before its source."""
    head, source = row.rsplit(",", 1)
    return f"{head},{gap},{source}"


def test_a_known_gap_outside_tolerance_exits_0_and_strict_exits_1(tmp_path):
    """The price observed at 4.5 misses (3 is 33 % under it) but documents why: the verdict
    holds (exit 0), the figure is still counted outside, and --strict fails it."""
    path, folder = case_with(tmp_path, [])
    rows = [_with_gap(r, "") for r in GOOD[:4]] + [
        _with_gap("price,ore,US,,2025,M$/kt,4.5,0.25,relative,x", "a market the model lacks")]
    (folder / "observed.csv").write_text(GAP_HEADER + "\n".join(rows) + "\n")
    out = ["--out", str(tmp_path / "out")]
    result = CliRunner().invoke(app, ["calibrate", str(path), *out])
    assert result.exit_code == 0, result.output
    assert "4 of 5 figures within tolerance (outside: price 1; all of them known gaps)" \
        in result.output
    written = pd.read_csv(tmp_path / "out" / "calibration.csv", keep_default_na=False)
    assert written["within"].tolist() == [True, True, True, True, False]
    assert written["known_gap"].tolist() == ["", "", "", "", "a market the model lacks"]
    page = (tmp_path / "out" / "calibration.html").read_text()
    assert "Known gap:</b> a market the model lacks" in page and "no: known gap" in page
    strict = CliRunner().invoke(app, ["calibrate", str(path), *out, "--strict"])
    assert strict.exit_code == 1


def test_a_miss_without_a_gap_fails_beside_a_documented_one(tmp_path):
    """Two misses, one documented: exit 1, and the summary counts one known gap of two."""
    path, folder = case_with(tmp_path, [])
    rows = [_with_gap(r, "") for r in GOOD[:3]] + [
        _with_gap("import_share,ore,US,CN,2024,%,50,10,absolute,x", ""),
        _with_gap("price,ore,US,,2025,M$/kt,4.5,0.25,relative,x", "a market the model lacks")]
    (folder / "observed.csv").write_text(GAP_HEADER + "\n".join(rows) + "\n")
    result = CliRunner().invoke(app, ["calibrate", str(path), "--out", str(tmp_path / "out")])
    assert result.exit_code == 1, result.output
    assert "(outside: import_share 1, price 1; 1 of them known gaps)" in result.output


def test_a_known_gap_now_within_is_pointed_out(tmp_path):
    """A documented gap whose figure is within tolerance (the model's 10 kt against 10.5): the
    verdict holds, and the command says the note can go."""
    path, folder = case_with(tmp_path, [])
    rows = [_with_gap(GOOD[0], "once missed")] + [_with_gap(r, "") for r in GOOD[1:]]
    (folder / "observed.csv").write_text(GAP_HEADER + "\n".join(rows) + "\n")
    result = CliRunner().invoke(app, ["calibrate", str(path), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "known_gap note can go" in result.output and "5 of 5" in result.output


def test_import_unit_value_is_the_price_at_origin_before_transport(tmp_path):
    """Customs unit values are free on board: China's price 2, not the US's delivered 3."""
    path, _ = case_with(tmp_path, [
        "import_unit_value,ore,US,,2025,M$/kt,2.2,0.10,relative,made up: 2 within 10 %",
        "import_unit_value,ore,CN,,2025,M$/kt,2,0.10,relative,made up: China imports none"])
    result = CliRunner().invoke(app, ["calibrate", str(path), "--out", str(tmp_path / "out")])
    assert result.exit_code == 1
    rows = pd.read_csv(tmp_path / "out" / "calibration.csv")
    assert rows["model"].iloc[0] == pytest.approx(2.0)
    assert rows["within"].tolist() == [True, False]
    assert pd.isna(rows["model"].iloc[1])


def test_every_topic_has_a_section_on_the_page():
    """A topic without a title would be left off calibration.html without a word."""
    from northam_plan.plan.calibration import TOPICS
    from northam_plan.report.calibration_page import TOPIC_TITLES

    assert list(TOPIC_TITLES) == list(TOPICS)


def test_a_share_without_imports_has_no_model_figure(tmp_path):
    """Nothing reaches China, so China has no import share to compare: not within."""
    path, _ = case_with(tmp_path, ["import_share,ore,CN,US,2024,%,0,10,absolute,x"])
    result = CliRunner().invoke(app, ["calibrate", str(path), "--out", str(tmp_path / "out")])
    assert result.exit_code == 1
    rows = pd.read_csv(tmp_path / "out" / "calibration.csv")
    assert rows["model"].isna().all() and not rows["within"].any()


@pytest.mark.parametrize("row, column, fragment", [
    ("production,ore,US,,2025,kt,1,0.1,relative,x", "topic", "unknown topic 'production'"),
    ("mine_production,gold,US,,2025,kt,1,0.1,relative,x", "item", "unknown commodity 'gold'"),
    ("capacity,mill,US,,2025,kt,1,0.1,relative,x", "item", "unknown process 'mill'"),
    ("mine_production,ore,XX,,2025,kt,1,0.1,relative,x", "country", "unknown country 'XX'"),
    ("import_share,ore,US,,2025,%,1,10,absolute,x", "partner", "needs a partner"),
    ("mine_production,ore,US,,2025,kt,many,0.1,relative,x", "observed", "expected a number"),
    ("mine_production,ore,US,,2025,kt,1,-1,relative,x", "tolerance", "non-negative number"),
    ("mine_production,ore,US,,2025,kt,1,0.1,percent,x", "tolerance_kind",
     "expected relative or absolute"),
    ("mine_production,ore,US,,2025,kt,0,0.1,relative,x", "tolerance_kind", "use absolute"),
    ("mine_production,ore,US,,2025,kt,1,0.1,relative,", "source", "needs its source"),
])
def test_bad_observed_rows_are_refused_with_file_line_and_column(tmp_path, row, column,
                                                                 fragment):
    path, folder = case_with(tmp_path, [GOOD[0], row])
    result = CliRunner().invoke(app, ["calibrate", str(path), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2, result.output
    flat = " ".join(result.output.split())
    assert f"observed.csv, line 3, column '{column}'" in flat and fragment in flat
    assert not (tmp_path / "out").exists()  # nothing half-written
    assert not (tmp_path / "results").exists()  # checked before anything is solved


def test_missing_folder_and_missing_columns_are_refused(tmp_path):
    path = write_case(tmp_path, TWO_MINES)
    result = CliRunner().invoke(app, ["calibrate", str(path), "--observed",
                                      str(tmp_path / "nowhere")])
    assert result.exit_code == 2 and "no folder of observed figures" in result.output
    folder = tmp_path / "bad"
    folder.mkdir()
    (folder / "x.csv").write_text("topic,item\nprice,ore\n")
    from northam_plan import load_case

    with pytest.raises(Exception) as caught:
        read_observed(folder, load_case(path))
    assert "missing column(s) country, partner" in str(caught.value)


@pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is not installed "
                    "(.ci/run installs it with apt-get)")
def test_calibration_page_renders_without_console_messages_or_codes(tmp_path):
    """The page opens in headless Chromium with no console message; it names figures (not
    codes), shows each deviation with its unit and no '-0.0' of solver noise."""
    path, _ = case_with(tmp_path, GOOD)
    result = CliRunner().invoke(app, ["calibrate", str(path), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    dom = chromium(tmp_path / "out" / "calibration.html", "--dump-dom")
    console = [line for line in dom.stderr.splitlines()
               if "CONSOLE" in line or "Uncaught" in line]
    assert console == [] and dom.returncode == 0, (console, dom.stderr[-2000:])
    assert dom.stdout.count("<td class=\"ok\">yes</td>") == 5
    assert "mine_us" not in dom.stdout and "ore (mine)" in dom.stdout
    assert "+5.0 pp" in dom.stdout and "-0.0" not in dom.stdout
