"""Every table of a plan inside its dataset, so that ``plan.nc`` holds every number the CSV
tables hold (energy results, security, passport and all).

The tables are packed into three variables, so that opening ``plan.nc`` stays as quick as it
was (netCDF pays per variable, not per number):

* ``tables_numbers`` — every number of every table (float64; integers such as years are exact;
  an empty cell is NaN), column after column;
* ``tables_text_code`` — every text cell, as its position in ``tables_strings`` (the distinct
  texts);
* the attribute ``layout`` of ``tables_numbers``: JSON, per table its row count and its
  columns in order, each with its kind (``number`` or ``text``) and where its cells start.

A table read back and written as CSV is the same file::

    import xarray as xr
    from northam_plan.plan.table_arrays import table_from_dataset
    ds = xr.open_dataset("results/reference/plan.nc")
    generation = table_from_dataset(ds, "generation")      # = tables/generation.csv

The labelled arrays (``act``, ``flow``, ``generation`` …) are the ones to compute with;
comparisons leave the packed tables out (:func:`without_tables`).
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import xarray as xr

TABLE_VARIABLES = ("tables_numbers", "tables_text_code", "tables_strings")


def table_arrays(tables: dict[str, pd.DataFrame]) -> dict[str, xr.DataArray]:
    """The three variables that hold ``tables`` (see the module's docstring)."""
    numbers: list[np.ndarray] = []
    texts: list[np.ndarray] = []
    layout: dict = {}
    n_numbers = n_texts = 0
    for name, frame in tables.items():
        columns = []
        for column in frame.columns:
            values = frame[column]
            if pd.api.types.is_bool_dtype(values) or pd.api.types.is_numeric_dtype(values):
                columns.append([str(column), "number", n_numbers])
                data = pd.to_numeric(values, errors="coerce").astype("float64").to_numpy()
                numbers.append(data)
                n_numbers += len(data)
            else:
                columns.append([str(column), "text", n_texts])
                cells = values.to_numpy(dtype=object, na_value="")
                texts.append(cells if pd.api.types.is_string_dtype(values) else
                             np.array([str(v) for v in cells], dtype=object))
                n_texts += len(cells)
        layout[name] = {"rows": len(frame), "columns": columns}
    if n_texts:  # the distinct texts, sorted, and each cell's position among them
        codes, strings = pd.factorize(np.concatenate(texts), sort=True)
    else:
        codes, strings = np.array([], dtype=np.int64), np.array([], dtype=object)
    out = {
        "tables_numbers": xr.DataArray(np.concatenate(numbers) if numbers else np.zeros(0),
                                       dims=["tables_number"]),
        "tables_text_code": xr.DataArray(codes.astype(np.int32), dims=["tables_text"]),
        "tables_strings": xr.DataArray(strings.astype(object), dims=["tables_string"]),
    }
    out["tables_numbers"].attrs = {"layout": json.dumps(layout), "unit": "as in each table"}
    out["tables_strings"].encoding = {"dtype": "S1"}  # UTF-8 characters
    return out


def _layout(dataset: xr.Dataset) -> dict:
    if "tables_numbers" not in dataset:
        return {}
    return json.loads(dataset["tables_numbers"].attrs["layout"])


def table_names(dataset: xr.Dataset) -> list[str]:
    """Names of the tables held in ``dataset``."""
    return list(_layout(dataset))


def table_from_dataset(dataset: xr.Dataset, name: str) -> pd.DataFrame:
    """Table ``name`` as it was written to ``tables/<name>.csv``."""
    layout = _layout(dataset)
    if name not in layout:
        raise KeyError(f"no table '{name}' in the dataset; it has: "
                       f"{', '.join(layout) or 'none'}")
    rows = layout[name]["rows"]
    numbers = dataset["tables_numbers"].values
    codes = dataset["tables_text_code"].values
    strings = np.asarray(dataset["tables_strings"].values, dtype=object)
    frame = {}
    for column, kind, start in layout[name]["columns"]:
        if kind == "number":
            frame[column] = numbers[start:start + rows]
        else:
            frame[column] = strings[codes[start:start + rows]] if rows else \
                np.array([], dtype=object)
    return pd.DataFrame(frame, columns=[c for c, *_ in layout[name]["columns"]])


def without_tables(dataset: xr.Dataset) -> xr.Dataset:
    """``dataset`` without the packed tables (and their dimensions)."""
    names = [n for n in TABLE_VARIABLES if n in dataset.variables]
    return dataset.drop_vars(names) if names else dataset
