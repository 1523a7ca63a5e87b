"""Iterating over a plan's tables, typed for the type checker (mypy, issue 17).

pandas-stubs types the key of ``Series.items()`` and of a groupby's groups as ``Hashable``,
so a key of several levels cannot be unpacked into its parts (``for (c, t), value in
by.items()``) nor a part passed on as the ``str`` or ``int`` it is, and each field of a row of
``DataFrame.itertuples()`` as the union of every scalar pandas knows, so no field can be passed
on as the ``str`` or ``int`` the plan's columns hold. These give the same iteration, the same
objects, with the keys and fields typed ``Any``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pandas as pd

if TYPE_CHECKING:
    from pandas.api.typing import DataFrameGroupBy


def items_of(series: pd.Series) -> Iterator[tuple[Any, Any]]:
    """``series.items()``: (key, value), a key of a MultiIndex a tuple of its levels."""
    return series.items()


def groups_of(grouped: DataFrameGroupBy) -> Iterator[tuple[Any, pd.DataFrame]]:
    """``iter(frame.groupby(keys))``: (key, rows), a key of several columns a tuple."""
    return iter(grouped)


def records(frame: pd.DataFrame) -> Iterator[Any]:
    """``frame.itertuples(index=False)``: each row a named tuple of the frame's columns."""
    return frame.itertuples(index=False)
