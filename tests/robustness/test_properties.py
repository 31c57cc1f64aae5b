"""Properties of the normalisers and classifiers (portcheck.compare), checked by Hypothesis.

Each property is stated in the test's docstring with its exact preconditions. Where DESIGN's defect order
lets an earlier kind win (numeric_precision, leading_zero and encoding come before truncated), the
generated values are restricted so that only the rule under test can apply, and the restriction is said.
"""

from __future__ import annotations

import unicodedata

import phonenumbers
import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from portcheck import schema
from portcheck.compare import classify as cl
from portcheck.compare import normalize as nz
from portcheck.compare.engine import FORMAT, MATCH, compare_cell

FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
TYPES = [
    schema.STRING,
    schema.INSTANT,
    schema.PHONE,
    schema.EMAIL,
    schema.DATE,
    schema.DECIMAL,
    schema.PERCENT,
    schema.BOOLEAN,
    schema.STAGE,
    schema.CURRENCY,
]

# Text as CRM exports hold it: any character of the Basic Multilingual Plane but surrogates and controls.
BMP_TEXT = st.text(st.characters(max_codepoint=0xFFFF, blacklist_categories=("Cs", "Cc")), max_size=40)


def _typed_value() -> st.SearchStrategy[str]:
    """Strings, and values shaped like each type (so the typed normalisers, not only the fallback, run)."""
    return st.one_of(
        BMP_TEXT,
        st.decimals(allow_nan=False, allow_infinity=False, places=2).map(str),
        st.integers(min_value=-(10**20), max_value=10**20).map(lambda n: f"{n:,}"),
        st.datetimes().map(lambda d: d.isoformat(sep=" ")),
        st.datetimes().map(lambda d: d.isoformat() + "+08:00"),
        st.dates().map(str),
        st.from_regex(r"\+?[0-9][0-9 ()\-]{5,16}", fullmatch=True),
        st.emails(),
        st.sampled_from(["Yes", "no", "是", "FALSE", "Closed Won", "negotiation", "cny", "USD"]),
    )


@FAST
@given(value=_typed_value(), ftype=st.sampled_from(TYPES))
def test_a_value_compared_with_itself_matches(value, ftype):
    """compare_cell(v, v, t) is ``match`` for every value and every canonical type."""
    assert compare_cell(value, value, ftype) == MATCH


@FAST
@given(value=_typed_value(), ftype=st.sampled_from(TYPES), pad=st.sampled_from([" ", "\t", "\u3000", "  \n"]))
def test_a_value_compared_with_itself_rewritten_is_a_format_difference_at_most(value, ftype, pad):
    """The same value with surrounding white space, or decomposed (NFD), is ``match`` or ``format``.

    Precondition: the value is not empty after trimming (both-empty cells are not compared, DESIGN).
    """
    assume(nz.text(value) != "")
    for other in (pad + value + pad, unicodedata.normalize("NFD", value)):
        assert compare_cell(value, other, ftype, region="CN") in (MATCH, FORMAT), other
        assert compare_cell(other, value, ftype, region="CN") in (MATCH, FORMAT), other


# Letters and punctuation of several scripts, without '?', U+FFFD and characters outside the BMP: those make
# the encoding rule (order 5) apply before truncation (order 6).
PREFIX_TEXT = st.text(
    st.characters(
        max_codepoint=0xFFFF, blacklist_categories=("Cs", "Cc", "Zl", "Zp"), blacklist_characters="?\ufffd"
    ),
    min_size=2,
    max_size=40,
)


@FAST
@given(ref=PREFIX_TEXT, cut=st.integers(min_value=1, max_value=39))
@example(ref="北京华联商厦股份有限公司", cut=6)
@example(ref="Acme Industrial Supplies Ltd", cut=10)
def test_a_strict_prefix_is_truncated(ref, cut):
    """A non-empty strict prefix ``e`` of the reference ``r`` classifies as ``truncated``.

    Precisely: ``e = r[:cut]``, and after normalisation (NFC, trimmed) ``e`` is non-empty, differs from
    ``r`` and is still a prefix of it. Excluded, because DESIGN's order puts them first: both parsing as
    numbers (numeric_precision), both phone-like (leading_zero), a plain-ASCII prefix of a reference with
    non-ASCII characters (a codec that drops what it cannot decode can give the same text: encoding), and —
    by the alphabet — '?', U+FFFD and characters outside the BMP (encoding).
    """
    ref = unicodedata.normalize("NFC", ref)
    exp = ref[:cut]
    r, e = nz.text(ref), nz.text(exp)
    assume(e != "" and e != r and r.startswith(e))
    assume(nz.number(ref) is None or nz.number(exp) is None)
    assume(not (nz.looks_like_phone(r) and nz.looks_like_phone(e)))
    assume(not (e.isascii() and not r.isascii()))
    assert cl.classify(ref, exp, schema.STRING) == cl.TRUNCATED
    assert compare_cell(ref, exp, schema.STRING) == cl.TRUNCATED


NON_ASCII_TEXT = st.text(
    st.characters(max_codepoint=0xFFFF, blacklist_categories=("Cs", "Cc", "Zl", "Zp")),
    min_size=1,
    max_size=30,
).filter(lambda s: not s.isascii())


@FAST
@given(ref=NON_ASCII_TEXT)
@example(ref="张伟")
@example(ref="Müller GmbH")
@example(ref="北京")
@example(ref="\ufa2a")  # found by Hypothesis: a CJK compatibility ideograph, U+98EF 飯 after NFC
@example(ref="\xa0¡")  # found by Hypothesis: white space that trimming removes was garbled too
def test_utf8_read_as_gbk_is_encoding(ref):
    """A string with non-ASCII characters, UTF-8-encoded and decoded as GBK with replacement, is ``encoding``.

    Preconditions: the garbled text differs from the original after normalisation (it always does when a
    non-ASCII character survives trimming) and is not empty, and the two do not both read as numbers
    (numeric_precision comes first).
    """
    exp = ref.encode("utf-8").decode("gbk", errors="replace")
    assume(nz.text(exp) != "" and nz.text(exp) != nz.text(ref) and not nz.text(ref).isascii())
    assume(nz.number(ref) is None or nz.number(exp) is None)
    assert cl.classify(ref, exp, schema.STRING) == cl.ENCODING
    assert compare_cell(ref, exp, schema.STRING) == cl.ENCODING


@FAST
@given(value=_typed_value())
@example(value="1,000")  # found by Hypothesis: a phone's digit fallback re-read with a region changed
@example(value="Tel: 0755 8888 1234")
@example(value="000000000")  # found by Hypothesis: E.164 of an impossible number does not read back alike
@example(value="01:+")
@example(value="+000000")
@example(value="0001-01-01T00:00:00+08:00")  # found by Hypothesis: OverflowError (a "no date" sentinel)
@example(value="0001-01-01")
def test_normalisation_is_idempotent(value):
    """Each normaliser applied to its own output gives that output again."""
    t = nz.text(value)
    assert nz.text(t) == t
    assert nz.email(nz.email(value)) == nz.email(value)
    assert nz.email(nz.email(value, True), True) == nz.email(value, True)
    assert nz.picklist(nz.picklist(value)) == nz.picklist(value)
    assert nz.digits(nz.digits(value)) == nz.digits(value)
    n = nz.number(value)
    if n is not None:
        assert nz.number(format(n, "f")) == n
    i = nz.instant(value, "Asia/Shanghai")
    if i is not None:
        assert nz.instant(i.isoformat(), "UTC") == i
    d = nz.day(value)
    if d is not None:
        assert nz.day(d.isoformat()) == d
    for region in (None, "CN", "US"):
        p = nz.phone(value, region)
        if p is not None:
            assert nz.phone(p, region) == p
    for ftype in TYPES:
        once = nz.normalise(value, ftype, region="CN") if t else None
        if isinstance(once, str) and once:
            assert nz.normalise(once, ftype, region="CN") == once, ftype


REGIONS = ["CN", "US", "GB", "DE", "HK", "JP", "FR"]
KINDS = [phonenumbers.PhoneNumberType.FIXED_LINE, phonenumbers.PhoneNumberType.MOBILE]


@st.composite
def phone_numbers(draw) -> tuple[phonenumbers.PhoneNumber, str]:
    """A valid number of a region: an example number with its last digits redrawn until it is valid."""
    region = draw(st.sampled_from(REGIONS))
    example_number = phonenumbers.example_number_for_type(region, draw(st.sampled_from(KINDS)))
    national = str(example_number.national_number)
    k = draw(st.integers(min_value=1, max_value=min(6, len(national) - 1)))
    tail = draw(st.text("0123456789", min_size=k, max_size=k))
    number = phonenumbers.parse(f"+{example_number.country_code}{national[:-k]}{tail}", None)
    assume(phonenumbers.is_valid_number(number))
    return number, region


@FAST
@given(drawn=phone_numbers())
def test_every_format_of_one_phone_number_normalises_alike(drawn):
    """E.164, international, national and RFC 3966 (without 'tel:') forms of one number normalise to its
    E.164 form — phonenumbers is the oracle — with the number's region, and compare as a format difference."""
    number, region = drawn
    oracle = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    forms = [
        phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164),
        phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL),
        phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL),
        phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.RFC3966).removeprefix("tel:"),
    ]
    for form in forms:
        assert nz.phone(form, region) == oracle, form
    for a in forms:
        for b in forms:
            assert compare_cell(a, b, schema.PHONE, region=region) in (MATCH, FORMAT), (a, b)


@pytest.mark.parametrize("region", REGIONS)
def test_the_phone_strategy_yields_valid_numbers(region):
    """Negative control for the strategy: the example numbers it starts from are valid."""
    for kind in KINDS:
        n = phonenumbers.example_number_for_type(region, kind)
        assert n is not None and phonenumbers.is_valid_number(n)


FIELD_VALUES = {
    "name": BMP_TEXT,
    "phone": st.from_regex(r"\+?[0-9][0-9 ()\-]{5,16}", fullmatch=True),
    "email": st.emails(),
    "created_at": st.datetimes().map(lambda d: d.isoformat()),
    "notes": BMP_TEXT,
    "x_custom": BMP_TEXT,
}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=st.lists(st.fixed_dictionaries(FIELD_VALUES), min_size=1, max_size=25),
    pad=st.sampled_from([" ", "\u3000", "\t"]),
)
def test_a_dataset_compared_with_itself_rewritten_matches_every_cell(rows, pad):
    """The vectorised engine agrees: a customer table compared with a copy whose values are padded with white
    space and decomposed (NFD) pairs every record, and every compared cell is matched (no defect)."""
    import pyarrow as pa

    from portcheck.canonical import CanonicalDataset, CanonicalTable
    from portcheck.compare.engine import CompareOptions, compare_datasets

    def dataset(values: list[dict[str, str]]) -> CanonicalDataset:
        cols = {"customer_id": [f"K{i}" for i in range(len(values))]}
        for f in FIELD_VALUES:
            cols[f] = [v[f] for v in values]
        table = CanonicalTable(object="customer", table=pa.table(cols), region="CN")
        return CanonicalDataset(
            role="x",
            root="x",
            profile_name="canonical",
            profile_sha256="",
            objects={"customer": table, "contact": None, "opportunity": None},
            inputs=[],
        )

    rewritten = [{f: pad + unicodedata.normalize("NFD", v) + pad for f, v in r.items()} for r in rows]
    result = compare_datasets(dataset(rows), dataset(rewritten), CompareOptions(region="CN"))["customer"]
    assert result.matched == len(rows) and result.missing == result.extra == 0
    assert result.cells_matched == result.compared, result.mismatches[:5]
    assert not any(result.defect_totals().values())
