"""Fuzzy duplicates: the same customer or contact under distinct keys, and look-alikes kept apart."""

from __future__ import annotations

import time

import pyarrow as pa
import pytest

from portcheck.checks import normalize as nz
from portcheck.checks.fuzzy import find_clusters, rules_for
from portcheck.errors import UsageError
from tests.checks.helpers import table


def _clusters(t, **overrides):
    return [(c.keys, c.matched_on) for c in find_clusters(t, rules_for(t.object, overrides or None))]


def test_chinese_company_name_variants_are_one_customer():
    """Brackets (half- and full-width), full-width letters, inserted spaces, traditional characters."""
    names = ["深圳华信科技有限公司", "深圳华信科技(有限公司)", "深圳华信科技（有限公司）",
             "深圳 华信 科技 有限 公司", "深圳華信科技有限公司", "ＳＺ华信", "北京华信科技有限公司"]
    t = table("customer", customer_id=[f"c{i}" for i in range(1, 8)], name=names)
    assert _clusters(t) == [(["c1", "c2", "c3", "c4", "c5"], ["name"])]


def test_one_phone_written_three_ways_joins_one_person():
    """Three 张伟 contacts share +86 755 8888 1234 in three notations; a fourth 张伟 has another number."""
    t = table("contact", region="CN", contact_id=["p1", "p2", "p3", "p4"], full_name=["张伟"] * 4,
              phone=["+86 755 8888 1234", "0755-8888 1234", "(0755) 88881234", "0755-8888 4321"])
    assert _clusters(t) == [(["p1", "p2", "p3"], ["name", "phone"])]


def test_a_phone_in_the_rows_country_is_read_in_that_country():
    """No default region: each row's country decides how its national number reads."""
    t = table("customer", customer_id=["c1", "c2", "c3"], name=["Huaxin Tech", "Huaxin Tech.", "Huaxin Tech"],
              phone=["+86 755 8888 1234", "0755 8888 1234", "0755 8888 1234"], country=["CN", "中国", "GB"])
    # c1/c2 agree on the phone; c3 is in another country (a veto) although its name is the same
    assert _clusters(t, exact_name_alone=False) == [(["c1", "c2"], ["name", "phone"])]


@pytest.mark.parametrize("same_phone", [False, True])
def test_names_differing_only_in_a_number_stay_apart(same_phone):
    t = table("customer", region="CN", customer_id=["c12", "c13"],
              name=["深圳华信科技有限公司12", "深圳华信科技有限公司13"],
              phone=["0755-8888 1212", "0755-8888 1212" if same_phone else "0755-8888 1313"],
              email=["a12@huaxin.cn", "a13@huaxin.cn"])
    assert _clusters(t) == []


def test_different_tax_ids_keep_same_named_companies_apart():
    t = table("customer", customer_id=["c1", "c2", "c3"], name=["华信科技有限公司"] * 3,
              tax_id=["91110000600037341L", "91440300MA5DC7PH1X", "91110000600037341L"])
    assert _clusters(t) == [(["c1", "c3"], ["name", "tax_id"])]


def test_a_company_with_a_qualifier_is_another_company():
    t = table("customer", customer_id=["a", "b", "c"],
              name=["United Oil & Gas Corp.", "United Oil & Gas, UK", "United Oil & Gas, Singapore"],
              website=["http://www.uos.com"] * 3)
    assert _clusters(t) == []


def test_legal_suffixes_and_case_do_not_make_two_companies():
    t = table("customer", customer_id=["a", "b", "c"],
              name=["Shenzhen Huaxin Technology Co., Ltd.", "SHENZHEN HUAXIN TECHNOLOGY LIMITED", "Costco"])
    assert _clusters(t) == [(["a", "b"], ["name"])]


def test_a_common_person_name_at_two_companies_is_two_people():
    t = table("contact", region="CN", contact_id=["p1", "p2"], full_name=["王伟", "王伟"],
              customer_id=["c1", "c2"], phone=["138 0013 8000", "139 0013 9000"], email=["w@a.cn", "w@b.cn"])
    assert _clusters(t) == []


def test_a_person_name_with_a_shared_mobile_or_email_is_one_person():
    t = table("contact", region="CN", contact_id=["p1", "p2", "p3", "p4"],
              full_name=["王伟", "王 伟", "王伟", "李娜"],
              phone=["138 0013 8000", None, None, None], mobile=[None, "+86 13800138000", None, None],
              email=[None, "W.Wang@Example.cn", "w.wang@example.cn", "w.wang@example.cn"])
    assert _clusters(t) == [(["p1", "p2", "p3"], ["name", "email", "phone"])]


def test_gmail_dots_and_tags_are_ignored_only_for_gmail():
    t = table("contact", contact_id=["p1", "p2", "p3", "p4"], full_name=["John Smith"] * 4,
              email=["john.smith+crm@gmail.com", "JohnSmith@googlemail.com", "john.smith@corp.com",
                     "johnsmith@corp.com"])
    assert _clusters(t) == [(["p1", "p2"], ["name", "email"])]


def test_a_person_name_alone_cannot_be_configured_to_merge():
    with pytest.raises(UsageError):
        rules_for("contact", {"exact_name_alone": True})
    with pytest.raises(UsageError):
        rules_for("contact", {"min_agree": 0})


def test_rules_can_be_overridden_per_object():
    """Turning off exact-name merging for companies leaves name-only look-alikes apart."""
    t = table("customer", customer_id=["c1", "c2"], name=["深圳华信科技有限公司", "深圳华信科技(有限公司)"])
    assert _clusters(t, exact_name_alone=False) == []
    assert _clusters(t) == [(["c1", "c2"], ["name"])]


def test_repeated_keys_are_not_fuzzy_duplicates_of_themselves():
    t = table("customer", customer_id=["c1", "c1", "c2"], name=["华信科技有限公司"] * 3)
    assert _clusters(t) == [(["c1", "c2"], ["name"])]


def test_opportunities_have_no_fuzzy_rules():
    t = table("opportunity", opportunity_id=["o1", "o2"], name=["Deal", "Deal"])
    assert find_clusters(t) == []


def test_a_huge_block_of_one_common_name_is_compared_near_linearly():
    """3,000 contacts called 王伟 with nothing else in common: a window bounds the comparisons."""
    from portcheck.checks._arrow import clean, column_or_nulls
    from portcheck.checks.fuzzy import _candidate_pairs, _prepare

    n = 3000
    t = table("contact", contact_id=[f"p{i}" for i in range(n)], full_name=["王伟"] * n,
              email=[f"w{i}@x.cn" for i in range(n)])
    rules = rules_for("contact")
    prepared = _prepare(t.table, lambda c: clean(column_or_nulls(t.table, c)), rules, None)
    left, _ = _candidate_pairs(prepared, rules, n)
    assert len(left) <= n * rules["window"]
    start = time.perf_counter()
    assert find_clusters(t) == []
    assert time.perf_counter() - start < 5


def test_company_key_normalisation():
    got = nz.company_key(pa.array(["华信科技（集团）股份有限公司", "Acme GmbH & Co. KG",
                                   "Costco Wholesale Corp", "有限公司", None])).to_pylist()
    assert got == ["华信科技", "acme", "costcowholesale", None, None]


def test_phone_key_reads_numbers_in_their_row_region():
    got = nz.phone_key(pa.array(["0755-8888 1234", "+86 755 8888 1234", "(0755) 88881234", "12"]),
                       pa.array(["CN", None, None, "CN"])).to_pylist()
    assert got == ["+8675588881234", "+8675588881234", "075588881234", None]


def test_namesakes_sharing_a_switchboard_but_not_email_or_mobile_are_two_people():
    """Two Zoë Dubois at one company: the office phone agrees, the mobile and the email do not."""
    t = table("contact", region="GB", contact_id=["p1", "p2"], full_name=["Zoë Dubois"] * 2,
              customer_id=["c1", "c1"], phone=["+44 20 7946 0743"] * 2,
              mobile=["07700 900454", "+44 7700 900677"],
              email=["zoe.dubois@maple.example.com", "zoe.dubois2@maple.example.com"])
    assert _clusters(t) == []


def test_same_company_name_with_contradicting_phone_and_email_is_not_merged():
    """Clearview Energy GmbH in London and Clearview Energy plc in Manchester: nothing but the name agrees."""
    t = table("customer", country=["GB", "GB", "GB"], customer_id=["c1", "c2", "c3"],
              name=["Clearview Energy GmbH", "Clearview Energy plc", "Clearview Energy Ltd."],
              phone=["+44 20 7946 0130", "0161 496 0310", "020 7946 0130"],
              email=["service@clearview-it.example.com", "service@clearview-electronics.example.com", None])
    assert _clusters(t) == [(["c1", "c3"], ["name", "phone"])]


@pytest.mark.parametrize("obj,overrides", [
    ("contact", None), ("contact", {"min_agree": 2}), ("customer", None),
    ("customer", {"exact_name_alone": False, "min_agree_without_name": 2, "outvote": False}),
])
def test_pairs_left_out_before_scoring_are_pairs_the_scorer_rejects(obj, overrides):
    """Candidate pairs are pruned by integer field codes before names are scored; on random records
    (few names, shared phones, emails and tax IDs) every same-block pair the scorer matches survives."""
    import itertools
    import random

    import numpy as np

    from portcheck.checks import fuzzy
    from portcheck.checks._arrow import clean, column_or_nulls

    rng = random.Random(f"{obj}{overrides}")
    n = 300
    names = ["王伟", "王 伟", "李娜", "李娜娜", "Acme Co", "ACME co.", "深圳华信科技有限公司", "深圳華信科技"]
    cols = {
        "name" if obj == "customer" else "full_name": [rng.choice(names + [None]) for _ in range(n)],
        "email": [rng.choice([None, "a@x.cn", "b@x.cn", "A@X.CN", "c@y.cn"]) for _ in range(n)],
        "phone": [rng.choice([None, "0755-88881234", "+86 755 8888 1234", "13800138000", "010-1234 5678"])
                  for _ in range(n)],
        "mobile": [rng.choice([None, "13800138000", "13900139000"]) for _ in range(n)],
        "tax_id": [rng.choice([None, "91A", "91B"]) for _ in range(n)],
        "address": [rng.choice([None, "科技路1号", "科技路1号 ", "人民路2号"]) for _ in range(n)],
    }
    ct = table(obj, region="CN", **{"customer_id" if obj == "customer" else "contact_id":
                                    [f"k{i}" for i in range(n)]}, **cols)
    rules = fuzzy.rules_for(obj, {**(overrides or {}), "window": n})
    col = lambda name: clean(column_or_nulls(ct.table, name))  # noqa: E731
    prepared = fuzzy._prepare(ct.table, col, rules, ct.region)
    kept = set(zip(*fuzzy._candidate_pairs(prepared, rules, n), strict=True))
    blocks: dict[tuple, list[int]] = {}
    for i, spec in enumerate(rules["block_on"]):
        for arr in fuzzy._block_keys(prepared, spec):
            for row, v in enumerate(arr.to_pylist()):
                if v is not None:
                    blocks.setdefault((i, v), []).append(row)
    same_block = {(a, b) for rows in blocks.values() for a, b in itertools.combinations(sorted(set(rows)), 2)}
    left, right = (np.array(x, np.int64) for x in zip(*sorted(same_block), strict=True))
    matched, _, _ = fuzzy._score(prepared, rules, left, right)
    must_keep = set(zip(left[matched].tolist(), right[matched].tolist(), strict=True))
    assert must_keep  # the data has matches to lose
    assert must_keep <= kept


@pytest.mark.parametrize("window", [2, 5, 30])
@pytest.mark.parametrize("block_on", [["email", "phone", "name"], ["phone", "name_prefix:1", "email"]])
def test_skipping_redundant_name_blocks_finds_the_same_matches(monkeypatch, window, block_on):
    """The default contact rules need an e-mail or phone to agree, and block on both: the name blocks
    would add no match, even when blocks hold more namesakes than ``window`` (few names; a few hundred
    phones and e-mails, each shared by several records)."""
    import random

    from portcheck.checks import fuzzy
    from portcheck.checks._arrow import clean, column_or_nulls

    rng = random.Random(f"{window}{block_on}")
    n = 3000
    names = ["王伟", "王 伟", "王伟伟", "李娜", "李 娜", "张三", "Ann Lee", "ann lee", "Anne Lee", None]
    ct = table("contact", region="CN", contact_id=[f"k{i}" for i in range(n)],
               full_name=[rng.choice(names) for _ in range(n)],
               email=[rng.choice([None, f"u{rng.randrange(400)}@x.cn", f"U{rng.randrange(400)}@x.cn"])
                      for _ in range(n)],
               phone=[rng.choice([None, f"0755-8888{rng.randrange(300):04d}",
                                  f"+86 755 8888 {rng.randrange(300):04d}"]) for _ in range(n)],
               mobile=[rng.choice([None, None, f"13800{rng.randrange(300):06d}"]) for _ in range(n)])
    rules = fuzzy.rules_for("contact", {"window": window, "block_on": block_on})
    assert fuzzy._name_blocks_redundant(rules)
    col = lambda name: clean(column_or_nulls(ct.table, name))  # noqa: E731
    prepared = fuzzy._prepare(ct.table, col, rules, ct.region)

    def matches() -> set[tuple[int, int]]:
        left, right = fuzzy._candidate_pairs(prepared, rules, n)
        matched, _, _ = fuzzy._score(prepared, rules, left, right)
        return set(zip(left[matched].tolist(), right[matched].tolist(), strict=True))

    skipped, clusters = matches(), [(c.keys, c.matched_on, c.score) for c in find_clusters(ct, rules)]
    candidates = [a.tolist() for a in fuzzy._candidate_pairs(prepared, rules, n)]
    monkeypatch.setattr(fuzzy, "_name_blocks_redundant", lambda _rules: False)
    built = matches()
    assert len(built) > 100 and skipped == built
    assert len(clusters) > 20
    assert clusters == [(c.keys, c.matched_on, c.score) for c in find_clusters(ct, rules)]
    # even the pairs left for scoring are the same: pruning keeps only pairs sharing an e-mail or phone
    assert candidates == [a.tolist() for a in fuzzy._candidate_pairs(prepared, rules, n)]


@pytest.mark.parametrize("obj,overrides,redundant", [
    ("contact", None, True),
    ("contact", {"block_on": ["email", "name"]}, False),  # phone may corroborate, and is not blocked on
    ("contact", {"fields": [{"name": "email", "fields": ["email"], "kind": "email"},
                            {"name": "title", "fields": ["title"], "kind": "text"}]}, False),  # similarity
    ("contact", {"fields": [{"name": "email", "fields": ["email"], "kind": "email"},
                            {"name": "title", "fields": ["title"], "kind": "text", "corroborates": False}],
                 "block_on": ["email", "name"]}, True),
    ("contact", {"fields": [{"name": "email", "fields": ["email"], "kind": "id", "threshold": 0.8}],
                 "block_on": ["email", "name"]}, False),  # typos accepted: not equality
    ("customer", None, False),  # a company name alone may match
    ("customer", {"exact_name_alone": False, "block_on": ["tax_id", "name"],
                  "fields": [{"name": "tax_id", "fields": ["tax_id"], "kind": "id"}]}, True),
])
def test_name_blocks_are_skipped_only_when_they_cannot_add_a_match(obj, overrides, redundant):
    from portcheck.checks import fuzzy

    assert fuzzy._name_blocks_redundant(fuzzy.rules_for(obj, overrides)) is redundant


def test_traditional_to_simplified_on_the_values_that_need_it_equals_translating_every_value():
    from portcheck.checks.normalize import _T, T2S, _t2s

    values = [c for c in _T] + [f"深圳{c}信科技" for c in _T] + ["深圳华信", None, "", "abc", "東京 Co."]
    got = _t2s(pa.array(values, pa.string())).to_pylist()
    assert got == [v.translate(T2S) if v is not None else None for v in values]
    plain = ["深圳华信", "abc", None]
    assert _t2s(pa.array(plain, pa.string())).to_pylist() == plain


@pytest.mark.parametrize("top", [1, 1400, 70_000, 3_000_000])
def test_stable_order_is_lexsort_by_key_then_position(top):
    import numpy as np

    from portcheck.checks.fuzzy import _stable_order

    keys = np.random.default_rng(top).integers(0, top, 50_000).astype(np.int64)
    assert (_stable_order(keys) == np.lexsort((np.arange(len(keys)), keys))).all()
    assert len(_stable_order(keys[:0])) == 0
