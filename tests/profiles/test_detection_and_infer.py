"""Auto-detection (the best profile, or a refusal when two fit alike) and `profiles infer`."""

from __future__ import annotations

from pathlib import Path

import pytest

from portcheck.errors import ProfileError
from portcheck.profiles import choose_profile, get_profile, infer_mapping, load_dataset
from portcheck.profiles.engine import ColumnIndex, base_column, make_plan, match_fields, visible_columns
from portcheck.profiles.infer import proposals_by_column
from tests.profiles.conftest import FIXTURES, needs_reader, read


def test_detection_names_its_reason_and_every_score():
    source = read(FIXTURES / "salesforce" / "export")
    ds = load_dataset(source)
    assert ds.detection["profile"] == "salesforce"
    assert "Account.csv→customer" in ds.detection["reason"]
    names = {s["name"] for s in ds.detection["scores"]}
    assert {"canonical", "hubspot", "salesforce", "wukong", "zoho"} <= names


def test_two_profiles_fitting_alike_stop_and_ask_for_profile(tmp_path: Path):
    # Generic headers every vendor uses, in files named for no vendor in particular.
    (tmp_path / "Contacts.csv").write_text("First Name,Last Name,Email,Phone\nAmy,Taylor,amy@x.example,1\n",
                                           encoding="utf-8")
    with pytest.raises(ProfileError) as err:
        choose_profile(read(tmp_path))
    assert "fits several profiles about equally" in err.value.message
    assert "--profile" in err.value.hint


def test_nothing_fitting_is_a_profile_error(tmp_path: Path):
    (tmp_path / "notes.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(ProfileError, match="no built-in profile fits"):
        load_dataset(read(tmp_path))


def _infer_accuracy(profile: str, export: Path) -> float:
    """Share of columns for which `infer` proposes the field the built-in profile maps (or none, for both)."""
    source = read(export)
    prof = get_profile(profile)
    plan = make_plan(source, prof)
    proposals = proposals_by_column(source)
    right = total = 0
    for i, raw in enumerate(source.tables):
        truth: dict[str, str] = {}
        for claim in plan.claims.get(i, []):
            idx = ColumnIndex(visible_columns(raw, claim.rule), prof.column_prefixes)
            for fname, (col, _) in match_fields(idx, prof.objects[claim.object].fields).items():
                truth[base_column(col)] = f"{claim.object}.{fname}"
        for col in raw.table.column_names:
            total += 1
            right += truth.get(col) == proposals[raw.name].get(col)
    return right / total


@pytest.mark.parametrize(("profile", "export", "reader"), [
    ("wukong", FIXTURES / "wukong" / "export", "xls"),
    ("hubspot", FIXTURES / "hubspot" / "export", None),
    ("hubspot", FIXTURES / "hubspot" / "api" / "export", "json"),
])
def test_infer_proposes_the_right_field_for_at_least_90_percent_of_columns(profile, export, reader):
    if reader:
        needs_reader(reader)
    assert _infer_accuracy(profile, export) >= 0.9


def test_inferred_mapping_maps_the_export_like_the_builtin_profile(tmp_path: Path):
    needs_reader("xls")
    export = FIXTURES / "wukong" / "export"
    text, confidences = infer_mapping(read(export))
    assert confidences["contact.full_name"] >= 0.9
    mapping = tmp_path / "inferred.yaml"
    mapping.write_text(text, encoding="utf-8")
    mine = load_dataset(read(export), mapping=mapping)
    builtin = load_dataset(read(export), profile="wukong")
    for obj in ("customer", "contact", "opportunity"):
        a, b = mine.objects[obj].table, builtin.objects[obj].table
        # Generated keys are named differently; value maps and time zones are the built-in profile's own.
        own = {"stage", "is_primary", "contact_id", "opportunity_id"}
        shared = [c for c in b.column_names if c in a.column_names and c not in own]
        assert a.select(shared).to_pylist() == b.select(shared).to_pylist(), obj


def test_profiles_infer_command_writes_the_file_and_refuses_to_overwrite(tmp_path: Path, capsys):
    from portcheck.cli import main

    out = tmp_path / "m.yaml"
    with pytest.raises(SystemExit) as exit_:
        main(["profiles", "infer", str(FIXTURES / "hubspot" / "export"), "--out", str(out)])
    assert exit_.value.code == 0
    assert "Record ID" in out.read_text(encoding="utf-8")
    assert "Proposed" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_:
        main(["profiles", "infer", str(FIXTURES / "hubspot" / "export"), "--out", str(out)])
    assert exit_.value.code == 2


def test_profiles_list_and_show_commands(capsys):
    from portcheck.cli import main

    with pytest.raises(SystemExit) as exit_:
        main(["profiles"])
    assert exit_.value.code == 0
    listing = capsys.readouterr().out
    for name in ("canonical", "salesforce", "hubspot", "zoho", "wukong"):
        assert name in listing
    with pytest.raises(SystemExit) as exit_:
        main(["profiles", "show", "salesforce"])
    assert exit_.value.code == 0
    shown = capsys.readouterr().out
    assert "name: salesforce" in shown and "Closed Won: won" in shown and "# sha256 " in shown
