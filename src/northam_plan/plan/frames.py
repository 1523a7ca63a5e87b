"""Iterating over a plan's tables, typed for the type checker (mypy, issue 17).

pandas-stubs types the key of ``Series.items()`` as ``Hashable``, so a key of a MultiIndex
cannot be unpacked into its parts (``for (c, t), value in by.items()``), and each field of a
row of ``DataFrame.itertuples()`` as the union of every scalar pandas knows, so no field can be
passed on as the ``str`` or ``int`` the plan's columns hold. These give the same iteration, the
same objects, with the keys and fields typed ``Any``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pandas as pd


def items_of(series: pd.Series) -> Iterator[tuple[Any, Any]]:
    """``series.items()``: (key, value), a key of a MultiIndex a tuple of its levels."""
    return series.items()


def records(frame: pd.DataFrame) -> Iterator[Any]:
    """``frame.itertuples(index=False)``: each row a named tuple of the frame's columns."""
    return frame.itertuples(index=False)
