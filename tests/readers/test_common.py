"""Number text and column naming shared by the readers."""

from __future__ import annotations

import pytest

from portcheck.readers._common import column_names, number_text


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (3388926000000166021.0, "3388926000000166000"),  # a 19-digit ID after a trip through a double
        (1e16, "10000000000000000"),
        (1234.5, "1234.5"),
        (1.0, "1"),
        (0.1, "0.1"),
        (0.1 + 0.2, "0.30000000000000004"),  # what the cell really holds, not what Excel displays
        (1e-7, "0.0000001"),
        (-0.0, "0"),
        (-42.25, "-42.25"),
        (7, "7"),
        (True, "TRUE"),
    ],
)
def test_number_text_is_the_shortest_round_trip_decimal_without_exponent(value, text):
    assert number_text(value) == text
    if isinstance(value, float):
        assert float(text) == value


def test_column_names_are_unique_and_empty_names_are_numbered():
    assert column_names(["a", "a", "", "a.2", None, "col_3"]) == [
        "a",
        "a.2",
        "col_3",
        "a.2.2",
        "col_5",
        "col_3.2",
    ]
