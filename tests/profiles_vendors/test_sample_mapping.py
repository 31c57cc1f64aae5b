"""简道云 API rows are keyed by widget IDs: a starter mapping judged from one sample value per column, then
the user's mapping, map them (the flow `profiles infer` is for when headers say nothing)."""

from __future__ import annotations

from pathlib import Path

import yaml

from portcheck.profiles import load_dataset
from portcheck.profiles.samples import propose, sample_mapping
from tests.profiles_vendors.conftest import FIXTURES, column, read

CASE = FIXTURES / "jiandaoyun" / "api"


def _fields(mapping: dict) -> dict[str, str]:
    """column → object.field of a mapping file's fields."""
    out = {}
    for obj, spec in mapping["objects"].items():
        for fname, cols in (spec.get("fields") or {}).items():
            for c in cols:
                out[c] = f"{obj}.{fname}"
    return out


def test_sample_values_propose_the_users_field_for_nearly_every_widget(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("PORTCHECK_CONFIG_DIR", str(tmp_path / "cfg"))
    text, confidences = sample_mapping(read(CASE / "export"))
    starter = _fields(yaml.safe_load(text))
    final = _fields(yaml.safe_load((CASE / "mapping.yaml").read_text(encoding="utf-8")))
    right = sum(starter.get(c) == f for c, f in final.items())
    assert right / len(final) >= 0.9, (starter, final)
    assert "_widget_1432728651403" in text and "no proposal" in text  # 所属行业: left to the user
    assert confidences["contact.customer_id"] >= 0.9


def test_samples_in_the_starter_mapping_are_masked_unless_asked(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("PORTCHECK_CONFIG_DIR", str(tmp_path / "cfg"))
    masked, _ = sample_mapping(read(CASE / "export"))
    shown, _ = sample_mapping(read(CASE / "export"), show_values=True)
    assert "info@qinghe.example.cn" not in masked and "杭州青禾科技有限公司" not in masked
    assert "info@qinghe.example.cn" in shown


def test_the_starter_mapping_maps_the_widgets_and_leaves_the_unjudged_one_custom(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("PORTCHECK_CONFIG_DIR", str(tmp_path / "cfg"))
    text, _ = sample_mapping(read(CASE / "export"))
    starter = tmp_path / "starter.yaml"
    starter.write_text(text, encoding="utf-8")
    mine = load_dataset(read(CASE / "export"), mapping=starter)
    users = load_dataset(read(CASE / "export"), mapping=CASE / "mapping.yaml")
    for obj in ("customer", "contact", "opportunity"):
        for f in users.objects[obj].columns:
            expected = users.objects[obj].table.column(f).to_pylist()
            if (obj, f) == ("customer", "industry"):
                assert column(mine, obj, "x_widget_1432728651403") == expected
            else:
                assert column(mine, obj, f) == expected, (obj, f)
    assert column(mine, "opportunity", "expected_close_date") == ["2024-09-30", "2024-06-30"]


def test_without_a_mapping_the_widget_tables_are_claimed_but_widgets_stay_custom():
    ds = load_dataset(read(CASE / "export"))
    assert ds.profile_name == "jiandaoyun"
    customers = ds.objects["customer"]
    assert customers.mapped_fields == ["customer_id", "owner", "created_at", "updated_at"]
    assert "x_widget_1432728651402" in customers.columns


def test_proposals_skip_system_fields_the_profile_maps():
    cols = {p.column for p in propose(read(CASE / "export"))}
    assert not cols & {"_id", "createTime", "updateTime", "creator.name", "appId", "entryId"}


def test_profiles_infer_names_widget_columns_from_their_sample_values(tmp_path: Path):
    from portcheck.cli import main

    out = tmp_path / "inferred.yaml"
    try:
        main(["profiles", "infer", str(CASE / "export"), "--out", str(out)])
    except SystemExit as e:
        assert e.code in (0, None)
    inferred = _fields(yaml.safe_load(out.read_text(encoding="utf-8")))
    final = _fields(yaml.safe_load((CASE / "mapping.yaml").read_text(encoding="utf-8")))
    # Header matching alone names none of the widgets; their values name all but 所属行业 and the two
    # member widgets (infer gives owner to creator.name, the record's submitter, by its header).
    right = sum(inferred.get(c) == f for c, f in final.items())
    assert right >= len(final) - 3, (inferred, final)
    assert inferred["_widget_1432728800003"] == "opportunity.stage"
    assert inferred["_widget_1432728700004"] == "contact.customer_id"
    assert "appId" not in inferred and not any(
        c.startswith("creator.") and c != "creator.name" for c in inferred
    )
