"""Every table of a plan inside its dataset, so that ``plan.nc`` holds every number the CSV
tables hold (energy results, security, passport and all).

Table ``T`` with columns ``c1 … cn`` becomes the variables ``T__c1 … T__cn`` on one dimension
``T__row`` (a row per table row, in the table's order), each with the attributes ``table``,
``column`` and ``position``. Text columns are stored as text, integer and float columns as
float64 (an empty cell is NaN), so a table read back and written as CSV is the same file::

    import xarray as xr
    from northam_plan.plan.table_arrays import table_from_dataset
    ds = xr.open_dataset("results/reference/plan.nc", engine="h5netcdf")
    generation = table_from_dataset(ds, "generation")      # = tables/generation.csv

The labelled arrays (``act``, ``flow``, ``generation`` …) are the ones to compute with; the
``T__`` variables are the tables as written, and comparisons leave them out
(:func:`without_tables`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr

SEPARATOR = "__"


def table_arrays(tables: dict[str, pd.DataFrame]) -> dict[str, xr.DataArray]:
    """The variables of every table (see the module's docstring)."""
    out = {}
    for name, frame in tables.items():
        row = f"{name}{SEPARATOR}row"
        for position, column in enumerate(frame.columns):
            values = frame[column]
            if pd.api.types.is_bool_dtype(values) or pd.api.types.is_numeric_dtype(values):
                data = pd.to_numeric(values, errors="coerce").astype("float64").to_numpy()
                encoding = {"zlib": True}
            else:
                data = np.array(["" if pd.isna(v) else str(v) for v in values], dtype=object)
                encoding = {"dtype": "S1", "zlib": True}  # compressed UTF-8 characters
            array = xr.DataArray(data, dims=[row])
            array.attrs = {"table": name, "column": str(column), "position": position}
            array.encoding = encoding
            out[f"{name}{SEPARATOR}{column}"] = array
    return out


def table_names(dataset: xr.Dataset) -> list[str]:
    """Names of the tables held in ``dataset``."""
    return list(dict.fromkeys(a.attrs["table"] for a in dataset.data_vars.values()
                              if "table" in a.attrs))


def table_from_dataset(dataset: xr.Dataset, name: str) -> pd.DataFrame:
    """Table ``name`` as it was written to ``tables/<name>.csv``."""
    arrays = sorted((a for a in dataset.data_vars.values() if a.attrs.get("table") == name),
                    key=lambda a: int(a.attrs["position"]))
    if not arrays:
        raise KeyError(f"no table '{name}' in the dataset; it has: "
                       f"{', '.join(table_names(dataset)) or 'none'}")
    return pd.DataFrame({a.attrs["column"]: a.values for a in arrays})


def without_tables(dataset: xr.Dataset) -> xr.Dataset:
    """``dataset`` without the table variables (and their row dimensions)."""
    names = [n for n, a in dataset.data_vars.items() if "table" in a.attrs]
    return dataset.drop_vars(names) if names else dataset
