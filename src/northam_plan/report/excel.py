"""The comparison as an Excel workbook: one sheet per topic, the same rows and numbers as
``comparison.csv``.

Each sheet: row 1 says what the sheet holds and how differences are taken, row 2 names the
columns (both rows frozen); a value column is headed by its scenario and, when every row of
the sheet has the same unit, that unit in brackets (otherwise a ``unit`` column gives each
row's unit); differences from the base have their own columns, ``<scenario> - <base>``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from northam_plan.report.metrics import KEYS, TOPICS, Comparison

HEADER_FILL = PatternFill("solid", fgColor="DDE5F0")
DIFF_FILL = PatternFill("solid", fgColor="FFF4DD")
NUMBER_FORMAT = "#,##0.000"
KEY_HEADERS = {"from": "from (country)", "to": "to (country)", "sector": "sector (family)",
               "regime": "regime / source"}


def sheet_frame(comparison: Comparison, topic: str) -> tuple[pd.DataFrame, dict[str, str]]:
    """The rows of one sheet (columns that are empty throughout left out) and the header text
    of each column."""
    frame = comparison.topic(topic).drop(columns="topic")
    keys = [k for k in KEYS if k in frame and not _empty(frame[k])]
    notes = [comparison.note_column(s) for s in comparison.scenarios
             if not _empty(frame[comparison.note_column(s)])]
    diffs = [comparison.diff_column(s) for s in comparison.others]
    units = set(frame["unit"])
    uniform = len(units) == 1 and "" not in units
    columns = keys + ([] if uniform else ["unit"]) + comparison.scenarios + diffs + notes
    suffix = f" [{next(iter(units))}]" if uniform else " [see unit]"
    headers = {c: KEY_HEADERS.get(c, c) for c in keys}
    headers["unit"] = "unit"
    headers.update({c: c + suffix for c in comparison.scenarios + diffs})
    headers.update({c: c for c in notes})
    return frame[columns], headers


def _empty(series: pd.Series) -> bool:
    return bool(series.isna().all() or (series.astype(str) == "").all())


def write_workbook(comparison: Comparison, path: Path) -> Path:
    book = Workbook()
    default = book.active  # the empty sheet a new workbook has (typed: or None)
    if default is not None:
        book.remove(default)
    for topic, description in TOPICS.items():
        frame, headers = sheet_frame(comparison, topic)
        sheet = book.create_sheet(topic)
        if comparison.others:
            how = (f"Differences = scenario − base ({comparison.base}), in the row's unit "
                   "(percentage points for %).")
        else:
            how = f"Scenario: {comparison.base}."
        sheet.cell(row=1, column=1, value=f"{description}. {how}").font = Font(bold=True)
        value_columns = set(comparison.scenarios) | {comparison.diff_column(s)
                                                      for s in comparison.others}
        diff_columns = {comparison.diff_column(s) for s in comparison.others}
        for j, column in enumerate(frame.columns, start=1):
            cell = sheet.cell(row=2, column=j, value=headers[column])
            cell.font = Font(bold=True)
            cell.fill = DIFF_FILL if column in diff_columns else HEADER_FILL
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        for i, row in enumerate(frame.itertuples(index=False, name=None), start=3):
            for j, (column, value) in enumerate(zip(frame.columns, row), start=1):
                cell = sheet.cell(row=i, column=j, value=_cell(value))
                if column in value_columns:
                    cell.number_format = NUMBER_FORMAT
        sheet.freeze_panes = "A3"
        sheet.row_dimensions[2].height = 32
        for j, column in enumerate(frame.columns, start=1):
            sheet.column_dimensions[get_column_letter(j)].width = _width(
                headers[column], frame[column], column in value_columns)
        if len(frame):
            sheet.auto_filter.ref = f"A2:{get_column_letter(len(frame.columns))}{len(frame) + 2}"
    book.save(path)
    return path


def _cell(value):
    if value is None or value is pd.NA:
        return None
    if isinstance(value, (float, np.floating)):
        return None if np.isnan(value) else float(value)
    if isinstance(value, (np.integer,)):
        return int(value)
    return value


def _width(header: str, values: pd.Series, numeric: bool) -> float:
    if numeric:
        finite = pd.to_numeric(values, errors="coerce").abs().replace(np.inf, np.nan).dropna()
        longest = len(f"{finite.max():,.3f}") + 2 if len(finite) else 6
    else:
        longest = int(values.astype(str).str.len().max()) if len(values) else 4
    return float(min(max(longest, min(len(header), 22), 6) + 2, 60))
