"""traps_section on hand-made comparisons: what counts as planted, survived and lost, whichever key paired."""

from __future__ import annotations

from portcheck.canary.traps import traps_section

META = {
    "objects": {
        "contact": {
            "canary_id": "x_canary_id",
            "natural_key": "email",
            "index": {
                "x_canary_id": ["K1", "K2", "K3", "K4"],
                "contact_id": ["P1", "P2", "P3", "P4"],
                "email": ["a@x.cn", "b@x.cn", "c@x.cn", "d@x.cn"],
            },
        }
    },
    "traps": [
        {
            "id": "contact.phone.leading_zero_phone",
            "trap": "leading_zero_phone",
            "label": "Leading zeros",
            "label_zh": "前导零",
            "object": "contact",
            "field": "phone",
            "records": ["K1", "K2", "K3"],
            "keys": ["P1", "P2", "P3"],
        },
        {
            "id": "contact.email.email_plus_tag",
            "trap": "email_plus_tag",
            "label": "+tags",
            "label_zh": "+标签",
            "object": "contact",
            "field": "email",
            "records": ["K4"],
            "keys": ["P4"],
        },
        {
            "id": "contact.notes.tabs",
            "trap": "tabs",
            "label": "Tabs",
            "label_zh": "制表符",
            "object": "contact",
            "field": "notes",
            "records": ["K2"],
            "keys": ["P2"],
        },
    ],
}


def comparison(field, mismatches, missing=()):
    return {
        "contact": {
            "pair": {"reference_field": field},
            "mismatches": mismatches,
            "missing_keys": list(missing),
            "ambiguous_keys": [],
        }
    }


def test_lost_cells_carry_the_comparisons_defect_kind_and_missing_records_count_as_lost():
    result = comparison(
        "x_canary_id",
        [("K1", "phone", "leading_zero", "0755", "755"), ("K2", "notes", "value_changed", "a\tb", "a b")],
        missing=["K3"],
    )
    traps = {t["trap"]: t for t in traps_section(META, result)}
    phone = traps["contact.phone.leading_zero_phone"]
    assert (phone["planted"], phone["lost"], phone["survived"]) == (3, 2, 1)
    assert phone["defects"] == {"leading_zero": 1, "missing_record": 1}
    assert phone["label"] == "Leading zeros (contact.phone)" and phone["label_zh"] == "前导零（联系人.phone）"
    assert traps["contact.notes.tabs"]["defects"] == {"value_changed": 1}
    assert traps["contact.email.email_plus_tag"]["lost"] == 0


def test_mismatch_keys_are_found_through_the_primary_key_or_a_natural_key():
    by_pk = traps_section(META, comparison("contact_id", [("P1", "phone", "leading_zero", "0", "")]))
    by_email = traps_section(META, comparison("email", [(" a@x.cn ", "phone", "missing_value", "0", "")]))
    assert by_pk[0]["defects"] == {"leading_zero": 1}
    assert by_email[0]["defects"] == {"missing_value": 1}


def test_a_trap_on_the_pairing_field_is_not_assessed_but_its_unreturned_records_are_lost():
    traps = {t["trap"]: t for t in traps_section(META, comparison("email", [], missing=["d@x.cn"]))}
    plus = traps["contact.email.email_plus_tag"]
    assert plus["assessed"] is False and plus["lost"] == 1 and plus["defects"] == {"missing_record": 1}
    assert traps["contact.phone.leading_zero_phone"]["assessed"] is True


def test_an_object_without_comparison_reports_its_traps_unassessed():
    traps = traps_section(META, {"contact": None})
    assert all(t["assessed"] is False and t["lost"] is None for t in traps)
