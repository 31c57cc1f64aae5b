"""Date and instant validity flags read the common ISO forms by position: the same verdicts as the shape
regexes plus the calendar check on every value (the oracle), and the profile's ISO test agrees with its
regex on the forms it reads by position."""

from __future__ import annotations

import random

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from portcheck.checks import rules
from portcheck.profiles import convert


def oracle(values: pa.Array, shape: str) -> list:
    ok = rules._calendar_ok(values, pc.fill_null(pc.match_substring_regex(values, shape), False))
    return rules._flag(values, ok).to_pylist()


def samples(rng: random.Random, n: int = 4000) -> list:
    out = []
    for _ in range(n):
        y, mo, d = rng.choice([2024, 2023, 1900, 2000, 1]), rng.randint(0, 13), rng.randint(0, 32)
        h, mi, s = rng.randint(0, 25), rng.randint(0, 61), rng.randint(0, 61)
        date = f"{y:04d}-{mo:02d}-{d:02d}"
        time = f"{h:02d}:{mi:02d}:{s:02d}"
        tz = rng.choice(["", "Z", "z", "+08:00", "-05:30", "+0800", "+24:00", "+08:60", "+08", " Z", "+8:00"])
        sep = rng.choice(["T", "t", " ", "_", "T"])
        v = rng.choice([date, date + sep + time + tz, date + sep + time, date + sep + time[:5] + tz,
                        date + sep + time + ".123" + tz, " " + date, date + " ", date.replace("-", "/"),
                        "２０２４-03-01", "2024-3-1", "", None, "abcd-ef-gh", date + sep + time + tz + "x"])
        out.append(v)
    return out


@pytest.mark.parametrize("seed", range(3))
def test_instant_and_date_flags_equal_the_shape_regex_and_calendar(seed):
    values = pa.array(samples(random.Random(seed)), pa.string())
    assert rules.instant_flags(values).to_pylist() == oracle(values, rules._INSTANT_SHAPE)
    assert rules.date_flags(values).to_pylist() == oracle(values, rules._DATE_SHAPE)


def test_profile_iso_forms_read_by_position_match_the_iso_regex():
    values = pa.array(samples(random.Random(9)), pa.string())
    fixed, _ = convert.iso_fixed(values)
    regex = pc.fill_null(pc.match_substring_regex(values, convert.ISO_RE), False).to_pylist()
    assert all(r for f, r in zip(fixed.tolist(), regex, strict=True) if f)
    assert sum(fixed) > 500
