"""Typed single values out of Polars columns: the value itself, or a clear error instead of a wrong type."""

from __future__ import annotations

from datetime import date, datetime

import polars as pl
import pytest

from leadfunnel.frame_values import as_date, as_datetime, as_number, as_optional_number


def test_values_of_columns_come_back_typed():
    assert as_date(pl.Series([date(2026, 3, 1), date(2026, 1, 5)]).min()) == date(2026, 1, 5)
    assert as_datetime(pl.Series([datetime(2026, 3, 1, 9)]).max()) == datetime(2026, 3, 1, 9)
    assert as_number(pl.Series([1, 2, 4]).median()) == 2.0
    assert as_optional_number(pl.Series([], dtype=pl.Float64).max()) is None


@pytest.mark.parametrize(("read", "value"), [(as_date, None), (as_datetime, date(2026, 1, 1)), (as_number, "3"),
                                             (as_optional_number, "x")])
def test_a_value_of_the_wrong_kind_is_an_error(read, value):
    with pytest.raises(TypeError, match="expected"):
        read(value)
