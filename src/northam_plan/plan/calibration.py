"""Calibration: a plan's base year against the observed world, figure by figure.

Observed figures live in CSV files (every ``*.csv`` of a folder; by default the folder
``calibration/`` beside the case's tables folder, e.g. ``data/calibration`` for
``data/reference``), one figure per row:

``topic, item, country, partner, year, unit, observed, tolerance, tolerance_kind, source``

and, optionally, ``known_gap``: why the model does not reproduce this figure yet (a
resolution it lacks, data it does not hold), written where a figure is known to miss. A
known gap is still compared, shown and counted like every figure; it only tells the verdict
that the miss is understood (:func:`unexplained`).

The model's figure is read from the plan's tables in the case's **first model year** (the base
year; the observed ``year`` says which year the figure describes), in the model's units:

=====================  ======================================================================
topic                  model figure
=====================  ======================================================================
mine_production,       output (activity) of the processes whose main output is ``item`` (a
refined_production     commodity), summed over the regions of ``country`` (unit/yr)
capacity               capacity of process ``item`` in the regions of ``country`` (unit/yr)
import_share           % of what regions of ``country`` receive of commodity ``item`` from
                       other countries that comes from regions of ``partner`` (flows shipped)
price                  price of ``item`` (dual of its balance, M$/unit of that year), mean
                       over the regions of ``country``
import_unit_value      free-on-board value of what regions of ``country`` import of ``item``
                       from other countries: the price of ``item`` in each exporting region,
                       weighted by the quantity shipped (M$/unit) — the model's side of a
                       customs "unit value of imports at foreign ports", before freight and
                       duties
generation             electricity from process ``item`` (or ``a+b``, ``gas`` = gas_cc+gas_ct,
                       ``total`` = every power process but storage) in ``country``, summed
                       over the time slices (TWh)
electricity_trade      what regions of ``country`` ship of ``item`` (e.g. elec) to regions of
                       ``partner`` over the interties, summed over slices (TWh)
=====================  ======================================================================

Deviation: ``(model − observed) / observed`` when ``tolerance_kind`` is ``relative``, ``model −
observed`` (in the row's unit, e.g. percentage points) when ``absolute``; a figure is within
tolerance when ``|deviation| ≤ tolerance``. A figure the plan cannot give (no imports to take a
share of, a process absent) has no model value and is not within tolerance.

Verdict (the exit code of ``northam-plan calibrate``): the calibration holds when every figure
is within tolerance or documents its known gap; ``--strict`` asks for every figure within.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from northam_plan.errors import ProblemList
from northam_plan.plan.frames import records

TOPICS = ("mine_production", "refined_production", "capacity", "import_share", "price",
          "import_unit_value", "generation", "electricity_trade")
COLUMNS = ("topic", "item", "country", "partner", "year", "unit", "observed", "tolerance",
           "tolerance_kind", "source")
NEEDS_PARTNER = ("import_share", "electricity_trade")
KINDS = ("relative", "absolute")
GROUPS = {"gas": ("gas_cc", "gas_ct")}  # generation items that name several processes
FLOAT_FORMAT = "%.10g"
GAP = "known_gap"  # optional column: why a figure is known to miss
OUTPUT = ("topic", "item", "country", "partner", "year", "unit", "model", "observed",
          "tolerance", "tolerance_kind", "deviation", "within", GAP, "source")


def default_folder(case) -> Path:
    """``calibration/`` beside the case's tables folder."""
    return Path(case.tables_dir).parent / "calibration"


def read_observed(folder: Path | str, case) -> pd.DataFrame:
    """Every observed figure of the CSV files in ``folder``, checked against the case.

    Raises :class:`~northam_plan.errors.CaseError` naming file, line and column of every bad
    cell: unknown topic, country, commodity or process, a number that is not one, a missing
    partner, a tolerance kind other than relative/absolute, a relative figure observed as 0.
    """
    folder = Path(folder)
    problems = ProblemList()
    if not folder.is_dir():
        problems.add(folder, "no folder of observed figures here (give one with --observed)")
        problems.raise_if_any()
    files = sorted(folder.glob("*.csv"))
    if not files:
        problems.add(folder, "no CSV file of observed figures in this folder")
    frames = []
    known = _known_codes(case)
    for path in files:
        try:
            frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        except Exception as err:  # noqa: BLE001 - any unreadable file is reported, not raised
            problems.add(path, f"cannot be read as CSV ({err})")
            continue
        missing = [c for c in COLUMNS if c not in frame.columns]
        if missing:
            problems.add(path, f"missing column(s) {', '.join(missing)}; expected the header "
                               f"{','.join(COLUMNS)}", line=1)
            continue
        if GAP not in frame.columns:
            frame[GAP] = ""
        frame = frame[[*COLUMNS, GAP]].apply(lambda column: column.str.strip())
        frame["file"], frame["line"] = path.name, np.arange(2, len(frame) + 2)
        frames.append(_checked(frame, path, known, problems))
    problems.raise_if_any()
    return pd.concat(frames, ignore_index=True)


def _known_codes(case) -> dict[str, set[str]]:
    processes = case.tables["processes"]
    power = set(processes.loc[processes["family"] == "power", "process"])
    return {"country": set(case.tables["countries"]["country"]),
            "commodity": set(case.tables["commodities"]["commodity"]),
            "process": set(processes["process"]), "power": power}


def _checked(frame: pd.DataFrame, path: Path, known, problems: ProblemList) -> pd.DataFrame:
    for row in records(frame):
        line = row.line
        if row.topic not in TOPICS:
            problems.add(path, f"unknown topic '{row.topic}'; expected one of "
                               f"{', '.join(TOPICS)}", line, "topic")
            continue
        for column in ("country", *(("partner",) if row.topic in NEEDS_PARTNER else ())):
            value = getattr(row, column)
            if value not in known["country"]:
                problems.add(path, f"unknown country '{value}'" if value else
                             f"a {row.topic} figure needs a {column}", line, column)
        expected = _item_problem(row.topic, row.item, known)
        if expected:
            problems.add(path, expected, line, "item")
        for column in ("year", "observed", "tolerance"):
            number = pd.to_numeric(getattr(row, column), errors="coerce")
            if pd.isna(number) or (column != "observed" and number < 0):
                problems.add(path, f"expected a{' non-negative' if column != 'observed' else ''}"
                                   f" number, got '{getattr(row, column)}'", line, column)
        if row.tolerance_kind not in KINDS:
            problems.add(path, f"expected relative or absolute, got '{row.tolerance_kind}'",
                         line, "tolerance_kind")
        elif row.tolerance_kind == "relative" and \
                pd.to_numeric(row.observed, errors="coerce") == 0:
            problems.add(path, "a figure observed as 0 cannot have a relative tolerance; use "
                               "absolute", line, "tolerance_kind")
        if not row.source:
            problems.add(path, "every observed figure needs its source", line, "source")
    frame["year"] = pd.to_numeric(frame["year"], errors="coerce").astype("Int64")
    for column in ("observed", "tolerance"):
        frame[column] = pd.to_numeric(frame[column], errors="coerce")
    return frame


def _item_problem(topic: str, item: str, known) -> str | None:
    if topic in ("mine_production", "refined_production", "import_share", "price",
                 "import_unit_value", "electricity_trade"):
        return None if item in known["commodity"] else f"unknown commodity '{item}'"
    if topic == "capacity":
        return None if item in known["process"] else f"unknown process '{item}'"
    if item == "total":
        return None
    unknown = [p for p in _processes_of(item) if p not in known["power"]]
    return f"unknown power process '{unknown[0]}' (or give 'total', 'gas' or 'a+b')" \
        if unknown else None


def _processes_of(item: str) -> tuple[str, ...]:
    return GROUPS.get(item, tuple(item.split("+")))


def calibrate(tables: Mapping[str, pd.DataFrame], case, observed: pd.DataFrame) -> pd.DataFrame:
    """Model against observed for every figure (columns :data:`OUTPUT`), in observed order."""
    if any("scenario" in frame.columns for frame in tables.values()):
        raise ValueError("calibration compares a deterministic plan; this one has disruption "
                         "scenarios (solve its base case instead)")
    model = _ModelFigures(tables, case)
    rows = observed.copy()
    rows[GAP] = rows[GAP].fillna("").astype(str) if GAP in rows.columns else ""
    rows["model"] = [model.figure(r.topic, r.item, r.country, r.partner)
                     for r in records(observed)]
    relative = rows["tolerance_kind"] == "relative"
    difference = rows["model"] - rows["observed"]
    rows["deviation"] = np.where(relative, difference / rows["observed"].abs(), difference)
    rows["within"] = (rows["deviation"].abs() <= rows["tolerance"] + 1e-9) & \
        rows["model"].notna()
    return rows[list(OUTPUT)].reset_index(drop=True)


class _ModelFigures:
    """The plan's figures in the base year, per topic."""

    def __init__(self, tables: Mapping[str, pd.DataFrame], case):
        self.tables, self.year = tables, case.years[0]
        self.country_of = dict(case.countries_of_regions)
        processes = case.tables["processes"]
        self.main_output = dict(zip(processes["process"], processes["main_output"]))
        self.power = set(processes.loc[processes["family"] == "power", "process"])
        io = case.tables["process_io"]
        stores = {p for p, c, side in io[["process", "commodity", "side"]].itertuples(
            index=False) if side == "input" and self.main_output.get(p) == c}
        self.generators = self.power - stores  # storage gives back what it took in

    def _base(self, name: str) -> pd.DataFrame:
        frame = self.tables.get(name)
        if frame is None or frame.empty or "year" not in frame:
            return pd.DataFrame()
        return frame[frame["year"] == self.year]

    def figure(self, topic: str, item: str, country: str, partner: str) -> float:
        if topic in ("mine_production", "refined_production", "capacity"):
            activity = self._base("activity")
            if activity.empty:
                return 0.0
            mine = activity["country"] == country
            if topic == "capacity":
                return float(activity.loc[mine & (activity["process"] == item),
                                          "capacity"].sum())
            makes = activity["process"].map(self.main_output) == item
            return float(activity.loc[mine & makes, "activity"].sum())
        if topic == "import_share":
            return self._import_share(item, country, partner)
        if topic == "import_unit_value":
            return self._import_unit_value(item, country)
        if topic == "price":
            prices = self._base("prices")
            if prices.empty:
                return np.nan
            here = prices[(prices["commodity"] == item)
                          & (prices["region"].map(self.country_of) == country)]
            return float(here["price"].mean()) if len(here) else np.nan
        if topic == "generation":
            generation = self._base("generation")
            if generation.empty:
                return 0.0
            processes = self.generators if item == "total" else set(_processes_of(item))
            return float(generation.loc[(generation["country"] == country)
                                        & generation["process"].isin(processes),
                                        "output"].sum())
        return self._trade(item, country, partner)

    def _imports(self, item: str, country: str) -> pd.DataFrame:
        """Flows of ``item`` into ``country`` from other countries, with an ``origin`` column."""
        flows = self._base("flows")
        if flows.empty:
            return flows
        origin, destination = (flows[c].map(self.country_of) for c in ("from", "to"))
        return flows.assign(origin=origin)[(flows["commodity"] == item)
                                           & (destination == country) & (origin != country)]

    def _import_share(self, item: str, country: str, partner: str) -> float:
        imports = self._imports(item, country)
        total = imports["quantity"].sum() if len(imports) else 0.0
        if total <= 0:
            return np.nan
        return float(100.0 * imports.loc[imports["origin"] == partner, "quantity"].sum()
                     / total)

    def _import_unit_value(self, item: str, country: str) -> float:
        imports, prices = self._imports(item, country), self._base("prices")
        if imports.empty or prices.empty or imports["quantity"].sum() <= 0:
            return np.nan
        at_origin = imports.merge(prices.rename(columns={"region": "from"}),
                                  on=["from", "commodity", "year"], how="left")
        if at_origin["price"].isna().any():
            return np.nan
        return float((at_origin["quantity"] * at_origin["price"]).sum()
                     / at_origin["quantity"].sum())

    def _trade(self, item: str, country: str, partner: str) -> float:
        interties = self._base("interties")
        if interties.empty:
            return 0.0
        origin, destination = (interties[c].map(self.country_of) for c in ("from", "to"))
        return float(interties.loc[(interties["commodity"] == item) & (origin == country)
                                   & (destination == partner), "quantity"].sum())


def _unit(row) -> str:
    return "pp" if row.unit.strip() == "%" else row.unit


def deviation_text(row) -> str:
    """'+12.3 %' (relative) or '+4.0 pp' (absolute, in the row's unit); 'no model figure'."""
    if pd.isna(row.deviation):
        return "no model figure"
    relative = row.tolerance_kind == "relative"
    value = round(100 * row.deviation if relative else row.deviation, 1)
    text = f"{value:+.1f}" if value else "0.0"  # no '-0.0' from solver noise
    return f"{text} {'%' if relative else _unit(row)}"


def tolerance_text(row) -> str:
    """'± 10 %' or '± 10 pp'."""
    if row.tolerance_kind == "relative":
        return f"± {100 * row.tolerance:.0f} %"
    return f"± {row.tolerance:g} {_unit(row)}"


def unexplained(rows: pd.DataFrame) -> pd.Series:
    """The figures outside tolerance without a known gap (True where so)."""
    return ~rows["within"] & (rows[GAP].str.strip() == "")


def closed_gaps(rows: pd.DataFrame) -> pd.Series:
    """Figures documented as known gaps that are now within tolerance (their note can go)."""
    return rows["within"] & (rows[GAP].str.strip() != "")


def summary_line(rows: pd.DataFrame) -> str:
    """'41 of 44 figures within tolerance (outside: price 2, import_share 1; 2 of them known
    gaps)'."""
    within = int(rows["within"].sum())
    text = f"{within} of {len(rows)} figures within tolerance"
    missed = rows.loc[~rows["within"], "topic"].value_counts()
    if len(missed):
        text += " (outside: " + ", ".join(f"{topic} {n}" for topic, n in missed.items())
        gaps = int((~rows["within"]).sum() - unexplained(rows).sum())
        if gaps:
            text += f"; {'all' if gaps == len(rows) - within else gaps} of them known gaps"
        text += ")"
    return text
