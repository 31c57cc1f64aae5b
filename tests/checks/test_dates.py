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


def test_numbers_read_by_position_equal_python_reading_the_text():
    """iso_numbers (two digits at a time through a lookup) against int() of each field's characters."""
    rng = random.Random(5)
    values = []
    for _ in range(3000):
        frac = "".join(rng.choice("0123456789") for _ in range(rng.randint(0, 9)))
        tz = rng.choice(["", "Z", "z", "+08:00", "-05:30", "+0800", "-2359"])
        values.append(f"{rng.randint(0, 9999):04d}-{rng.randint(0, 99):02d}-{rng.randint(0, 99):02d}"
                      + rng.choice(["", "T" + f"{rng.randint(0, 99):02d}:{rng.randint(0, 99):02d}:"
                                    f"{rng.randint(0, 99):02d}" + (("." + frac) if frac else "") + tz]))
    fixed, parts = convert.iso_fixed(pa.array(values, pa.string()))
    assert fixed.all()
    for layout, (rows, m) in parts.items():
        got = convert.iso_numbers(m, layout)
        for i, row in enumerate(rows.tolist()):
            v = values[row]
            want = {"year": int(v[:4]), "month": int(v[5:7]), "day": int(v[8:10])}
            if len(v) > 10:
                frac = v[20:].rstrip("Zz").split("+")[0].split("-")[0] if v[19:20] == "." else ""
                want.update(hour=int(v[11:13]), minute=int(v[14:16]), second=int(v[17:19]),
                            micro=int((frac[:6] or "0").ljust(6, "0")))
                if v[-5:-4] in "+-" or v[-6:-5] in "+-":
                    off = v[-6:] if v[-6:-5] in "+-" else v[-5:]
                    want.update(sign=-1 if off[0] == "-" else 1, off_hour=int(off[1:3]),
                                off_minute=int(off[-2:]))
            assert {k: int(got[k][i]) for k in want} == want, v
            assert all(got[k].dtype == "int64" for k in got)


def test_real_day_by_lookup_equals_the_calendar():
    import calendar

    import numpy as np

    year, month, day = np.meshgrid(np.array([0, 1, 4, 100, 1900, 2000, 2023, 2024, 2100, 2400, 9999]),
                                   np.arange(100), np.arange(100), indexing="ij")
    year, month, day = year.ravel(), month.ravel(), day.ravel()
    got = rules._real_day(year, month, day)
    want = [1 <= mo <= 12 and 1 <= d <= calendar.monthrange(y if y else 2000, mo)[1]
            for y, mo, d in zip(year.tolist(), month.tolist(), day.tolist(), strict=True)]
    assert got.tolist() == want
    assert rules._real_day(year + 10000, month, day).tolist() == want  # past four digits: arithmetic


@pytest.mark.parametrize("seed", range(2))
def test_dates_from_the_common_iso_forms_equal_the_iso_regex_reading(seed):
    """to_date reads the common ISO forms by position: the same days as the ISO regex on trimmed text
    (a date stays, a date-time keeps its first ten characters), other forms as before."""
    values = samples(random.Random(seed)) + ["4/8/2025", "2024年3月1日", "1700000000000", "45000.5", "  "]
    arr = pa.array(values, pa.string())
    text = pc.utf8_trim_whitespace(arr)
    iso = pc.fill_null(pc.match_substring_regex(text, convert.ISO_RE), False).to_pylist()
    got = convert.to_date(arr).to_pylist()
    for v, t, is_iso, g in zip(values, text.to_pylist(), iso, got, strict=True):
        if is_iso:
            assert g == (t[:10] if len(t) > 10 else v), v
        elif v is None or not t:
            assert g == v
        else:
            assert g == convert.to_date(pa.array([v], pa.string()))[0].as_py()
    assert convert.to_date(pa.array(["x 2024-03-01", "2024-03-01T10:00:00Z", "4/8/2025"]),
                           order="MDY").to_pylist() == ["x 2024-03-01", "2024-03-01", "2025-04-08"]


@pytest.mark.parametrize("seed", range(3))
def test_forms_found_in_place_equal_forms_found_on_copied_rows(seed):
    """iso_fixed(matrices=False) checks runs of consecutive rows of one width where their bytes stand (a
    slice, nulls and rows of other widths in between): the same rows and layouts as on copied rows."""
    rng = random.Random(seed)
    values = []
    for _ in range(3000):
        form = rng.choice(["2024-03-01T10:00:00+08:00", "2024-03-01 10:00:00.123456Z"][:1 + seed % 2])
        values.append("".join(rng.choice("0123456789") if ch.isdigit() and rng.random() < 0.9
                              else (ch if rng.random() < 0.99 else "x") for ch in form))
    for i in rng.sample(range(3000), 25):
        values[i] = samples(rng, 1)[0]
    arr = pa.array(["pad"] + values, pa.string()).slice(1)
    copied, copied_parts = convert.iso_fixed(arr, b"Tt ")
    in_place, parts = convert.iso_fixed(arr, b"Tt ", matrices=False)
    assert in_place.tolist() == copied.tolist() and in_place.sum() > 2000
    assert {k: v[0].tolist() for k, v in parts.items()} == {k: v[0].tolist() for k, v in copied_parts.items()}
    assert any(m is None for _, m in parts.values())  # read in place
    assert rules.instant_flags(arr).to_pylist() == oracle(arr, rules._INSTANT_SHAPE)


def test_layouts_checked_block_by_block_give_the_same_rows(monkeypatch):
    import random

    import numpy as np
    import pyarrow as pa

    from portcheck.profiles import convert

    rng = random.Random(11)
    forms = ["2024-03-01", "2024-03-01T10:00:00", "2024-03-01 10:00:00.123456+08:00", "2024-03-01T10:00:00Z",
             "2024-3-1", "2024/03/01", "x024-03-01", "2024-03-01T10:00:00+0800", "", None]
    arr = pa.array([rng.choice(forms) for _ in range(5000)], pa.string())
    whole_mask, whole_parts = convert.iso_fixed(arr)
    monkeypatch.setattr(convert, "_BLOCK_ROWS", 7)
    for matrices in (True, False):
        mask, parts = convert.iso_fixed(arr, matrices=matrices)
        assert np.array_equal(mask, whole_mask)
        rows = {k: v[0].tolist() for k, v in parts.items()}
        assert rows == {k: v[0].tolist() for k, v in whole_parts.items()}


@pytest.mark.parametrize("gaps", ["empty", "null", "other widths"])
def test_row_matrices_are_the_rows_bytes_in_order_whatever_stands_between(gaps):
    """Runs of rows whose bytes stand together are read in place (empty and null values hold no bytes and
    do not break a run; a value of another width does); the matrices hold the rows' bytes in order."""
    import random

    import numpy as np
    import pyarrow as pa

    from portcheck.checks._arrow import null_where
    from portcheck.profiles.convert import _rows_of_width, row_matrices

    rng = random.Random(gaps)
    filler = {"empty": "", "null": "", "other widths": "2024-01-01"}[gaps]
    stamp = "2024-05-{}T09:25:{}"
    values = [filler if rng.random() < 0.0015 else stamp.format(rng.randrange(10, 29), rng.randrange(10, 60))
              for _ in range(20000)]
    assert 5 < values.count(filler) < 60  # gaps enough to break runs, too few to make one copy instead
    arr = pa.array(["x"] + values, pa.string()).slice(1)
    if gaps == "null":
        arr = null_where(arr, pa.array([v == "" for v in values]))
    rows = np.array([i for i, v in enumerate(values) if len(v) == 19], np.int64)
    for subset in (rows, rows[::3]):
        parts = row_matrices(arr, subset, 19)
        assert np.array_equal(np.concatenate(parts), _rows_of_width(arr, subset, 19))
        assert len(parts) <= (1 if gaps != "other widths" and subset is rows else len(subset))
    assert len(row_matrices(arr, rows[:0], 19)[0]) == 0


@pytest.mark.parametrize("layout", [(None, ""), (0, ""), (0, "Z"), (3, "hh:mm"), (6, "hhmm")])
def test_fixed_form_validity_agrees_with_the_calendar_and_the_clock(layout):
    """The byte-pair comparisons of ``_fixed_form_valid`` against datetime on every boundary: days 00, 28,
    29, 30, 31 and 32 of months 00-13 in leap and common years (1900, 2000, 2023, 2024), and hours,
    minutes, seconds and offsets at and beyond their limits."""
    import datetime as dt
    import itertools

    import numpy as np

    from portcheck.checks.rules import _fixed_form_valid
    from portcheck.profiles.convert import iso_width

    frac, tz = layout
    texts, want = [], []
    times = [("00", "00", "00"), ("23", "59", "60"), ("24", "00", "00"), ("12", "60", "00"),
             ("12", "00", "61")]
    offsets = [("00", "00"), ("23", "59"), ("24", "00"), ("05", "60")]
    for year, month, day in itertools.product(("1900", "2000", "2023", "2024"), range(14), (0, 1, 28, 29, 30,
                                                                                            31, 32)):
        date = f"{year}-{month:02d}-{day:02d}"
        try:
            real = dt.date(int(year), month, day) is not None
        except ValueError:
            real = False
        if frac is None:
            texts.append(date)
            want.append(real)
            continue
        zones = offsets if tz in ("hh:mm", "hhmm") else [("", "")]
        for (hh, mi, ss), (oh, om) in itertools.product(times, zones):
            text = f"{date}T{hh}:{mi}:{ss}" + ("." + "1" * frac if frac else "")
            text += {"": "", "Z": "Z", "hh:mm": f"+{oh}:{om}", "hhmm": f"+{oh}{om}"}[tz]
            texts.append(text)
            want.append(real and int(hh) <= 23 and int(mi) <= 59 and int(ss) <= 60
                        and (not oh or (int(oh) <= 23 and int(om) <= 59)))
    m = np.frombuffer("".join(texts).encode(), np.uint8).reshape(len(texts), iso_width(layout))
    assert _fixed_form_valid(m, layout).tolist() == want
