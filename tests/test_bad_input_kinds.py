"""Bad input, issue 16: keys checked against their domains in every table, years against the
horizon, unit text, TOML syntax, typos of options, overrides, tables and columns, a folder as
case — each through the command line: a message naming the file, line and column (where the
input has them) and the mistyped value with the closest known name, exit code 2, no traceback.

Every kind breaks the small valid case of :mod:`test_bad_input` (``BASE``: regions US-W and
CA-E, commodities ore and metal, processes mine and smelter, horizon 2025–2030). The last
tests check that the bundled cases still validate (no false positives) and that the rows the
model deliberately does not read are reported by count, not dropped in silence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from test_bad_input import (
    Edit,
    add_row,
    both,
    cell,
    override,
    run_cli,
    table_text,
    toml_append,
    toml_prepend,
    toml_replace,
    write_base,
)

ROOT = Path(__file__).resolve().parent.parent


def rows(table: str, text: str) -> Edit:
    """Write an optional table the base case lacks (header and rows as CSV text)."""
    return table_text(table, text)


def stray_file(name: str, text: str) -> Edit:
    return lambda case: (case.parent / "tables" / name).write_text(text)


@dataclass(frozen=True)
class Kind:
    """One kind of bad input, the place it must be named at, and what the message says."""

    kind: str
    edit: Edit
    where: str  # '<file>, line N, column ...' as printed (file relative to the case folder)
    says: tuple[str, ...]  # fragments of the message


CF = "process,region,slice,factor\n"
KINDS = [
    # ------------------------------------------------ a key unknown in each kind of table
    Kind("demand-commodity", cell("demand", 2, "commodity", "metl"),
         "tables/demand.csv, line 2, column 'commodity'",
         ("unknown commodity 'metl'", "did you mean 'metal'?", "known: metal, ore")),
    Kind("link-region", cell("links", 2, "from", "CA-F"),
         "tables/links.csv, line 2, column 'from'",
         ("unknown region 'CA-F'", "did you mean 'CA-E'?")),
    Kind("tariff-country", cell("tariffs", 2, "to", "USA"),
         "tables/tariffs.csv, line 2, column 'to'",
         ("unknown country 'USA'", "did you mean 'US'?", "not in countries.csv")),
    Kind("process-io-process", cell("process_io", 2, "process", "smelt"),
         "tables/process_io.csv, line 2, column 'process'",
         ("unknown process 'smelt'", "did you mean 'smelter'?")),
    Kind("existing-capacity-region-case", cell("existing_capacity", 2, "region", "ca-e"),
         "tables/existing_capacity.csv, line 2, column 'region'",
         ("unknown region 'ca-e'", "did you mean 'CA-E'?")),
    Kind("reserves-commodity", cell("reserves", 2, "commodity", "oer"),
         "tables/reserves.csv, line 2, column 'commodity'",
         ("unknown commodity 'oer'", "did you mean 'ore'?")),
    Kind("construction-times-country", cell("construction_times", 2, "country", "Ca"),
         "tables/construction_times.csv, line 2, column 'country'",
         ("unknown country 'Ca'", "did you mean 'CA'?")),
    Kind("capacity-factor-slice", rows("capacity_factors", CF + "mine,,yaer,0.5\n"),
         "tables/capacity_factors.csv, line 2, column 'slice'",
         ("unknown slice 'yaer'", "did you mean 'year'?")),
    Kind("capacity-factor-region", rows("capacity_factors", CF + "mine,US-WW,year,0.5\n"),
         "tables/capacity_factors.csv, line 2, column 'region'",
         ("unknown region 'US-WW'", "did you mean 'US-W'?")),
    Kind("emission-cap-scope", both(rows("emission_caps", "scope,commodity,cap\nUSMCa,co2,5\n"),
                                    add_row("commodities", {"commodity": "co2",
                                                            "kind": "emission",
                                                            "unit": "Mt CO2"})),
         "tables/emission_caps.csv, line 2, column 'scope'",
         ("unknown country or bloc 'USMCa'", "not in countries.csv or blocs.csv")),
    Kind("sourcing-floor-bloc", both(rows("blocs", "bloc,country\nUSMCA,US\nUSMCA,CA\n"),
                                     rows("regional_shares", "bloc,commodity,share\n"
                                                             "USMC,metal,0.5\n")),
         "tables/regional_shares.csv, line 2, column 'bloc'",
         ("unknown bloc 'USMC'", "did you mean 'USMCA'?")),
    Kind("disruption-scenario", both(rows("scenarios", "scenario,probability\nban,0.5\n"
                                                       "calm,0.5\n"),
                                     rows("disruptions", "exporter,commodity,limit,scenario\n"
                                                         "CA,ore,0,bann\n")),
         "tables/disruptions.csv, line 2, column 'scenario'",
         ("unknown scenario 'bann'", "did you mean 'ban'?")),
    Kind("project-process", rows("projects", "project,region,process,capacity,stage,"
                                             "earliest_online_year\nBig,US-W,mien,5,"
                                             "permitted,2027\n"),
         "tables/projects.csv, line 2, column 'process'",
         ("unknown process 'mien'", "did you mean 'mine'?")),
    Kind("throughput-regime", both(rows("regimes", "country,family,regime,permitting_years\n"
                                                   "US,mine,standard,2\nUS,mine,fast,1\n"),
                                   rows("throughput", "country,regime,limit\nUS,fsat,3\n")),
         "tables/throughput.csv, line 2, column 'regime'",
         ("unknown regime 'fsat' for US", "did you mean 'fast'?")),
    Kind("emission-price-on-a-mineral", rows("emission_prices", "commodity,price\nore,5\n"),
         "tables/emission_prices.csv, line 2, column 'commodity'",
         ("'ore' is not an emission", "the model counts only emissions here")),
    # ------------------------------------------------ years against the horizon
    Kind("demand-year-typo", cell("demand", 2, "year", "20250"),
         "tables/demand.csv, line 2, column 'year'",
         ("year 20250 is not a year any model can have", "1900–2300")),
    Kind("tariff-end-year-typo", cell("tariffs", 2, "end_year", "20280"),
         "tables/tariffs.csv, line 2, column 'end_year'",
         ("year 20280 is not a year any model can have",)),
    Kind("tariff-between-model-years", both(toml_replace("step = 1", "step = 5"),
                                            cell("tariffs", 2, "start_year", "2026"),
                                            cell("tariffs", 2, "end_year", "2029")),
         "tables/tariffs.csv, line 2, column 'start_year'",
         ("years 2026–2029 hold no model year", "2025, 2030", "step 5")),
    # ------------------------------------------------ units
    Kind("unit-in-tonnes", cell("commodities", 2, "unit", "tonnes Li"),
         "tables/commodities.csv, line 2, column 'unit'",
         ("unit 'tonnes Li' of 'ore'", "1 tonnes Li is 0.001 kt Li", "write 'kt Li'")),
    Kind("unit-unknown", cell("commodities", 3, "unit", "ktt"),
         "tables/commodities.csv, line 3, column 'unit'",
         ("unit 'ktt' of 'metal'", "unknown unit 'ktt'", "did you mean 'kt'?")),
    Kind("unit-unknown-basis", cell("commodities", 2, "unit", "kt Lii"),
         "tables/commodities.csv, line 2, column 'unit'",
         ("unknown content basis 'Lii'", "did you mean 'Li'?")),
    Kind("unit-not-a-mass", cell("commodities", 2, "unit", "TWh"),
         "tables/commodities.csv, line 2, column 'unit'",
         ("a mineral is counted in kt", "'TWh' is not a mass")),
    Kind("negative-demand-in-its-unit", both(cell("commodities", 3, "unit", "kt Cu"),
                                             cell("demand", 2, "quantity", "-3")),
         "tables/demand.csv, line 2, column 'quantity'",
         ("expected a number ≥ 0, in kt Cu/yr, got -3",)),
    Kind("override-negative-demand-in-its-unit", both(
        cell("commodities", 3, "unit", "kt Cu"),
        toml_append(override("demand", 'commodity = "metal"', "quantity = -2"))),
         "case.toml, column 'set.quantity'",
         ("set.quantity: expected a number ≥ 0, in kt Cu/yr, got -2",)),
    # ------------------------------------------------ the case file
    Kind("toml-syntax", toml_replace('tables = "tables"', 'tables = "tables'),
         "case.toml, line 2, column 17", ("not valid TOML: unterminated string: the line ends "
                                          "inside quoted text",)),
    Kind("toml-unquoted-text", toml_replace('tables = "tables"', "tables = tables"),
         "case.toml, line 2, column 10", ("not valid TOML: invalid value",
                                          'text must be quoted')),
    Kind("option-typo", toml_replace("discount_rate = 0.05", "discount_rte = 0.05"),
         "case.toml, column 'options.discount_rte'",
         ("unknown setting (did you mean 'discount_rate'?)",
          "the settings here are discount_rate, unserved_penalty, allow_unserved")),
    Kind("option-out-of-range", toml_replace("discount_rate = 0.05", "discount_rate = 5"),
         "case.toml, column 'options.discount_rate'", ("must be at most 1, got 5",)),
    Kind("setting-typo", toml_prepend('extnds = "base.toml"\n'),
         "case.toml, column 'extnds'", ("unknown setting (did you mean 'extends'?)",)),
    Kind("years-setting-typo", toml_replace("start = 2025", "strat = 2025"),
         "case.toml, column 'years.strat'",
         ("unknown setting (did you mean 'start'?); the settings here are start, end, step",)),
    Kind("years-end-before-start", toml_replace("end = 2030", "end = 2020"),
         "case.toml, column 'years'", ("'years': end (2020) is before start (2025)",)),
    Kind("override-set-typo", toml_append(override("countries", 'country = "US"',
                                                   "cost_of_captial = 0.1")),
         "case.toml, column 'set.cost_of_captial'",
         ("unknown column (did you mean 'cost_of_capital'?)",)),
    Kind("override-table-typo", toml_append(override("contries", 'country = "US"',
                                                     "cost_of_capital = 0.1")),
         "case.toml, column 'table'", ("unknown table (did you mean 'countries'?)",)),
    Kind("override-where-value-typo", toml_append(override("processes", 'process = "smelterr"',
                                                           "capex = 5.0")),
         "case.toml, column 'where'",
         ("matches no row", "no row has process = 'smelterr' (did you mean 'smelter'?)")),
    Kind("add-column-typo", toml_append('[[add]]\ntable = "demand"\nrows = [{ region = "US-W",'
                                        ' comodity = "metal", sector = "grid", year = 2026,'
                                        ' quantity = 1 }]\n'),
         "case.toml, column 'rows.comodity'",
         ("unknown column 'comodity' (did you mean 'commodity'?)",)),
    Kind("table-file-typo", stray_file("disruption.csv", "exporter,commodity,limit\nCA,ore,0\n"),
         "tables/disruption.csv",
         ("not a table of the case (did you mean 'disruptions.csv'?)", "it is not read")),
]

#: pydantic's and Python's words that must never reach a user
LIBRARY_WORDING = ("Value error", "Input should be", "Field required", "validation error",
                   "Traceback", "pydantic", "TOMLDecodeError", "(at line", "unit/yr")


def test_at_least_fifteen_kinds():
    names = [k.kind for k in KINDS]
    assert len(names) == len(set(names)) and len(names) >= 15


def _squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.kind)
def test_cli_names_the_place_and_the_mistake(tmp_path, kind: Kind):
    case = write_base(tmp_path / "case")
    kind.edit(case)
    result = run_cli("validate", case)
    output = result.output
    assert result.exit_code == 2, output
    assert result.exception is None or isinstance(result.exception, SystemExit), output
    assert output.startswith("Invalid input (1 problem):"), output
    where = f"{(tmp_path / 'case').as_posix()}/{kind.where}:"
    assert _squeeze(where) in _squeeze(output), output
    for fragment in kind.says:
        assert _squeeze(fragment) in _squeeze(output), output
    for words in LIBRARY_WORDING:
        assert words not in output, output


def test_a_folder_as_case_lists_its_case_files(tmp_path):
    case = write_base(tmp_path / "case")
    (case.parent / "scenario.toml").write_text('extends = "case.toml"\n')
    for command in ("validate", "solve", "explain"):
        result = run_cli(command, case.parent)
        assert result.exit_code == 2, result.output
        assert "Traceback" not in result.output
        assert "case file not found" not in result.output
        assert _squeeze("is a folder, not a case file; the case files in it are case.toml, "
                        "scenario.toml") in _squeeze(result.output), result.output


def test_report_of_a_missing_plan_does_not_say_compare(tmp_path):
    result = run_cli("report", tmp_path / "nothing")
    assert result.exit_code == 2, result.output
    assert "Cannot compare" not in result.output
    assert "Traceback" not in result.output
    assert _squeeze("nothing: no such folder or file") in _squeeze(result.output), \
        result.output


def test_rows_between_model_years_are_reported_by_count_not_dropped_silently(tmp_path):
    """Step 5: model years 2025 and 2030, both given; 2026 and 2027 lie between given years
    with no model year in between, so no model year reads them: a warning with the count."""
    case = write_base(tmp_path / "case")
    toml_replace("step = 1", "step = 5")(case)
    cell("tariffs", 2, "start_year", "2025")(case)  # 2025–2028 holds model year 2025
    for year in (2026, 2027, 2030):
        add_row("demand", {"region": "US-W", "commodity": "metal", "sector": "grid",
                           "year": year, "quantity": 11})(case)
    result = run_cli("validate", case)
    assert result.exit_code == 0, result.output
    assert _squeeze("demand.csv: 2 rows between model years (step 5) not read, a model year "
                    "interpolating between the given years around it: years 2026, 2027 "
                    "(lines 3, 4)") in _squeeze(result.output), result.output


def test_rows_outside_the_horizon_that_no_model_year_reads_are_reported_by_count(tmp_path):
    """A case may shorten the horizon of shared data (a scenario with end = 2030 on tables to
    2050): rows beyond it that no model year reads are said with their count, years and
    lines — a warning, not an error, and never silent."""
    case = write_base(tmp_path / "case")
    for year, quantity in ((2030, 12), (2040, 20), (2050, 30)):
        add_row("demand", {"region": "US-W", "commodity": "metal", "sector": "grid",
                           "year": year, "quantity": quantity})(case)
    table_text("world_market", "region,commodity,year,price\nCA-E,ore,2020,3\n"
                               "CA-E,ore,2025,4\n")(case)
    result = run_cli("validate", case)
    assert result.exit_code == 0, result.output
    squeezed = _squeeze(result.output)
    assert _squeeze("demand.csv: 2 rows outside the horizon 2025–2030 not read by any model "
                    "year") in squeezed, result.output
    assert _squeeze("years 2040, 2050 (lines 4, 5)") in squeezed, result.output
    assert _squeeze("world_market.csv: 1 row outside the horizon 2025–2030 not read by any "
                    "model year") in squeezed, result.output
    assert _squeeze("year 2020 (line 2)") in squeezed, result.output


def test_a_row_beyond_the_horizon_that_interpolation_reads_is_a_warning(tmp_path):
    case = write_base(tmp_path / "case")
    add_row("demand", {"region": "US-W", "commodity": "metal", "sector": "grid",
                       "year": 2040, "quantity": 20})(case)
    result = run_cli("validate", case)
    assert result.exit_code == 0, result.output
    assert _squeeze("demand.csv: 1 row outside the horizon 2025–2030, read only to "
                    "interpolate into it: year 2040 (line 3)") in _squeeze(result.output), \
        result.output


@pytest.mark.parametrize("case", sorted((ROOT / "cases").glob("*.toml")),
                         ids=lambda path: path.stem)
def test_every_bundled_case_validates_without_warnings(case):
    result = run_cli("validate", case)
    assert result.exit_code == 0, result.output
    assert "valid" in result.output and "warning" not in result.output, result.output
