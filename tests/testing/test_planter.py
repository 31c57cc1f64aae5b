"""The seeded defect planter: exact counts, a complete log, and cells that classify as the kind planted.

Fixture: ``small_dataset(120, seed=1)`` — 120 customers, 360 contacts, 240 opportunities of realistic data
(Chinese and Western names, leading-zero phones and postal codes, instants with offsets, amounts).
"""

from __future__ import annotations

import copy

import pytest

from portcheck.testing.planter import (
    DEFECT_KINDS,
    FORMAT,
    PlantError,
    classify,
    expected_figures,
    load_canonical,
    plant,
    small_dataset,
    write_canonical,
)

KEYS = {"customer": "customer_id", "contact": "contact_id", "opportunity": "opportunity_id"}

COUNTS = {
    "customer": {
        "missing_value": 4,
        "numeric_precision": 3,
        "timezone_shift": 5,
        "leading_zero": 6,
        "encoding": 4,
        "truncated": 5,
        "value_changed": 2,
        "format_email": 3,
        "format_phone": 4,
        "format_instant": 2,
        "format_spaces": 1,
        "remove": 2,
        "duplicate": 1,
        "duplicate_key": 1,
        "extra": 3,
    },
    "contact": {
        "missing_value": 2,
        "numeric_precision": 5,
        "timezone_shift": 1,
        "leading_zero": 3,
        "encoding": 2,
        "truncated": {"full_name": 2, "notes": 1},
        "value_changed": 4,
        "format_email": 5,
        "remove": 3,
        "duplicate": 2,
        "extra": 1,
    },
    "opportunity": {
        "missing_value": 1,
        "numeric_precision": 4,
        "timezone_shift": 2,
        "encoding": 3,
        "truncated": 2,
        "value_changed": 1,
        "format_decimal": 4,
        "format_instant": 2,
        "remove": 1,
        "duplicate_key": 2,
    },
}


@pytest.fixture(scope="module")
def dataset():
    return small_dataset(120, seed=1)


@pytest.fixture(scope="module")
def planted(dataset):
    return plant(dataset, counts=COUNTS, seed=7)


def _wanted(obj, kind):
    v = COUNTS[obj].get(kind, 0)
    return sum(v.values()) if isinstance(v, dict) else v


def _cell_differences(reference, export):
    """(object, key, field) of every cell whose raw value differs, for keys on both sides."""
    out = set()
    for obj, rows in reference.items():
        key = KEYS[obj]
        first = {}
        for r in export[obj]:
            first.setdefault(r[key], r)
        for r in rows:
            e = first.get(r[key])
            if e is None:
                continue
            for f, v in r.items():
                if (e.get(f) or "") != (v or ""):
                    out.add((obj, r[key], f))
    return out


def test_each_defect_kind_is_planted_exactly_as_many_times_as_asked(planted):
    _, log = planted
    for obj in COUNTS:
        assert log.counts(obj) == {k: _wanted(obj, k) for k in DEFECT_KINDS}


def test_per_field_counts_put_defects_in_that_field(planted):
    _, log = planted
    truncated = log.defects("contact")["truncated"]
    assert sorted(f for _, f, _, _ in truncated) == ["full_name", "full_name", "notes"]


def test_the_log_names_every_changed_cell_and_nothing_else(dataset, planted):
    export, log = planted
    logged = {(p.object, p.key, p.field) for p in log.cells + log.formats}
    assert _cell_differences(dataset, export) == logged
    assert len(logged) == len(log.cells) + len(log.formats)  # never two changes in one cell


def test_log_before_and_after_are_the_real_values(dataset, planted):
    export, log = planted
    for p in log.cells + log.formats:
        ref = next(r for r in dataset[p.object] if r[KEYS[p.object]] == p.key)
        exp = next(r for r in export[p.object] if r[KEYS[p.object]] == p.key)
        assert (ref[p.field], exp[p.field]) == (p.before, p.after)


def test_every_planted_cell_classifies_as_its_kind_and_formats_as_matches(dataset, planted):
    _, log = planted
    from portcheck.testing.planter import field_types

    for p in log.cells + log.formats:
        ref = next(r for r in dataset[p.object] if r[KEYS[p.object]] == p.key)
        ftype = field_types(p.object, [p.field])[p.field]
        got = classify(p.before, p.after, ftype, region=ref.get("country") or None)
        assert got == (p.kind if p.kind in DEFECT_KINDS else FORMAT), p


def test_keys_canary_ids_and_country_are_never_touched(planted):
    _, log = planted
    touched = {p.field for p in log.cells + log.formats}
    assert not touched & {"customer_id", "contact_id", "opportunity_id", "x_canary_id", "country"}


def test_record_level_defects_are_logged_and_placed(dataset, planted):
    export, log = planted
    for obj, key in KEYS.items():
        ref_keys = [r[key] for r in dataset[obj]]
        exp_keys = [r[key] for r in export[obj]]
        assert len(log.removed[obj]) == _wanted(obj, "remove")
        assert not set(log.removed[obj]) & set(exp_keys)
        assert len(log.duplicated[obj]) == _wanted(obj, "duplicate")
        assert len(log.duplicated_keys[obj]) == _wanted(obj, "duplicate_key")
        for k in log.duplicated[obj] + log.duplicated_keys[obj]:
            i = exp_keys.index(k)
            assert exp_keys[i + 1] == k  # the copy follows its original, so the original is paired
        for k in log.duplicated[obj]:
            i = exp_keys.index(k)
            assert export[obj][i] == export[obj][i + 1]
        for k in log.duplicated_keys[obj]:
            i = exp_keys.index(k)
            assert export[obj][i] != export[obj][i + 1]
        assert len(log.extra[obj]) == _wanted(obj, "extra")
        assert not set(log.extra[obj]) & set(ref_keys)
        assert exp_keys[len(exp_keys) - len(log.extra[obj]) :] == log.extra[obj]


def test_extra_records_never_point_at_a_removed_parent(planted):
    export, log = planted
    removed_customers = set(log.removed["customer"])
    extras = set(log.extra["contact"])
    for r in export["contact"]:
        if r["contact_id"] in extras:
            assert r["customer_id"] not in removed_customers


def test_expected_figures_follow_from_the_log(dataset, planted):
    export, log = planted
    fig = expected_figures(dataset, log)
    for obj, key in KEYS.items():
        f = fig[obj]
        assert f["records"]["export"] == len(export[obj])
        assert f["records"]["matched"] == len(dataset[obj]) - _wanted(obj, "remove")
        assert f["duplicates"]["keys"] == _wanted(obj, "duplicate") + _wanted(obj, "duplicate_key")
        assert sum(f["defects"].values()) == f["fidelity"]["compared"] - f["fidelity"]["matched"]
        assert key not in f["fidelity"]["fields"]
        assert sum(f["format_differences"].values()) == len([p for p in log.formats if p.object == obj])
    assert fig["customer"]["format_differences"]["email"] == 3


def test_compared_cells_count_a_removed_value_but_not_two_empty_sides(dataset):
    rows = {
        "customer": [
            {"customer_id": "C1", "name": "甲", "website": ""},
            {"customer_id": "C2", "name": "乙", "website": "https://b.example"},
        ]
    }
    export, log = plant(rows, counts={"customer": {"missing_value": {"website": 1}}}, seed=0)
    fig = expected_figures(rows, log)["customer"]["fidelity"]["fields"]
    assert (fig["website"]["compared"], fig["website"]["matched"]) == (1, 0)
    assert (fig["name"]["compared"], fig["name"]["matched"]) == (2, 2)


def test_same_seed_same_export_and_another_seed_another(dataset):
    a = plant(dataset, counts=COUNTS, seed=3)
    b = plant(dataset, counts=COUNTS, seed=3)
    c = plant(dataset, counts=COUNTS, seed=4)
    assert a[0] == b[0] and a[1].to_dict() == b[1].to_dict()
    assert a[0] != c[0]


def test_the_input_dataset_is_not_modified(dataset):
    before = copy.deepcopy(dataset)
    plant(dataset, counts=COUNTS, seed=11)
    assert dataset == before


def test_a_count_that_cannot_be_met_raises(dataset):
    with pytest.raises(PlantError):
        plant(dataset, counts={"opportunity": {"leading_zero": 1}}, seed=0)  # no leading-zero values there
    with pytest.raises(PlantError):
        plant(dataset, counts={"customer": {"no_such_kind": 1}}, seed=0)


def test_flat_counts_apply_to_every_object(dataset):
    _, log = plant(dataset, counts={"missing_value": 2, "remove": 1}, seed=0)
    assert {obj: log.counts(obj)["missing_value"] for obj in KEYS} == {o: 2 for o in KEYS}
    assert {obj: len(v) for obj, v in log.removed.items()} == {o: 1 for o in KEYS}


def test_plant_reads_a_folder_written_by_write_canonical(tmp_path, dataset):
    write_canonical(dataset, tmp_path)
    assert (tmp_path / "contact.csv").read_bytes().startswith(b"contact_id,")
    assert b"\r" not in (tmp_path / "customer.csv").read_bytes()  # LF line ends
    assert load_canonical(tmp_path) == dataset
    from_folder = plant(tmp_path, counts=COUNTS, seed=7)
    from_rows = plant(dataset, counts=COUNTS, seed=7)
    assert from_folder[0] == from_rows[0]


@pytest.mark.parametrize(
    "ref,exp,ftype,region,kind",
    [
        ("0755-88881234", "755-88881234", "phone", "CN", "leading_zero"),
        ("0755-88881234", "+86 755 8888 1234", "phone", "CN", FORMAT),
        ("02139", "2139", "string", None, "leading_zero"),
        ("3388926000000166021", "3.38893E+18", "string", None, "numeric_precision"),
        ("1234.5", "1,234.50", "decimal", None, FORMAT),
        ("1234.56", "1235", "decimal", None, "numeric_precision"),
        ("2024-03-01T10:00:00+08:00", "2024-03-01T02:00:00Z", "instant", None, FORMAT),
        ("2024-03-01T10:00:00+08:00", "2024-03-01T10:00:00Z", "instant", None, "timezone_shift"),
        ("Sales@Example.com", "sales@example.com", "email", None, FORMAT),
        ("深圳市", "æ·±åœ³å¸‚", "string", None, "encoding"),
        ("客户𠀀", "客户", "string", None, "encoding"),
        ("a long note", "a long", "string", None, "truncated"),
        ("a long note", "a long...", "string", None, "truncated"),
        ("lead", "lead (copy)", "string", None, "value_changed"),
        ("", "x", "string", None, "value_changed"),
        ("x", " ", "string", None, "missing_value"),
    ],
)
def test_classify_follows_designs_ordered_table(ref, exp, ftype, region, kind):
    assert classify(ref, exp, ftype, region=region) == kind
