"""Keys as an index and a Series on named levels as a labelled array, without the general
machinery of pandas and xarray.

``xarray.DataArray.from_series`` goes through a temporary Dataset; on the reference plan's ~40
arrays that was a fifth of extracting the plan. :func:`labelled` gives the same array — the
levels of the Series' MultiIndex (after dropping unused values) are the coordinates, NaN where
the Series has no row — by placing the values at their level codes.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr

__all__ = ["key_index", "labelled"]


def key_index(keys: list, dims: tuple[str, ...]) -> pd.Index:
    """``pd.MultiIndex.from_tuples(keys, names=dims)`` (a plain Index for one dimension), the
    same index built from each level's sorted distinct values and codes: 2.5x faster on the
    plan's ~20 families of variables and constraints."""
    if len(dims) == 1:
        return pd.Index(keys, name=dims[0])
    if not keys:
        return pd.MultiIndex.from_tuples(keys, names=dims)
    levels: list = []
    codes: list = []
    for column in zip(*keys):
        values = np.array(column, dtype=object) if isinstance(column[0], str) else \
            np.asarray(column)
        code, level = pd.factorize(values, sort=True)
        codes.append(code)
        levels.append(level)
    return pd.MultiIndex(levels=levels, codes=codes, names=dims, verify_integrity=False)


def labelled(series: pd.Series) -> xr.DataArray:
    """``xr.DataArray.from_series(series)``, the same array, faster for a MultiIndex."""
    index = series.index
    if not isinstance(index, pd.MultiIndex) or series.dtype.kind != "f":
        return xr.DataArray.from_series(series)  # (the plan's arrays are float, on keys)
    index = index.remove_unused_levels()
    if not index.is_unique:
        raise ValueError("cannot convert a Series with a non-unique MultiIndex into xarray")
    shape = tuple(len(level) for level in index.levels)
    values = series.to_numpy()
    data = np.full(shape, np.nan, dtype=values.dtype)  # NaN where the Series has no row
    data[tuple(index.codes)] = values
    dims = [str(name) for name in index.names]
    return xr.DataArray(data, coords={dim: level for dim, level in zip(dims, index.levels)},
                        dims=dims, name=series.name)
