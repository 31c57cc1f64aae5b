"""Date-times read by position over the bytes (cells.instants_us) name the moment normalize.instant names.

Every layout the positional reader knows (fractions of 0-9 digits, Z/z, ±hhmm, ±hh:mm, 'T' or a space),
with values out of range, a wrong byte in each position, odd offsets and the years Python cannot shift;
normalize.instant is the oracle.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime

import numpy as np
import pyarrow as pa
import pytest

from portcheck.compare import normalize as nz
from portcheck.compare.cells import _iso_by_position, instants_us

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _values(rnd: random.Random, n: int) -> list[str]:
    def pick(good: int, *odd: int) -> int:
        return rnd.choice(odd) if rnd.random() < 0.05 else good

    out = []
    for _ in range(n):
        y = pick(rnd.randint(1900, 2100), 1, 9999, 2000, 1900)
        mo, d = pick(rnd.randint(1, 12), 0, 13, 2), pick(rnd.randint(1, 28), 29, 30, 31, 0, 32)
        h, mi, s = pick(rnd.randint(0, 23), 24), pick(rnd.randint(0, 59), 60), pick(rnd.randint(0, 59), 60)
        frac = rnd.randint(0, 9)
        text = f"{y:04d}-{mo:02d}-{d:02d}{rnd.choice('T ')}{h:02d}:{mi:02d}:{s:02d}"
        if frac:
            text += rnd.choice(".,") + "".join(rnd.choice("0123456789") for _ in range(frac))
        oh, om = pick(rnd.choice([0, 5, 8, 14]), 23, 99), pick(rnd.choice([0, 30, 45]), 59, 99)
        text += rnd.choice(["", "Z", "z", f"+{oh:02d}{om:02d}", f"-{oh:02d}:{om:02d}", f"+{oh:02d}:{om:02d}"])
        if rnd.random() < 0.1:  # one byte changed: a letter, a sign, a colon, a space
            i = rnd.randrange(len(text))
            text = text[:i] + rnd.choice("x-:+ 5/.Z") + text[i + 1:]
        out.append(text)
    return out


@pytest.mark.parametrize("zone", ["UTC", "Asia/Shanghai"])
def test_instants_read_by_position_name_the_moment_python_names(zone):
    values = _values(random.Random(5), 20_000)
    us, ok, has_time = instants_us(pa.array(values, pa.string()), zone)
    assert ok.sum() > len(values) // 3  # most are read (the rest: out of range, broken, naive in a zone)
    for v, u, decided, timed in zip(values, us.tolist(), ok.tolist(), has_time.tolist(), strict=True):
        want = nz.instant(v, zone)
        if decided:
            assert want is not None, v
            delta = want - EPOCH
            assert u == (delta.days * 86400 + delta.seconds) * 1_000_000 + delta.microseconds, v
            assert timed == (len(v) > 10), v


def test_the_positional_reader_takes_only_the_layouts_it_knows():
    values = ["2024-03-01T10:00:00", "2024-03-01 10:00:00.5+08:00", "2024-03-01T10:00:00.123456789z",
              "2024-03-01T10:00:00-0530", "2024-03-01", "2024-03-01T10:00", "2024-03-01T10:00:00 +08:00",
              "2024-03-01T10:00:00+08", "2024/03/01 10:00:00", "2024-03-01T10:00:00.+08:00", None]
    n = len(values)
    fields = {k: np.zeros(n, np.int64) for k in ("y", "mo", "d", "h", "mi", "s", "micro", "off")}
    done, zoned = _iso_by_position(pa.array(values, pa.string()), fields)
    assert done.tolist() == [True, True, True, True, False, False, False, False, False, False, False]
    assert zoned.tolist()[:4] == [False, True, True, True]
    assert fields["micro"].tolist()[:3] == [0, 500_000, 123_456]
    assert fields["off"].tolist()[1] == 8 * 3600 * 1_000_000
    assert fields["off"].tolist()[3] == -(5 * 3600 + 30 * 60) * 1_000_000


def test_calendar_tables_count_days_as_python_dates_do():
    """Days before each month of every year 2-9998, and the length of each month, as datetime.date counts."""
    import calendar
    from datetime import date

    from portcheck.compare.cells import _calendar_tables, _leap_row

    year_start, month_start, month_length = _calendar_tables()
    years = np.arange(2, 9999)
    rows = _leap_row(years)
    for month in range(1, 13):
        got = year_start[years] + month_start[rows + month]
        want = np.array([(date(int(y), month, 1) - date(1970, 1, 1)).days for y in years])
        assert (got == want).all(), month
        lengths = np.array([calendar.monthrange(int(y), month)[1] for y in years])
        assert (month_length[rows + month] == lengths).all(), month
