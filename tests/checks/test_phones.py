"""The vectorised phone reading (portcheck.checks.phones) against its oracle, phonenumbers itself.

Whatever the vectorised path decides must be exactly what ``phonenumbers.parse`` → ``format_number(E164)``,
``is_possible_number`` and ``is_valid_number`` give: over every region's example number of every type,
written in international, national and E.164 form, with separators, a trunk zero, the calling code without
'+', an international prefix, a digit too many or too few, each read in its own region, another region and
none; and over random digit strings (hypothesis). The rows it leaves undecided go to phonenumbers, so the
public functions (``phone_flags``, ``phone_key``, ``phone_info_many``) equal ``phone_info`` everywhere.
"""

from __future__ import annotations

import random

import phonenumbers
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from phonenumbers import PhoneNumberFormat as F
from phonenumbers import PhoneNumberType as T

from portcheck.checks import normalize as nz
from portcheck.checks import rules
from portcheck.checks.phones import read_numbers

TYPES = (T.FIXED_LINE, T.MOBILE, T.TOLL_FREE, T.PREMIUM_RATE, T.SHARED_COST, T.VOIP, T.PERSONAL_NUMBER,
         T.PAGER, T.UAN, T.VOICEMAIL)
REGIONS = sorted(phonenumbers.SUPPORTED_REGIONS)


def oracle(number: str, region: str | None) -> tuple[bool, str | None, bool, bool]:
    try:
        parsed = phonenumbers.parse(number, region or None)
    except phonenumbers.NumberParseException:
        return (False, None, False, False)
    return (True, phonenumbers.format_number(parsed, F.E164), phonenumbers.is_possible_number(parsed),
            phonenumbers.is_valid_number(parsed))


def vectorised(numbers: list[str], regions: list[str | None]) -> list[tuple | None]:
    """What read_numbers decided per number (None where it left the number to phonenumbers)."""
    res = read_numbers(pa.array(numbers, pa.string()), pa.array(regions, pa.string()))
    e164 = res["e164"].to_pylist()
    out = []
    for i in range(len(numbers)):
        if not res["decided"][i]:
            out.append(None)
        elif not res["parsed"][i]:
            out.append((False, None, False, False))
        else:
            out.append((True, e164[i], bool(res["possible"][i]), bool(res["valid"][i])))
    return out


def written_forms(rng: random.Random) -> list[tuple[str, str | None]]:
    """Every region's example numbers, written the ways exports write them, each read in three regions."""
    cases = []
    for region in REGIONS:
        for t in TYPES:
            ex = phonenumbers.example_number_for_type(region, t)
            if ex is None:
                continue
            nsn = phonenumbers.national_significant_number(ex)
            cc = str(ex.country_code)
            forms = [phonenumbers.format_number(ex, f) for f in (F.E164, F.INTERNATIONAL, F.NATIONAL)]
            forms += [nsn, "0" + nsn, nsn[:-1], nsn + "7", cc + nsn, "00" + cc + nsn, f"+{cc} 0{nsn}",
                      f"({nsn[:3]}) {nsn[3:]}", f"{nsn[:4]}-{nsn[4:]}", f"{nsn[:2]}.{nsn[2:]}"]
            for form in forms:
                for reg in (region, rng.choice(REGIONS), None):
                    cases.append((form, reg))
    return cases


def test_vectorised_reading_equals_phonenumbers_on_every_regions_example_numbers():
    cases = written_forms(random.Random(6))
    got = vectorised([n for n, _ in cases], [r for _, r in cases])
    decided = [(c, g) for c, g in zip(cases, got, strict=True) if g is not None]
    assert len(decided) > 0.8 * len(cases)  # the common forms are read without phonenumbers
    wrong = [(n, r, g, oracle(n, r)) for (n, r), g in decided if g != oracle(n, r)]
    assert wrong == []


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(
    st.text(alphabet="0123456789", min_size=1, max_size=18),
    st.sampled_from(["", "+", "+", "(", "0", "00"]),
    st.sampled_from(["", " ", "-", ".", ") "]),
    st.integers(min_value=0, max_value=8),
    st.sampled_from(["CN", "US", "GB", "DE", "IT", "HK", "RU", "AU", "BR", "JP", None, "cn", "XX", "001",
                     ""])),
    min_size=1, max_size=200))
def test_vectorised_reading_equals_phonenumbers_on_random_digit_strings(rows):
    numbers = [pre + digits[:cut] + sep + digits[cut:] for digits, pre, sep, cut, _ in rows]
    regions = [r for *_, r in rows]
    got_all = vectorised(numbers, regions)
    for number, region, got in zip(numbers, regions, got_all, strict=True):
        if got is not None:
            assert got == oracle(number, region), (number, region)


@pytest.mark.parametrize("number,region", [
    ("0755-8888 1234", "CN"), ("+86 755 8888 1234", None), ("+86 0755 8888 1234", "US"),
    ("13800138000", "CN"), ("(415) 555-2671", "US"), ("+1 415 555 2671", "CN"), ("+44 20 7946 0958", None),
    ("020 7946 0958", "GB"), ("+7 912 345-67-89", None), ("8 (912) 345-67-89", "RU"),
    ("+61 2 9876 5432", None), ("02 9876 5432", "AU"), ("+39 06 698 81234", None), ("06 698 81234", "IT"),
    ("+800 1234 5678", None), ("12", "CN"), ("0", "CN"), ("+0 123 456", None), ("+999 1234 5678", None),
    ("8613800138000", "CN"), ("0086 138 0013 8000", "CN"), ("0755 8888 1234", "cn"),
    ("+86 138 0013 8000", "cn"),
    ("0755 8888 1234", "XX"), ("0755 8888 1234", "001"),
])
def test_vectorised_reading_decides_only_what_phonenumbers_agrees_with(number, region):
    got = vectorised([number], [region])[0]
    if got is not None:
        assert got == oracle(number, region)


def test_common_chinese_forms_are_decided_without_phonenumbers():
    got = vectorised(["0755-8888 1234", "+86 755 8888 1234", "13800138000", "(010) 6552 9988"], ["CN"] * 4)
    assert all(g is not None for g in got)
    assert [g[1] for g in got] == ["+8675588881234", "+8675588881234", "+8613800138000", "+861065529988"]


KEYS = ["CN\x1f0755-8888 1234", "\x1f+86 755 8888 1234", "CN\x1f１３８００１３８０００",
        "CN\x1f138-0013-8000 ext. 12", "US\x1f1-800-FLOWERS", "\x1f0755 8888 1234", "CN\x1f12",
        "GB\x1f+44 (0) 20 7946 0958", "CN\x1f0086 755 88881234", "XX\x1f12345678", "CN\x1fnot a number",
        "CN\x1f8613800138000", "IT\x1f06 698 81234", "\x1f+1 415 555 2671"]


def test_phone_info_many_equals_phone_info_including_the_numbers_left_to_phonenumbers():
    keys = KEYS + [None] + KEYS  # repeated keys and a null
    flags, e164 = rules.phone_info_many(pa.array(keys, pa.string()))
    want = [rules.phone_info(k) if k is not None else (None, None) for k in keys]
    assert list(zip(flags.to_pylist(), e164.to_pylist(), strict=True)) == want


def test_phone_flags_and_keys_equal_phone_info_row_by_row():
    values = ["0755-8888 1234", "+86 755 8888 1234", "755 8888 1234", "12345", None, "＋86 138 0013 8000",
              "13800138000", "(0755)8888-1234"]
    regions = pa.array(["CN", None, "CN", "CN", "CN", None, None, "CN"], pa.string())
    arr = pa.array(values, pa.string())
    flags = rules.phone_flags(arr, regions).to_pylist()
    keys = nz.phone_key(arr, regions).to_pylist()
    for v, r, f, k in zip(values, regions.to_pylist(), flags, keys, strict=True):
        if v is None:
            assert f is None and k is None
            continue
        plus = v.startswith("+")
        want = None if (r is None and not plus) else rules.phone_info(f"{'' if plus else r}\x1f{v}")[0]
        assert f == want
        plus_k = v.strip().replace("＋", "+").startswith("+")
        assert k == rules.phone_info(f"{'' if plus_k else (r or '')}\x1f{v}")[1]


@pytest.mark.parametrize("default_region,countries", [
    ("CN", None), (None, None), ("CN", ["HK", None, "中国", "US"]), ("", None)])
def test_one_pass_gives_validity_flags_and_fuzzy_keys_as_each_reads_them(default_region, countries):
    """phone_key treats a full-width '＋' as '+' and reads numbers without region with none; phone_flags
    does neither: phone_columns reads each number once for both and must give each its own reading."""
    values = [f"0755-8888 {i:04d}" for i in range(50)] + [
        "＋86 138 0013 8000", "+86 138 0013 8000", " +852 2123 4567", "13800138000", None, "2123 4567",
        "+1 415 555 2671", "１３８ ００１３ ８０００"]
    cols = {"phone": values}
    if countries:
        cols["country"] = [countries[i % len(countries)] for i in range(len(values))]
    t = pa.table({k: pa.array(v, pa.string()) for k, v in cols.items()})
    rules.forget_phone_numbers()
    flags, keys = rules.phone_columns(t, "phone", default_region or None)
    assert rules.phone_columns(t, "phone", default_region or None)[0] is flags  # computed once
    rules.forget_phone_numbers()
    regions = rules.phone_regions(pa.array(cols.get("country", [None] * len(values)), pa.string()),
                                  default_region or None).to_pylist()
    for v, r, f, k in zip(values, regions, flags.to_pylist(), keys.to_pylist(), strict=True):
        if v is None:
            assert f is None and k is None
            continue
        v = v.strip()
        plus = v.startswith("+")
        want = None if (r is None and not plus) else rules.phone_info(f"{'' if plus else r}\x1f{v}")[0]
        assert f == want
        plus_k = v.replace("＋", "+").startswith("+")
        assert k == rules.phone_info(f"{'' if plus_k else (r or '')}\x1f{v}")[1]


def test_stability_of_the_e164_form_equals_reading_it_back_with_phonenumbers():
    import random as _random

    rng = _random.Random(3)
    cases = written_forms(rng)[:20000]
    cases += [("".join(rng.choice("0123456789") for _ in range(rng.randint(6, 13))), "CN")
              for _ in range(3000)]
    numbers, regions = [n for n, _ in cases], [r for _, r in cases]
    res = read_numbers(pa.array(numbers, pa.string()), pa.array(regions, pa.string()), stable=True)
    e164 = res["e164"].to_pylist()
    checked = unstable = 0
    for i in range(len(cases)):
        if not (res["decided"][i] and res["parsed"][i]):
            continue
        again = phonenumbers.format_number(phonenumbers.parse(e164[i], None), F.E164)
        assert bool(res["stable"][i]) == (again == e164[i]), cases[i]
        checked += 1
        unstable += again != e164[i]
    assert checked > 10000 and unstable > 10


@pytest.mark.parametrize("alphabet", [
    "0123456789 -()x+",  # numbers, a few other bytes: each found from its position
    "杨超ab+ 1",  # text with a few numbers: the candidates' bytes looked at alone
    "a12b34c5+-",  # short strings with digits and many other bytes: counted per byte
    "0123456789+-() .x＋\t١",
])
def test_scan_numbers_equals_a_character_by_character_reading(alphabet):
    """Digits, the fast path's form and a leading '+', found from byte positions and offsets, equal a
    plain reading of each string — '+' elsewhere than first, other characters, empty strings, a slice."""
    from portcheck.checks.phones import scan_numbers

    rng = random.Random(11)
    values = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 14))) for _ in range(3000)]
    values += ["", "+", "++86 755", "86+755", "+86 (755) 8888-1234", "8" * 64, "8" * 65, "12", "1 2 3"]
    arr = pa.array(["pad"] + values, pa.string()).slice(1)
    digits, simple, plus = scan_numbers(arr)
    for i, v in enumerate(values):
        want_digits = "".join(ch for ch in v if ch in "0123456789")
        body = v[1:] if v.startswith("+") else v
        want_simple = (all(ch in "0123456789() .-" for ch in body) and len(want_digits) >= 3
                       and len(v.encode()) <= 64)
        assert (digits[i].as_py(), bool(simple[i]), bool(plus[i])) == (want_digits, want_simple,
                                                                       v.startswith("+")), v


def test_one_region_for_every_row_reads_as_that_region_given_row_by_row():
    numbers = [n for n, _ in written_forms(random.Random(4))][:6000]
    arr = pa.array(numbers, pa.string())
    for region in ("CN", "US", "cn", ""):
        one = read_numbers(arr, region, stable=True)
        each = read_numbers(arr, pa.array([region] * len(numbers), pa.string()), stable=True)
        for key in ("decided", "parsed", "possible", "valid", "stable"):
            assert (one[key] == each[key]).all(), (region, key)
        assert one["e164"].equals(each["e164"])


@pytest.mark.parametrize("region", ["CN", "US", "GB"])
def test_validity_of_many_numbers_of_mixed_types_equals_phonenumbers(region):
    """Past a few thousand numbers the type patterns are tried most frequent first: any order must give
    phonenumbers' verdict (numbers of every type, and near misses, in one column)."""
    rng = random.Random(region)
    base = [phonenumbers.national_significant_number(ex) for t in TYPES
            if (ex := phonenumbers.example_number_for_type(region, t)) is not None]
    numbers = []
    for _ in range(6000):
        nsn = list(rng.choice(base))
        for _ in range(rng.randint(0, 3)):
            nsn[rng.randrange(len(nsn))] = rng.choice("0123456789")
        numbers.append("".join(nsn[:len(nsn) + rng.choice([0, 0, 0, -1, 1])]) or "1")
    got = read_numbers(pa.array(numbers, pa.string()), region)
    assert got["decided"].sum() > 5000 and 200 < got["valid"].sum() < 5900
    for i, number in enumerate(numbers):
        if got["decided"][i]:
            want = oracle(number, region)
            assert (bool(got["parsed"][i]), bool(got["valid"][i])) == (want[0], want[3]), number


def test_plus_marks_read_by_first_byte_equal_the_nfkc_reading():
    """phone_rows looks at the first byte of ASCII values: the same '+' as trimming the NFKC form."""
    values = ["+86 1", " +86 1", "\t+1", "＋86 1", "\u3000+44", "+\u0338 1", "86+1", "", None, "\x1f+1",
              "+é", "é+", "\u00a0+7", "(+86)", "+", "\x7f+1"]
    arr = pa.array(values, pa.string())
    nfkc, raw = rules._plus_marks(arr)
    assert nfkc.tolist() == [bool(v) and rules._nfkc_plus(pa.array([v]))[0].as_py() for v in values]
    assert raw.tolist() == [bool(v) and v.startswith("+") for v in values]


@pytest.mark.parametrize("region", ["CN", "GB", "RU", "AR", "BR", "JP", "DE"])
def test_a_column_of_national_numbers_with_trunk_prefixes_equals_phonenumbers(region):
    """Most numbers carrying a national prefix: its length is read in one pass (the prefix pattern as one
    group) and the numbers are cut by it; the same numbers as phonenumbers strips."""
    rng = random.Random(region)
    examples = [ex for t in TYPES if (ex := phonenumbers.example_number_for_type(region, t)) is not None]
    numbers = []
    for _ in range(5000):
        ex = rng.choice(examples)
        written = phonenumbers.format_number(ex, F.NATIONAL)
        digits = [ch for ch in written if ch.isdigit()]
        for _ in range(rng.randint(0, 2)):
            digits[rng.randrange(len(digits))] = rng.choice("0123456789")
        numbers.append("".join(digits))
    got = vectorised(numbers, [region] * len(numbers))
    if not phonenumbers.PhoneMetadata.metadata_for_region(region).national_prefix_transform_rule:
        assert sum(g is not None for g in got) > 2500  # with a transform rule phonenumbers decides
    for number, g in zip(numbers, got, strict=True):
        if g is not None:
            assert g == oracle(number, region), number


def test_reading_without_validity_changes_nothing_else():
    import numpy as np
    import pyarrow as pa

    from portcheck.checks.phones import read_numbers

    numbers = pa.array(["+86 138 0013 8000", "0755-8888 6666", "13800138000", "+1 650 253 0000", "12",
                        "+44 7700 900123", None, "020 7946 0018", "+86 0755 1234"])
    regions = pa.array(["CN", "CN", "CN", None, "CN", None, "CN", "GB", None])
    full = read_numbers(numbers, regions, stable=True)
    lean = read_numbers(numbers, regions, stable=True, validity=False)
    assert full["valid"].any() and not lean["valid"].any()
    for key in ("decided", "parsed", "possible", "stable"):
        assert np.array_equal(full[key], lean[key]), key
    assert full["e164"].equals(lean["e164"]) and full["digits"].equals(lean["digits"])


def test_a_regex_runs_only_on_numbers_whose_first_digits_can_begin_a_match():
    """For every region's metadata patterns (calling code and international prefix, national prefix,
    general and type descs): on numbers built from the metadata's example numbers, random digits and
    their prefixes, the prefiltered match equals the regex run on every number."""
    import numpy as np
    import phonenumbers
    import pyarrow.compute as pc

    from portcheck.checks import phones

    rng = random.Random(9)
    examples = []
    for region in sorted(phonenumbers.SUPPORTED_REGIONS):
        md = phonenumbers.PhoneMetadata.metadata_for_region(region)
        for attr in ("general_desc", "fixed_line", "mobile", "toll_free", "premium_rate", "shared_cost",
                     "personal_number", "voip", "pager", "uan", "voicemail"):
            desc = getattr(md, attr, None)
            if desc is not None and desc.example_number:
                examples.append((md.country_code, desc.example_number))
    numbers = [e for _, e in examples] + [f"{cc}{e}" for cc, e in examples[::3]]
    numbers += ["00" + e for _, e in examples[::5]] + ["0" + e for _, e in examples[::4]]
    numbers += ["".join(rng.choice("0123456789") for _ in range(rng.randint(0, 14))) for _ in range(3000)]
    arr = pa.array(numbers, pa.string())
    assert len(arr) >= 4096  # long enough for the prefilter
    checked = filtered = 0
    for region in ("CN", "US", "GB", "DE", "JP", "HK", "TW", "SG", "IN", "FR", "BR", "RU", "IT", "AR", "MX"):
        meta = phones._meta_for_region(region)
        for pattern in {meta.odd, meta.npfp, meta.general.pattern, meta.leading_digits,
                        *(d.pattern for d in meta.types)} - {None}:
            want = np.asarray(pc.fill_null(pc.match_substring_regex(arr, pattern), False).to_numpy(
                zero_copy_only=False), bool)
            assert (phones._fullmatch(arr, pattern) == want).all(), (region, pattern)
            checked += 1
            filtered += phones._digit_starts(pattern) is not None
    assert checked > 60 and filtered > 20


@pytest.mark.parametrize("pattern,want", [
    (r"^(?:86|00)", {"86", "00"}),
    (r"^(?:(1[12]\d)|0)", {"11", "12", "0"}),
    (r"^1?2", {"12", "2"}),
    (r"^[2-4]\d{3}", {f"{a}{b}" for a in "234" for b in "0123456789"}),
    (r"^(?=1)1", None),  # a look-ahead: not followed
    (r"^\d*", None),  # may match nothing: every number may begin a match
])
def test_the_two_digit_starts_of_a_pattern(pattern, want):
    from portcheck.checks import phones

    got = phones._prefixes(pattern, 2)
    if want is None:
        assert got is None or "" in got
    else:
        assert got == want
