"""Validity: every expectation of every suite has a table that passes it and one that fails it.

Each case gives, for one expectation, the columns of a passing table, the columns of a failing table and
how many values of the failing table are unexpected. The fast engine must find exactly that count, and
GX itself (the oracle) must return the very same result for that expectation.
"""

from __future__ import annotations

import copy

import pytest

from portcheck.checks.suite import build_suite
from portcheck.checks.validity import checks_from_result, mask_gx_result, run_fast, run_gx, validate
from portcheck.schema import OBJECTS
from tests.checks.helpers import table

SCI = ["3.38893E+18", "1E+5"]
CASES: dict[tuple[str, str], tuple[dict, dict, int]] = {
    # customer
    ("customer", "customer_id_not_empty"): ({"customer_id": ["c1", "c2"]},
                                            {"customer_id": ["c1", "", None, "  "]}, 3),
    ("customer", "customer_id_unique"): ({"customer_id": ["c1", "c2", None, None]},
                                         {"customer_id": ["c1", "c1", "c2", " c1 "]}, 3),
    ("customer", "customer_id_not_scientific"): ({"customer_id": ["3388926000000166021", "E100"]},
                                                 {"customer_id": [*SCI, "c1"]}, 2),
    ("customer", "name_not_empty"): ({"name": ["华信"]}, {"name": ["华信", None, ""]}, 2),
    ("customer", "phone_not_scientific"): ({"phone": ["13800138000"]}, {"phone": ["1.38001E+10", "138"]}, 1),
    ("customer", "phone_valid_for_region"): (
        {"phone": ["0755-8888 1234", "+1 650-253-0000", "138 0013 8000", "12"],
         "country": ["CN", "US", "中国", None]},
        {"phone": ["0755-8888 123", "+86 12", "650-253-0000", "12"],
         "country": ["CN", None, "China", None]}, 3),
    ("customer", "email_format"): ({"email": ["a@b.com", "张三@例子.中国", "o'brien@x.ie", None]},
                                   {"email": ["bad", "a@b", "a@b.com", "a b@c.com", "a..b@c.com"]}, 4),
    ("customer", "tax_id_not_scientific"): ({"tax_id": ["91110000600037341L"]},
                                            {"tax_id": ["9.1110E+17"]}, 1),
    ("customer", "tax_id_uscc_check_digit"): (
        {"tax_id": ["91110000600037341L", "9111 0000 6000 3734 1L", "123456789", "US-12-3456789"]},
        {"tax_id": ["91110000600037341X", "91110000600037341l", "91110000600037341O"]}, 2),
    ("customer", "created_at_instant"): (
        {"created_at": ["2024-03-01T10:00:00+08:00", "2024-03-01 10:00", "2024-03-01T02:00:00.123Z",
                        "2024-02-29"]},
        {"created_at": ["2024-02-30T10:00:00Z", "01/03/2024", "2024-03-01T25:00:00",
                        "2024-03-01T10:00:00Z"]}, 3),
    ("customer", "updated_at_instant"): ({"updated_at": ["2024-03-01T10:00:00Z"]},
                                         {"updated_at": ["yesterday", "2024-03-01T10:00:00Z"]}, 1),
    # contact
    ("contact", "contact_id_not_empty"): ({"contact_id": ["p1"]}, {"contact_id": ["p1", None]}, 1),
    ("contact", "contact_id_unique"): ({"contact_id": ["p1", "p2"]}, {"contact_id": ["p1", "p1"]}, 2),
    ("contact", "contact_id_not_scientific"): ({"contact_id": ["p1"]}, {"contact_id": ["1.2E+3"]}, 1),
    ("contact", "customer_id_not_scientific"): ({"customer_id": ["c1"]},
                                                {"customer_id": ["c1", "3.4e+18"]}, 1),
    ("contact", "full_name_not_empty"): ({"full_name": ["王伟"]}, {"full_name": [" ", "王伟"]}, 1),
    ("contact", "email_format"): ({"email": ["x@y.cn"]}, {"email": ["x@y", "x@y.cn"]}, 1),
    ("contact", "phone_not_scientific"): ({"phone": ["010-6552 9988"]}, {"phone": ["1.06553E+9"]}, 1),
    ("contact", "phone_valid_for_region"): ({"phone": ["010-6552 9988", "+44 20 7946 0958"]},
                                            {"phone": ["010-6552", "+44 20 7946 0958"]}, 1),
    ("contact", "mobile_not_scientific"): ({"mobile": ["13800138000"]}, {"mobile": ["1.38001E+10"]}, 1),
    ("contact", "mobile_valid_for_region"): ({"mobile": ["13800138000"]},
                                             {"mobile": ["1380013800", "99"]}, 2),
    ("contact", "is_primary_boolean"): ({"is_primary": ["true", "false", None]},
                                        {"is_primary": ["yes", "TRUE", "true"]}, 2),
    ("contact", "created_at_instant"): ({"created_at": ["2024-01-01T00:00:00"]},
                                        {"created_at": ["2024-13-01"]}, 1),
    ("contact", "updated_at_instant"): ({"updated_at": ["2024-01-01"]}, {"updated_at": ["20240101"]}, 1),
    # opportunity
    ("opportunity", "opportunity_id_not_empty"): ({"opportunity_id": ["o1"]},
                                                  {"opportunity_id": [None, None]}, 2),
    ("opportunity", "opportunity_id_unique"): ({"opportunity_id": ["o1", "o2"]},
                                               {"opportunity_id": ["o1", "o2", "o2", "o2"]}, 3),
    ("opportunity", "opportunity_id_not_scientific"): ({"opportunity_id": ["o1"]},
                                                       {"opportunity_id": ["6.0E+17", "o1"]}, 1),
    ("opportunity", "customer_id_not_empty"): ({"customer_id": ["c1"]}, {"customer_id": ["", "c1"]}, 1),
    ("opportunity", "customer_id_not_scientific"): ({"customer_id": ["c1"]}, {"customer_id": ["1e+10"]}, 1),
    ("opportunity", "contact_id_not_scientific"): ({"contact_id": ["p1", None]},
                                                   {"contact_id": ["1E+10"]}, 1),
    ("opportunity", "name_not_empty"): ({"name": ["Deal"]}, {"name": [None, "Deal"]}, 1),
    ("opportunity", "stage_not_empty"): ({"stage": ["won"]}, {"stage": ["", "won"]}, 1),
    ("opportunity", "stage_canonical"): ({"stage": ["lead", "won", "lost", "needs_analysis"]},
                                         {"stage": ["Closed Won", "won", "赢单", "WON"]}, 3),
    ("opportunity", "amount_decimal"): ({"amount": ["1234.5", "1,234.50", "¥1,234.50", "0", "$ 99"]},
                                        {"amount": ["-5", "1e3", "1,23.4", "abc", "12.5"]}, 4),
    ("opportunity", "currency_iso4217"): ({"currency": ["CNY", "USD", "EUR", "HKD"]},
                                          {"currency": ["RMB", "usd", "CNY", "XXX"]}, 3),
    ("opportunity", "probability_range"): ({"probability": ["0", "50.5", "100", "10%", "100.0"]},
                                           {"probability": ["101", "-1", "abc", "0.5", "100.5"]}, 4),
    ("opportunity", "expected_close_date_date"): ({"expected_close_date": ["2024-02-29", "2025-12-31"]},
                                                  {"expected_close_date": [
                                                      "2023-02-29", "2024/01/01", "2024-1-1",
                                                      "2024-03-01T00:00:00"]}, 4),
    ("opportunity", "created_at_instant"): ({"created_at": ["2024-06-30T23:59:60Z"]},
                                            {"created_at": ["2024-06-31T00:00:00Z"]}, 1),
    ("opportunity", "updated_at_instant"): ({"updated_at": ["2024-06-30 08:00:00+0800"]},
                                            {"updated_at": ["2024-06-30 08:00:00 CST"]}, 1),
}
REGION = {"contact": "CN"}  # contacts have no country field: their phones are read in the table's region


def _result(doc: dict, short: str) -> dict:
    found = [r for r in doc["results"] if r["expectation_config"]["meta"]["portcheck"]["short_name"] == short]
    assert len(found) == 1, f"{short} not evaluated exactly once"
    return found[0]


def _run(obj: str, columns: dict, engine: str) -> tuple[dict, list]:
    return validate(table(obj, region=REGION.get(obj), **columns), engine=engine)


def test_every_expectation_of_every_suite_has_a_case():
    shorts = {(obj, e["meta"]["portcheck"]["short_name"]) for obj in OBJECTS
              for e in build_suite(obj)["expectations"]}
    assert shorts == set(CASES)


@pytest.mark.parametrize("case", sorted(CASES), ids=lambda c: f"{c[0]}.{c[1]}")
def test_fast_engine_counts_unexpected_values(case):
    obj, short = case
    passing, failing, expected = CASES[case]
    doc, checks = _run(obj, passing, "fast")
    assert _result(doc, short)["result"]["unexpected_count"] == 0
    check = next(c for c in checks if c.id == f"{obj}.validity.{short}")
    assert check.status == "pass" and check.observed == 1.0 and not check.gating

    doc, checks = _run(obj, failing, "fast")
    assert _result(doc, short)["result"]["unexpected_count"] == expected
    check = next(c for c in checks if c.id == f"{obj}.validity.{short}")
    assert check.status == "warn" and check.threshold == 0.99 and check.observed < 0.99


@pytest.mark.parametrize("case", sorted(CASES), ids=lambda c: f"{c[0]}.{c[1]}")
def test_fast_engine_result_is_identical_to_gx(case):
    obj, short = case
    for columns in CASES[case][:2]:
        fast, _ = _run(obj, columns, "fast")
        gx, _ = _run(obj, columns, "gx")
        assert _result(fast, short) == _result(gx, short)


def test_whole_documents_agree_on_a_mixed_table():
    """All opportunity cases side by side (padded with nulls): same results, statistics and success."""
    cols: dict[str, list] = {}
    for (obj, _), (good, bad, _) in CASES.items():
        if obj != "opportunity":
            continue
        for k, v in {**good}.items():
            cols.setdefault(k, []).extend(v)
        for k, v in bad.items():
            cols.setdefault(k, []).extend(v)
    n = max(len(v) for v in cols.values())
    cols = {k: v + [None] * (n - len(v)) for k, v in cols.items()}
    fast, fast_checks = _run("opportunity", cols, "fast")
    gx, gx_checks = _run("opportunity", cols, "gx")
    assert fast["results"] == gx["results"]
    assert fast["statistics"] == gx["statistics"] and fast["success"] == gx["success"]
    assert [c.to_dict() for c in fast_checks] == [c.to_dict() for c in gx_checks]


@pytest.mark.parametrize("obj", OBJECTS)
def test_column_tasks_in_any_order_on_two_threads_make_the_same_document(obj):
    """The checks share validity out column by column between two threads: whatever order the tasks run
    in, the document equals the fast engine's run over the whole prepared table."""
    import random
    import threading

    from portcheck.checks.validity import assemble, column_tasks, prepare_table

    cols: dict[str, list] = {}
    for (o, _), (good, bad, _) in CASES.items():
        if o == obj:
            for part in (good, bad):
                for k, v in part.items():
                    cols.setdefault(k, []).extend(v)
    n = max(len(v) for v in cols.values())
    ct = table(obj, region="CN", **{k: v + [None] * (n - len(v)) for k, v in cols.items()})
    suite = build_suite(obj, ct.columns)
    whole = run_fast(prepare_table(ct, suite), suite, obj, rows=ct.rows)
    tasks = column_tasks(ct, suite)
    assert len(tasks) > 2
    random.Random(obj).shuffle(tasks)
    outcomes: list = []
    workers = [threading.Thread(target=lambda part=part: [outcomes.extend(t()) for t in part])
               for part in (tasks[::2], tasks[1::2])]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    doc, checks = assemble(ct, suite, outcomes)
    assert doc == whole
    assert [c.to_dict() for c in checks] == [c.to_dict() for c in checks_from_result(whole, obj)]


def test_phone_without_region_or_plus_is_not_judged():
    """A national number with no country and no default region cannot be judged: it is left out."""
    doc, checks = validate(table("customer", phone=["0755-8888 1234", "+86 755 8888 1234", "12"]))
    r = _result(doc, "phone_valid_for_region")["result"]
    assert (r["element_count"], r["missing_count"], r["unexpected_count"]) == (3, 2, 0)
    doc, _ = validate(table("customer", region="CN", phone=["0755-8888 1234", "+86 755 8888 1234", "12"]))
    assert _result(doc, "phone_valid_for_region")["result"]["unexpected_count"] == 1


def test_success_rate_is_compared_exactly_with_the_threshold():
    emails = ["a@b.com"] * 99 + ["bad"]
    _, checks = validate(table("contact", email=emails))
    check = next(c for c in checks if c.id == "contact.validity.email_format")
    assert check.status == "pass" and check.observed == 0.99  # 99/100 is exactly 0.99: passes
    _, checks = validate(table("contact", email=["a@b.com"] * 98 + ["bad"]))
    check = next(c for c in checks if c.id == "contact.validity.email_format")
    assert check.status == "warn" and check.observed == 0.9899


def test_an_all_empty_column_is_not_assessed():
    _, checks = validate(table("contact", email=[None, "", " "]))
    check = next(c for c in checks if c.id == "contact.validity.email_format")
    assert check.status == "not_assessed" and check.observed is None


def test_mask_gx_result_masks_customer_values_but_not_keys_or_flags():
    doc, _ = validate(table("customer", customer_id=["c1", "c1"], email=["bad-address", "x"],
                            phone=["12", None], country=["CN", None]))
    before = copy.deepcopy(doc)
    masked = mask_gx_result(doc, lambda v: None if v is None else "MASKED")
    assert doc == before  # the input document is left alone
    assert _result(masked, "email_format")["result"]["partial_unexpected_list"] == ["MASKED", "MASKED"]
    assert _result(masked, "email_format")["result"]["partial_unexpected_counts"][0]["value"] == "MASKED"
    assert _result(masked, "customer_id_unique")["result"]["partial_unexpected_list"] == ["c1", "c1"]
    assert _result(masked, "phone_valid_for_region")["result"]["partial_unexpected_list"] == ["invalid"]


def test_engines_share_the_prepared_table():
    """run_fast and run_gx can be called on a prepared table directly (the oracle test's seam)."""
    import pyarrow as pa

    suite = build_suite("opportunity", ["stage"])
    prepared = pa.table({"stage": pa.array(["won", "x", None], pa.string())})
    fast = run_fast(prepared, suite, "opportunity")
    assert fast["results"] == run_gx(prepared, suite, "opportunity")["results"]


def test_unknown_engine_is_a_usage_error():
    from portcheck.errors import UsageError

    with pytest.raises(UsageError):
        validate(table("contact", email=["a@b.com"]), engine="spark")


def test_phones_that_cannot_be_judged_say_why():
    _, checks = validate(table("contact", phone=["(512) 757-6000", "0755 8888 1234"]))
    check = next(c for c in checks if c.id == "contact.validity.phone_valid_for_region")
    assert check.status == "not_assessed" and "--region" in check.message


def test_country_names_and_codes_give_the_phone_region():
    doc, _ = validate(table("customer", phone=["(512) 757-6000", "01 42 68 53 00", "0755 8888 1234", "12"],
                            country=["USA", "France", "中国", "Atlantis"]))
    r = _result(doc, "phone_valid_for_region")["result"]
    assert (r["missing_count"], r["unexpected_count"]) == (1, 0)


def test_a_regex_is_run_only_on_values_holding_a_byte_every_match_holds():
    """Scientific notation is looked for only in values holding an E: the mask equals the regex run on
    every value (nulls whose slots hold bytes, a slice), and the regex matches nothing without an E."""
    import random
    import re

    import pyarrow as pa
    import pyarrow.compute as pc

    from portcheck.checks import rules, validity
    from portcheck.checks._arrow import null_where

    rng = random.Random(3)
    alphabet = "0123456789.,+-Ee x中"
    values = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 8))) for _ in range(20000)]
    values += ["3.38893E+18", "1e5", "-2,5E-3", "E5", "1E", "12345678901234567890"]
    blank = pa.array([rng.random() < 0.05 for _ in values])
    col = null_where(pa.array(["1E9"] + values, pa.string()).slice(1), blank)
    kwargs = {"regex": rules.SCIENTIFIC_REGEX, "column": "x"}
    got = validity._unexpected_mask("expect_column_values_to_not_match_regex", col, kwargs)
    matched = pc.fill_null(pc.match_substring_regex(col, rules.SCIENTIFIC_REGEX), False)
    want = pc.and_(matched, pc.is_valid(col))
    assert got.to_pylist() == want.to_pylist() and 0 < sum(got.to_pylist()) < len(values)
    pattern = re.compile(rules.SCIENTIFIC_REGEX)
    for _ in range(20000):
        v = "".join(rng.choice("0123456789.,+-") for _ in range(rng.randint(0, 12)))
        assert not pattern.search(v)
    for regex, required in validity._REQUIRED_BYTES.items():
        assert all(chr(b) in regex for b in required)
