"""The vectorised cell verdicts (portcheck.compare.cells) equal compare_cell, cell by cell.

compare_cell is the oracle. The cells are the kinds a comparison meets: the same value written another
way (phones with and without +86, trunk zeros, separators; instants in other offsets, Z, naive, with
fractions; e-mails in other cases; decimals with zeros), real defects (lost trunk zeros, time-zone shifts,
truncation, mojibake, changed and missing values), blanks and odd whitespace, and random text (hypothesis).
"""

from __future__ import annotations

import random

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portcheck import schema
from portcheck.compare.cells import VERDICTS, cell_verdicts
from portcheck.compare.engine import compare_cell


def check(pairs: list[tuple[str | None, str | None]], ftype: str, *,
          regions: list[str | None] | None = None, ref_zone: str = "UTC", exp_zone: str = "UTC",
          keep_local_case: bool = False) -> None:
    """Assert cell_verdicts == compare_cell for every pair whose raw values differ and are not both empty."""
    def empty(v: str | None) -> bool:
        return v is None or v.strip(" \t\n\r\x0b\x0c") == ""

    cells = [(r, e, (regions or [None] * len(pairs))[i]) for i, (r, e) in enumerate(pairs)
             if r != e and not (empty(r) and empty(e))]
    if not cells:
        return
    ref = pa.array([r for r, _, _ in cells], pa.string())
    exp = pa.array([e for _, e, _ in cells], pa.string())
    r_empty = np.array([empty(r) for r, _, _ in cells])
    e_empty = np.array([empty(e) for _, e, _ in cells])
    got = cell_verdicts(ref, exp, r_empty, e_empty, ftype, ref_zone=ref_zone, exp_zone=exp_zone,
                        regions=pa.array([g for _, _, g in cells], pa.string()),
                        keep_local_case=keep_local_case)
    for (r, e, g), code, re_, ee in zip(cells, got, r_empty, e_empty, strict=True):
        want = compare_cell("" if re_ else (r or ""), "" if ee else (e or ""), ftype, ref_zone=ref_zone,
                            exp_zone=exp_zone, region=g, keep_local_case=keep_local_case)
        assert VERDICTS[code] == want, (r, e, g)


def phone_pairs(rng: random.Random) -> tuple[list, list]:
    pairs, regions = [], []
    for _ in range(600):
        area = rng.choice(["755", "10", "21", "571", "28"])
        num = str(rng.randint(10_000_000, 99_999_999))
        mobile = "1" + str(rng.randint(3_000_000_000, 9_999_999_999))
        ref = rng.choice([f"0{area}-{num}", f"(0{area}) {num[:4]} {num[4:]}", mobile, f"+86 {mobile}"])
        digits = "".join(c for c in ref if c.isdigit())
        exp = rng.choice([f"+86 {area} {num}", f"+86-{area}-{num}", f"{area}-{num}", f"0{area}{num}",
                          f"+86 {mobile}", mobile, digits, digits[1:], f"{digits[:-1]}", f"  {ref} ",
                          f"+86 0{area} {num}", "0086" + digits, "86" + digits, f"{ref} ext. 12", "",
                          "n/a", f"０{area}-{num}", f"+1 415 555 {num[:4]}", "1.38001E+10",
                          ref + "0"])
        pairs.append((ref, exp))
        regions.append(rng.choice(["CN", "CN", "CN", None, "HK", "cn", "中国", "US"]))
    return pairs, regions


def test_phone_cells():
    pairs, regions = phone_pairs(random.Random(1))
    check(pairs, schema.PHONE, regions=regions)


def instant_pairs(rng: random.Random) -> list:
    out = []
    for _ in range(600):
        y, mo, d = rng.randint(1990, 2030), rng.randint(1, 12), rng.randint(1, 28)
        h, mi, s = rng.randint(0, 23), rng.randint(0, 59), rng.randint(0, 59)
        ref = f"{y:04d}-{mo:02d}-{d:02d}T{h:02d}:{mi:02d}:{s:02d}+08:00"
        utc_h = (h - 8) % 24
        day_shift = -1 if h < 8 else 0
        import datetime as dt

        moment = dt.datetime(y, mo, d, h, mi, s) - dt.timedelta(hours=8)
        z = moment.strftime("%Y-%m-%dT%H:%M:%SZ")
        exp = rng.choice([z, z.replace("T", " "), z[:-1] + "+00:00", z[:-1], ref.replace("+08:00", "+0800"),
                          ref.replace("+08:00", "+08"), ref.replace("+08:00", "+09:00"),
                          ref.replace("+08:00", "+08:30"), ref.replace("+08:00", "-05:00"),
                          ref[:16] + "+08:00",
                          ref.replace(":00+", ".000+"), ref.replace(f":{s:02d}+", f":{s:02d}.5+"),
                          ref[:10], f"{y}/{mo}/{d} {h}:{mi:02d}", "", "2024-02-30T10:00:00Z",
                          "0001-01-01T00:00:00+08:00", ref.replace("T", "t"), ref + " ", f" {z}",
                          z.replace("Z", " Z"), ref.replace("+08:00", "z"), "2024-13-01T00:00:00Z",
                          (moment - dt.timedelta(hours=5)).strftime("%Y-%m-%dT%H:%M:%S-05:00"),
                          (moment + dt.timedelta(hours=5, minutes=45)).strftime("%Y-%m-%dT%H:%M:%S+05:45"),
                          (moment + dt.timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M:%S-05:00"),
                          (moment + dt.timedelta(hours=20)).strftime("%Y-%m-%dT%H:%M:%SZ")])
        out.append((ref, exp))
        del utc_h, day_shift
    return out


@pytest.mark.parametrize("ref_zone,exp_zone", [("UTC", "UTC"), ("Asia/Shanghai", "UTC"),
                                               ("UTC", "Asia/Shanghai")])
def test_instant_cells(ref_zone, exp_zone):
    check(instant_pairs(random.Random(2)), schema.INSTANT, ref_zone=ref_zone, exp_zone=exp_zone)


@pytest.mark.parametrize("keep", [False, True])
def test_email_cells(keep):
    rng = random.Random(3)
    pairs = []
    for i in range(400):
        ref = rng.choice([f"Li.Lei{i}@Example.cn", f"user{i}@x.cn", f"a@b@c{i}.cn", f"noat{i}", f"@x{i}.cn"])
        exp = rng.choice([ref.lower(), ref.upper(), ref.swapcase(), ref + " ", ref[:-1], "",
                          ref.replace("@", "＠"),
                          ref.split("@")[0] + "@" + ref.split("@")[-1].upper(), "Straße@x.cn", ref + "\n"])
        pairs.append((ref, exp))
    check(pairs, schema.EMAIL, keep_local_case=keep)


def test_decimal_and_percent_cells():
    rng = random.Random(4)
    pairs = []
    for _ in range(500):
        whole, frac = rng.randint(0, 99999), rng.randint(0, 99)
        ref = rng.choice([f"{whole}.{frac:02d}", f"{whole}", "0", "-0.0", f"-{whole}.5"])
        exp = rng.choice([ref + "0", "0" + ref, "+" + ref, ref.rstrip("0"), f"¥{ref}",
                          f"{whole:,}.{frac:02d}", f"{whole}.{frac:02d}1", "3.38893E+18", "-0", "0.00",
                          ref[:-1], "", "abc", ref + "%"])
        pairs.append((ref, exp))
    check(pairs, schema.DECIMAL)
    check(pairs, schema.PERCENT)


@pytest.mark.parametrize("ftype", [schema.STRING, schema.BOOLEAN, schema.STAGE, schema.CURRENCY, schema.DATE])
def test_text_and_picklist_cells(ftype):
    rng = random.Random(5)
    base = ["深圳华信科技有限公司", "Acme Co", "true", "1", "是", "Closed Won", "cny", "CNY", "2024-03-01",
            "2024/3/1", "café", "cafe\u0301", "line one\nline two", "0755", "755", "x\x1f", "\u3000", "naïve"]
    pairs = []
    for _ in range(600):
        ref = rng.choice(base)
        exp = rng.choice(base + [ref + " ", " " + ref, ref[:-1], ref + "…", ref.upper(), "", "\t",
                                 ref + "\x1c",
                                 ref.encode("utf-8").decode("latin-1"), "?" * len(ref), None])
        pairs.append((ref, exp))
    check(pairs, ftype)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.text(max_size=12), st.text(max_size=12)), min_size=1, max_size=60),
       st.sampled_from([schema.STRING, schema.PHONE, schema.EMAIL, schema.INSTANT, schema.DECIMAL]))
def test_random_text_cells(pairs, ftype):
    check(pairs, ftype, regions=["CN"] * len(pairs))


def test_common_format_differences_are_decided_without_compare_cell(monkeypatch):
    """Re-formatted phones, instants in UTC, e-mails in capitals, decimals with trailing zeros: all decided
    vectorised (compare_cell is not called), all format differences."""
    from portcheck.compare import cells

    def refuse(*_a, **_k):
        raise AssertionError("compare_cell was asked")

    monkeypatch.setattr(cells, "_by_compare_cell", refuse)
    cases = [
        (["0755-8888 1234", "13800138000", "(010) 6552 9988"], ["+86 755 8888 1234", "+86 138 0013 8000",
                                                                 "+86-10-6552-9988"], schema.PHONE),
        (["2024-03-01T10:00:00+08:00", "2023-12-31T23:30:00-05:00"],
         ["2024-03-01T02:00:00Z", "2024-01-01T04:30:00Z"], schema.INSTANT),
        (["Li.Lei@Example.cn"], ["li.lei@example.CN"], schema.EMAIL),
        (["1234.50", "7"], ["1234.5", "7.00"], schema.DECIMAL),
        (["Acme Co"], [" Acme Co\t"], schema.STRING),
    ]
    for ref, exp, ftype in cases:
        n = len(ref)
        got = cell_verdicts(pa.array(ref), pa.array(exp), np.zeros(n, bool), np.zeros(n, bool), ftype,
                            regions=pa.array(["CN"] * n))
        assert [VERDICTS[c] for c in got] == ["format"] * n, ftype


def test_instant_fractions_read_by_position_and_by_pattern_agree():
    """A fraction read by position (…00.250Z) and one read by the pattern (…00.25+08, an hours-only
    offset) name the same microsecond."""
    pairs = [("2024-03-01T10:00:00.25+08", "2024-03-01T02:00:00.250Z"),
             ("2024-03-01T10:00:00.25+08", "2024-03-01T02:00:00.250000001Z"),
             ("2024-03-01T10:00:00.1234567+08", "2024-03-01T02:00:00.123456Z"),
             ("2024-03-01T10:00:00.5+08", "2024-03-01T02:00:00.050Z"),
             ("2024-03-01T10:00:00,5+08", "2024-03-01T02:00:00.5+00:00")]
    check(pairs, schema.INSTANT)


def test_blank_cells_found_without_trimming_every_value_are_the_trimmed_blanks():
    """Every code point alone and padded with spaces: the emptiness the comparison finds (trimming only
    values that start with a byte white space can start with) equals trimming them all."""
    import pyarrow.compute as pc

    from portcheck.compare.engine import _empty_mask

    values = [chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF]
    values += [f" {chr(c)} " for c in range(0x3100)] + ["", None, "  ", "\u3000x", "x\u3000", "\u3000\u3000"]
    arr = pa.array(values, pa.string())
    want = pc.fill_null(pc.equal(pc.utf8_trim_whitespace(arr), ""), True).to_numpy(zero_copy_only=False)
    assert (_empty_mask(arr, frozenset()) == want).all()
    assert (_empty_mask(arr.slice(50, 4000), frozenset()) == want[50:4050]).all()
    tokens = frozenset({"n/a", "False"})
    with_tokens = pa.array([" n/a", "False ", "x", None, ""], pa.string())
    assert _empty_mask(with_tokens, tokens).tolist() == [True, True, False, True, True]


def test_phone_forms_phonenumbers_cannot_read_back_or_that_are_not_phone_numbers():
    """Impossible numbers have no E.164 form, a form that does not read back is not one either, a '+'
    stays, and text that is not written as a phone number compares as text (normalize.normalise)."""
    pairs = [("0755 1234", "+86 755 1234"), ("07551234", "0755-1234"), ("Tel: 0755-1234", "tel 0755 1234"),
             ("Tel: 0755-1234", "Tel:0755-1234"), ("000000000", "+86 00000000"), ("000000000", "00000 0000"),
             ("+12", "12"), ("+1 2", "+12"), ("86 0755 8888 1234", "+86 755 8888 1234"),
             ("0755-8888 1234", "+86 0755 8888 1234"), ("13800138000", "+86 138 0013 8000"),
             ("123456", "123-456"), ("+86 123", "86123"), ("x0755", "0755"),
             ("000000000", "+86 0 0000000"), ("12345", "+86 12345"), ("123 45", "12345"),
             ("0116643795968", "+86 116643795968"), ("0116643795968", "+86 0116643795968"),
             ("1113408492749", "+86 08492749"),  # these three: E.164 forms that do not read back
             ("1234", "+86 1234")]  # not a possible number
    check(pairs, schema.PHONE, regions=["CN"] * len(pairs))
    check(pairs, schema.PHONE, regions=[None] * len(pairs))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.from_regex(r"\A[+]?[0-9 ()\-.]{0,16}\Z"),
                          st.from_regex(r"\A[+]?[0-9 ()\-.]{0,16}\Z"),
                          st.sampled_from(["CN", "US", "GB", "IT", "RU", None, "cn", "HK"])),
                min_size=1, max_size=80))
def test_random_phone_like_cells(rows):
    check([(a, b) for a, b, _ in rows], schema.PHONE, regions=[g for *_, g in rows])
